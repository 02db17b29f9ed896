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
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { promisify } from 'node:util';

import { rlMarkdown, rlChartSpec, type RlRun } from '../src/report/rl-report.js';
import { renderPng } from '../src/report/charts.js';
import { FAITHFUL_TASKS } from '../src/tasks/index.js';

const run = promisify(execFile);
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const fresh = args.includes('--fresh');
const METHODS = (flag('--methods') ?? 'alphazero,ppo,alphazero-uniform-prior').split(',');
const TASKS = (flag('--tasks') ?? FAITHFUL_TASKS.join(',')).split(',');
const SEEDS = (flag('--seeds') ?? (quick ? '1' : '1,2,3')).split(',').map(Number);
const PARALLEL = Number(flag('--parallel') ?? 2);
/** Wall-clock seconds per run (one core each). */
const BUDGETS: Record<string, number> = quick
  ? { alphazero: 20, ppo: 20, 'alphazero-uniform-prior': 20 }
  : {
      alphazero: Number(flag('--budget-alphazero') ?? 150),
      ppo: Number(flag('--budget-ppo') ?? 90),
      'alphazero-uniform-prior': Number(flag('--budget-ablation') ?? 150),
    };
const OUT = 'results';
const JSON_PATH = `${OUT}/rl.json`;
const COMMAND = `npm run bench:rl${process.argv.length > 2 ? ` -- ${args.join(' ')}` : ''}`;

function load(): RlRun[] {
  if (fresh || !existsSync(JSON_PATH)) return [];
  return (JSON.parse(readFileSync(JSON_PATH, 'utf8')) as { runs: RlRun[] }).runs;
}

const runs = load();
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}`;
const save = () => {
  mkdirSync(OUT, { recursive: true });
  writeFileSync(JSON_PATH, `${JSON.stringify({ command: COMMAND, machine, runs }, null, 2)}\n`);
};

interface Job {
  readonly task: string;
  readonly method: string;
  readonly seed: number;
}
const jobs: Job[] = [];
for (const seed of SEEDS)
  for (const task of TASKS)
    for (const method of METHODS)
      if (
        !runs.some(
          (r) =>
            r.task === task && r.method === method && r.seed === seed && r.budgetSeconds === BUDGETS[method],
        )
      )
        jobs.push({ task, method, seed });

async function runJob(job: Job): Promise<void> {
  const budget = BUDGETS[job.method];
  const cliMethod = job.method === 'alphazero-uniform-prior' ? 'alphazero' : job.method;
  const cli = ['src/cli/main.ts', 'optimize', job.task, '--method', cliMethod, '--budget', String(budget)];
  cli.push('--seed', String(job.seed), '--cost-model', 'alphagrad', '--source', 'jaxpr', '--json');
  if (job.method === 'alphazero-uniform-prior') cli.push('--prior', 'uniform');
  const t0 = performance.now();
  const { stdout } = await run('npx', ['tsx', ...cli], { maxBuffer: 1 << 26 });
  const record = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Omit<RlRun, 'wallSeconds'>;
  runs.push({ ...record, wallSeconds: (performance.now() - t0) / 1000 });
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
writeFileSync(`${OUT}/rl.md`, rlMarkdown(runs, COMMAND, machine));
writeFileSync(`${OUT}/rl.png`, await renderPng(rlChartSpec(runs)));
process.stderr.write(`wrote ${JSON_PATH}, ${OUT}/rl.md and ${OUT}/rl.png\n`);
