/**
 * RL benchmark: AlphaZero (Gumbel MuZero self-play), PPO and the search-only ablation (same search, uniform
 * prior, no value net) on the 7 faithful paper tasks under the alphagrad cost model, several seeds each.
 * Every run is one `crosscountry optimize --method … --json` child process (so the command line is what is
 * measured), two at a time on this 2-core machine, each single-threaded. Writes results/rl.json after every
 * run (a rerun skips runs already there unless --fresh) and results/rl.md + rl.png at the end.
 *
 *   npm run bench:rl                                   # full protocol (see BUDGETS), ~60 min
 *   npm run bench:rl -- --quick                        # 20 s runs, one seed, for a smoke run
 *   npm run bench:rl -- --tasks g,RoeFlux_1d --seeds 1,2,3 --methods alphazero
 *
 * --quick and selections (--tasks, --seeds, --methods) write to results/.scratch/ (git-ignored) unless
 * --write; files are replaced atomically.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { promisify } from 'node:util';

import { rlMarkdown, rlChartSpec, type RlRun } from './report/rl-report.js';
import { renderPng } from '../src/plot/charts.js';
import { FAITHFUL_TASKS, TASK_NAMES } from '../src/tasks/index.js';
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
const SELECTIONS = ['--tasks', '--seeds', '--methods', '--side-seeds', '--arch-task'];
let flagError = true;
await runBench(() => {
  checkFlags(args, [
    '--quick',
    '--report-only',
    '--fresh',
    '--write',
    '--parallel',
    '--budget-alphazero',
    '--budget-ppo',
    ...SELECTIONS,
  ]);
  const switches = ['--quick', '--report-only', '--fresh', '--write'];
  for (const name of args.filter((a) => a.startsWith('--') && !switches.includes(a))) flagValue(args, name);
  flagError = false;
});
if (flagError) process.exit(1);
const flag = (name: string): string | undefined =>
  args.includes(name) && !['--quick', '--report-only', '--fresh', '--write'].includes(name)
    ? flagValue(args, name)
    : undefined;
const quick = args.includes('--quick');
/** Rewrite rl.md and rl.png from rl.json without running anything. */
const reportOnly = args.includes('--report-only');
const fresh = args.includes('--fresh');
const METHODS = (
  flag('--methods') ??
  'alphazero,ppo,alphazero-uniform-prior,alphazero-from-scratch,alphazero-gnn,alphazero-transformer'
).split(',');
/** The ablations and architecture variants run on fewer seeds (and the variants on one task) to fit the session. */
const SIDE_SEEDS = (flag('--side-seeds') ?? '1').split(',').map(Number);
const SIDE_METHODS = new Set([
  'alphazero-uniform-prior',
  'alphazero-from-scratch',
  'alphazero-gnn',
  'alphazero-transformer',
]);
const ARCH_TASK = flag('--arch-task') ?? 'RoeFlux_1d';
const TASKS = (flag('--tasks') ?? FAITHFUL_TASKS.join(',')).split(',');
const SEEDS = (flag('--seeds') ?? (quick ? '1' : '1,2,3')).split(',').map(Number);
const PARALLEL = Number(flag('--parallel') ?? 2);
/** Wall-clock seconds per run (one core each). */
const AZ_BUDGET = quick ? 20 : Number(flag('--budget-alphazero') ?? 210);
const BUDGETS: Record<string, number> = {
  alphazero: AZ_BUDGET,
  ppo: quick ? 20 : Number(flag('--budget-ppo') ?? 90),
  // Ablations and variants get AlphaZero's budget: comparisons at equal wall time (one core each).
  'alphazero-uniform-prior': AZ_BUDGET,
  'alphazero-generalist-prior': AZ_BUDGET,
  'alphazero-from-scratch': AZ_BUDGET,
  'alphazero-gnn': AZ_BUDGET,
  'alphazero-transformer': AZ_BUDGET,
};
/** Extra CLI flags per method. */
const METHOD_FLAGS: Record<string, string[]> = {
  // The CLI starts alphazero from the shipped generalist by default; this row is the fresh network.
  alphazero: ['--method', 'alphazero', '--prior', 'network'],
  'alphazero-generalist-prior': ['--method', 'alphazero', '--prior', 'generalist'],
  ppo: ['--method', 'ppo'],
  'alphazero-uniform-prior': ['--method', 'alphazero', '--prior', 'uniform'],
  'alphazero-from-scratch': ['--method', 'alphazero', '--imitate', '0'],
  'alphazero-gnn': ['--method', 'alphazero', '--arch', 'gnn'],
  'alphazero-transformer': ['--method', 'alphazero', '--arch', 'transformer'],
};
const OUT = outputDir({
  partial: quick || SELECTIONS.some((f) => args.includes(f)),
  write: args.includes('--write'),
});
let selectionError = true;
await runBench(() => {
  selectNames(TASKS.join(','), TASK_NAMES, 'task');
  selectNames(METHODS.join(','), Object.keys(METHOD_FLAGS), 'method');
  selectionError = false;
});
if (selectionError) process.exit(1);
noteScratch(OUT);
const JSON_PATH = `${OUT}/rl.json`;
const COMMAND = `npm run bench:rl${process.argv.length > 2 ? ` -- ${args.join(' ')}` : ''}`;

function load(): RlRun[] {
  if (fresh || !existsSync(JSON_PATH)) return [];
  return (JSON.parse(readFileSync(JSON_PATH, 'utf8')) as { runs: RlRun[] }).runs;
}

const runs = load();
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}`;
const save = () => {
  writeResult(JSON_PATH, `${JSON.stringify({ command: COMMAND, machine, runs }, null, 2)}\n`);
};

interface Job {
  readonly task: string;
  readonly method: string;
  readonly seed: number;
}
const jobs: Job[] = [];
if (!reportOnly)
  for (const seed of SEEDS)
    for (const task of TASKS)
      for (const method of METHODS) {
        if (SIDE_METHODS.has(method) && !SIDE_SEEDS.includes(seed)) continue;
        if ((method === 'alphazero-gnn' || method === 'alphazero-transformer') && task !== ARCH_TASK)
          continue;
        const done = runs.some(
          (r) =>
            r.task === task && r.method === method && r.seed === seed && r.budgetSeconds === BUDGETS[method],
        );
        if (!done) jobs.push({ task, method, seed });
      }

async function runJob(job: Job): Promise<void> {
  const budget = BUDGETS[job.method];
  const cli = [
    'src/cli/main.ts',
    'optimize',
    job.task,
    ...METHOD_FLAGS[job.method],
    '--budget',
    String(budget),
  ];
  cli.push('--seed', String(job.seed), '--cost-model', 'alphagrad', '--source', 'jaxpr', '--json');
  const t0 = performance.now();
  const { stdout } = await run('npx', ['tsx', ...cli], { maxBuffer: 1 << 26 });
  const record = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Omit<RlRun, 'wallSeconds'>;
  // The bench's method name (variants share the CLI's method name).
  runs.push({ ...record, method: job.method, wallSeconds: (performance.now() - t0) / 1000 });
  save();
  process.stderr.write(
    `${job.task} ${job.method} seed ${job.seed}: ${record.multiplications} (${record.episodes} episodes)\n`,
  );
}

const queue = [...jobs];
await Promise.all(
  Array.from({ length: PARALLEL }, async () => {
    for (let job = queue.shift(); job; job = queue.shift()) await runJob(job);
  }),
);
writeResult(`${OUT}/rl.md`, rlMarkdown(runs, COMMAND, machine));
writeResult(`${OUT}/rl.png`, await renderPng(rlChartSpec(runs)));
process.stderr.write(`wrote ${JSON_PATH}, ${OUT}/rl.md and ${OUT}/rl.png\n`);
