/**
 * RL benchmark on the 7 faithful paper tasks (alphagrad cost model, graphs from the paper's jaxprs), every
 * run budgeted by work so that it means the same on any machine, wall and CPU time recorded beside:
 *
 * - `alphazero`: Gumbel MuZero self-play, the `mlp` network, warm start on the best baseline, a fixed
 *   number of episodes per task (the learning-rate schedule spans them). Reports the best order seen
 *   (played or reached inside the search tree), the trained policy played greedily without search, and
 *   the mean self-play episode cost of every episode (the learning curve).
 * - `search-only`: the same search with a uniform prior and value 0, no learning, stopped at the first
 *   episode end with as many evaluations as the AlphaZero run of the same seed used.
 * - `anneal-equal-time`: simulated annealing from the best baseline for the CPU time the AlphaZero run
 *   of the same seed took (on a shared machine CPU time is the fair measure for two single-threaded
 *   processes; it becomes an elimination budget through a measured rate, recorded with the run);
 *   `anneal-equal-work`: as many vertex eliminations as AlphaZero's evaluations.
 * - `alphazero-gnn`, `alphazero-transformer`: the other networks at AlphaZero's episodes on ARCH_TASKS.
 *
 * Each run is one child process (bench/rl/job.ts), PARALLEL at a time. results/rl.json is rewritten after
 * every run, and a rerun keeps the runs already there whose spec is unchanged (unless --fresh); rl.md
 * and rl.png come from rl.json alone (--report-only rewrites them).
 *
 *   npm run bench:rl                      # the full protocol below, about 60 min on 2 free cores
 *   npm run bench:rl -- --quick           # 3 episodes, 1 seed, 2 tasks: a smoke run (results/.scratch)
 *   npm run bench:rl -- --tasks g,f --seeds 1,2,3 --methods alphazero,search-only
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { promisify } from 'node:util';

import { rlChartSpec, rlMarkdown, type RlFile } from './report/rl-report.js';
import type { JobResult, JobSpec } from './rl/job.js';
import { renderPng } from '../src/plot/charts.js';
import { FAITHFUL_TASKS } from '../src/tasks/index.js';
import {
  checkFlags,
  flagValue,
  noteScratch,
  outputDir,
  runBench,
  selectNames,
  writeResult,
} from './output.js';

const run = promisify(execFile);
const args = process.argv.slice(2);
const SWITCHES = ['--quick', '--report-only', '--fresh', '--write'];
const SELECTIONS = ['--tasks', '--seeds', '--methods'];
const METHODS_ALL = [
  'alphazero',
  'search-only',
  'anneal-equal-work',
  'anneal-equal-time',
  'alphazero-mlp',
  'alphazero-gnn',
  'alphazero-transformer',
];
let flagError = true;
await runBench(() => {
  checkFlags(args, [...SWITCHES, ...SELECTIONS, '--parallel', '--episodes-scale']);
  for (const name of args.filter((a) => a.startsWith('--') && !SWITCHES.includes(a))) flagValue(args, name);
  flagError = false;
});
if (flagError) process.exit(1);
const flag = (name: string): string | undefined => flagValue(args, name);
const quick = args.includes('--quick');
const reportOnly = args.includes('--report-only');
const fresh = args.includes('--fresh');
const PARALLEL = Number(flag('--parallel') ?? 2);

/**
 * Episodes per task (GAMES games of SIMULATIONS simulations each) in the full protocol: each AlphaZero
 * run then costs about 1–3 CPU minutes on this machine; --episodes-scale shortens them (not the
 * architecture runs) when the machine is shared.
 */
const EPISODES: Record<string, number> = {
  RoeFlux_1d: 20,
  RoeFlux_3d: 10,
  RobotArm_6DOF: 20,
  HumanHeartDipole: 20,
  PropaneCombustion: 20,
  f: 20,
  g: 20,
};
/** The architecture comparison: two small tasks (the slower networks cost tens of times more per call). */
const ARCH_TASKS = ['PropaneCombustion', 'HumanHeartDipole'];
const ARCH_EPISODES = 20;
/** Fewer games per episode in the architecture runs, so that tens of episodes of the slow networks fit. */
const ARCH_GAMES = 2;
const GAMES = 4;
const SIMULATIONS = 8;
/** The Gumbel noise scale falls linearly from 1 to this over the episodes (exploration early, less late). */
const GUMBEL_END = 0.1;
/** Warm-start steps imitating the best baseline (0 = learn from a fresh network). */
const IMITATION_STEPS = 0;
/** Adam steps per episode (batches of 256 positions from the replay of the last 4 episodes). */
const TRAIN_STEPS = 8;
const ARCH_TRAIN_STEPS = 4;
const LEARNING_RATE = 3e-3;
const scale = Number(flag('--episodes-scale') ?? 1);
const episodesOf = (task: string, method: string): number => {
  if (quick) return 3;
  if (method.startsWith('alphazero-')) return ARCH_EPISODES;
  return Math.max(2, Math.round(EPISODES[task] * scale));
};

let selection: { tasks: string[]; methods: string[] } | undefined;
await runBench(() => {
  selection = {
    tasks: selectNames(
      flag('--tasks') ?? (quick ? 'PropaneCombustion,g' : FAITHFUL_TASKS.join(',')),
      FAITHFUL_TASKS,
      'task',
    ),
    methods: selectNames(flag('--methods') ?? METHODS_ALL.join(','), METHODS_ALL, 'method'),
  };
});
if (!selection) process.exit(1);
const { tasks: TASKS, methods: METHODS } = selection;
const SEEDS = (flag('--seeds') ?? (quick ? '1' : '1,2,3')).split(',').map(Number);
const OUT = outputDir({
  partial: quick || SELECTIONS.some((f) => args.includes(f)),
  write: args.includes('--write'),
});
noteScratch(OUT);
const JSON_PATH = `${OUT}/rl.json`;
const COMMAND = `npm run bench:rl${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}`;
const load = (): string =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');

const previous: RlFile | undefined =
  !fresh && existsSync(JSON_PATH) ? (JSON.parse(readFileSync(JSON_PATH, 'utf8')) as RlFile) : undefined;
const results: JobResult[] = [...(previous?.runs ?? [])];
const file = (): RlFile => ({
  command: previous && !reportOnly ? `${previous.command}; then ${COMMAND}` : (previous?.command ?? COMMAND),
  machine,
  loadAtStart: previous?.loadAtStart ?? load(),
  loadAtEnd: load(),
  planned,
  runs: results,
});
const save = () => writeResult(JSON_PATH, `${JSON.stringify(file(), null, 1)}\n`);

/** The AlphaZero run another run is measured against (same task and seed). */
const azOf = (task: string, seed: number): JobResult | undefined =>
  results.find((r) => r.spec.method === 'alphazero' && r.spec.task === task && r.spec.seed === seed);

/** The spec of a run, once the runs it depends on are done (undefined = not ready yet). */
function specOf(method: string, task: string, seed: number): JobSpec | undefined {
  const az: JobSpec = {
    kind: 'alphazero',
    method,
    task,
    seed,
    episodes: episodesOf(task, method),
    games: method.startsWith('alphazero-') ? ARCH_GAMES : GAMES,
    simulations: SIMULATIONS,
    gumbelScaleEnd: GUMBEL_END,
    imitationSteps: IMITATION_STEPS,
    trainSteps: method.startsWith('alphazero-') ? ARCH_TRAIN_STEPS : TRAIN_STEPS,
    learningRate: LEARNING_RATE,
  };
  if (method === 'alphazero' || method === 'alphazero-mlp') return az;
  if (method === 'alphazero-gnn') return { ...az, architecture: 'gnn' };
  if (method === 'alphazero-transformer') return { ...az, architecture: 'transformer' };
  const base = azOf(task, seed);
  if (!base) return undefined;
  if (method === 'search-only')
    // The same noise schedule over the same number of episodes; it stops at AlphaZero's evaluations.
    return { ...az, kind: 'search-only', evaluations: base.evaluations };
  if (method === 'anneal-equal-time')
    return { kind: 'anneal', method, task, seed, annealCpuSeconds: Number(base.cpuSeconds.toFixed(1)) };
  return { kind: 'anneal', method, task, seed, annealEliminations: base.evaluations };
}

const sameSpec = (a: JobSpec, b: JobSpec): boolean => JSON.stringify(a) === JSON.stringify(b);

interface Pending {
  readonly method: string;
  readonly task: string;
  readonly seed: number;
}
const pending: Pending[] = [];
if (!reportOnly) {
  // AlphaZero first, then the cheap runs measured against it, then seed by seed annealing at equal
  // time and the architectures: a run cut short keeps the main figures and whole seeds of the rest.
  const cheap = ['alphazero', 'search-only', 'anneal-equal-work'];
  for (const method of cheap.filter((m) => METHODS.includes(m)))
    for (const seed of SEEDS) for (const task of TASKS) pending.push({ method, task, seed });
  for (const seed of SEEDS) {
    if (METHODS.includes('anneal-equal-time'))
      for (const task of TASKS) pending.push({ method: 'anneal-equal-time', task, seed });
    for (const task of TASKS.filter((t) => ARCH_TASKS.includes(t)))
      for (const method of METHODS.filter((m) => m.startsWith('alphazero-')))
        pending.push({ method, task, seed });
  }
}

/** Drops pending runs already in rl.json with the same spec; a changed spec replaces the old run. */
function isDone(p: Pending): boolean {
  const spec = specOf(p.method, p.task, p.seed);
  const old = results.findIndex(
    (r) => r.spec.method === p.method && r.spec.task === p.task && r.spec.seed === p.seed,
  );
  if (old < 0 || !spec) return false;
  if (sameSpec(results[old].spec, spec)) return true;
  results.splice(old, 1);
  return false;
}

async function runJob(spec: JobSpec): Promise<void> {
  const { stdout } = await run('npx', ['tsx', 'bench/rl/job.ts', JSON.stringify(spec)], {
    maxBuffer: 1 << 26,
  });
  const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as JobResult;
  results.push(result);
  save();
  const greedy = result.greedy ? `, greedy ${result.greedy.multiplications}` : '';
  process.stderr.write(
    `${spec.task} ${spec.method} seed ${spec.seed}: ${result.multiplications}${greedy} (${result.episodes} episodes, ${result.wallSeconds.toFixed(0)} s, load ${load()})\n`,
  );
}

/** Takes the next run whose dependencies are done (AlphaZero runs first, the runs measured against them after). */
function next(): JobSpec | undefined | 'wait' {
  for (let i = 0; i < pending.length; i++) {
    const p = pending[i];
    if (isDone(p)) {
      pending.splice(i--, 1);
      continue;
    }
    const spec = specOf(p.method, p.task, p.seed);
    if (spec) {
      pending.splice(i, 1);
      return spec;
    }
  }
  return pending.length > 0 ? 'wait' : undefined;
}

/** Runs this invocation means to have in rl.json when it ends. */
const inPending = (r: JobResult): boolean =>
  pending.some((p) => p.method === r.spec.method && p.task === r.spec.task && p.seed === r.spec.seed);
const planned = reportOnly
  ? (previous?.planned ?? results.length)
  : pending.length + results.filter((r) => !inPending(r)).length;
let running = 0;
await new Promise<void>((resolve, reject) => {
  const pump = (): void => {
    for (;;) {
      if (running >= PARALLEL) return;
      const spec = next();
      if (spec === undefined) {
        if (running === 0) resolve();
        return;
      }
      if (spec === 'wait') {
        // Everything left depends on a running AlphaZero job.
        if (running === 0) reject(new Error('runs wait for AlphaZero runs that were not selected'));
        return;
      }
      running++;
      runJob(spec).then(() => {
        running--;
        pump();
      }, reject);
    }
  };
  pump();
});
if (!reportOnly) save();
const data = file();
writeResult(`${OUT}/rl.md`, rlMarkdown(data));
writeResult(`${OUT}/rl.png`, await renderPng(rlChartSpec(data)));
process.stderr.write(`wrote ${JSON_PATH}, ${OUT}/rl.md and ${OUT}/rl.png\n`);
