/**
 * Does the shipped prior help the search? Per faithful paper task: the best count of simulated annealing
 * (30 s, seed 1, started as `optimize --method anneal` starts) is the target; AlphaZero then runs with the
 * shipped generalist as prior and value (fine-tuned as it plays) and with the uniform prior (search only),
 * 3 seeds each, until its best order reaches the target or a budget of network evaluations runs out. The
 * budget is work, not time: the table counts prior/value evaluations (positions the evaluator was asked
 * about, cache hits excluded), read after every episode. Writes results/generalist-prior.md and .json.
 *
 *   npm run bench:generalist-prior                          # the committed configuration
 *   npm run bench:generalist-prior -- --tasks PropaneCombustion --anneal-seconds 5   # a quick look
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';

import { AlphaZeroTrainer, DEFAULT_ALPHAZERO, type AlphaZeroPrior } from '../../src/rl/alphazero.js';
import { readGeneralist } from '../../src/rl/generalist.js';
import { EliminationGame } from '../../src/rl/game.js';
import { anneal } from '../../src/search/anneal.js';
import { FAITHFUL_TASKS, findTask, taskGraph, type TaskDefinition } from '../../src/tasks/index.js';

const args = process.argv.slice(2);
const value = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const settings = {
  annealSeconds: Number(value('--anneal-seconds') ?? 30),
  annealSeed: 1,
  evaluationBudget: Number(value('--evaluations') ?? 40000),
  seeds: [1, 2, 3],
  gamesPerEpisode: 4,
  simulations: Number(value('--simulations') ?? 16),
};
const tasks = value('--tasks')?.split(',') ?? [...FAITHFUL_TASKS];
const full =
  value('--tasks') === undefined &&
  value('--anneal-seconds') === undefined &&
  value('--evaluations') === undefined &&
  value('--simulations') === undefined;

/** What a run searches with: the shipped prior at its calibrated search scale, the same at scale 1, none. */
type Arm = 'generalist' | 'generalist-unscaled' | 'uniform';
const ARMS: readonly Arm[] = ['generalist', 'generalist-unscaled', 'uniform'];
const armPrior = (arm: Arm): AlphaZeroPrior => (arm === 'uniform' ? 'uniform' : 'generalist');
const searchScale = readGeneralist().searchScale ?? 1;

interface Run {
  readonly prior: Arm;
  readonly seed: number;
  /** Evaluations when the target was first reached (null: not within the budget). */
  readonly evaluationsToTarget: number | null;
  readonly best: number;
  readonly evaluations: number;
  readonly episodes: number;
}

interface TaskRow {
  readonly task: string;
  readonly annealBest: number;
  readonly annealMoves: number;
  readonly runs: Run[];
  /** Median over seeds of evaluations to the target (Infinity when most seeds miss it). */
  readonly median: Record<string, number | null>;
  readonly priorWins: boolean;
}

async function runOne(game: EliminationGame, prior: Arm, seed: number, target: number): Promise<Run> {
  const agent = await AlphaZeroTrainer.create([game], {
    ...DEFAULT_ALPHAZERO,
    prior: armPrior(prior),
    ...(prior === 'generalist-unscaled' ? { generalistScale: 1 } : {}),
    seed,
    games: settings.gamesPerEpisode,
    search: { ...DEFAULT_ALPHAZERO.search, simulations: settings.simulations },
  });
  let evaluations = 0;
  let evaluationsToTarget: number | null = null;
  let episodes = 0;
  try {
    while (evaluations < settings.evaluationBudget) {
      const report = await agent.runEpisode();
      evaluations += report.evaluations;
      episodes++;
      const best = agent.best.get(game)?.multiplications ?? Infinity;
      if (best <= target) {
        evaluationsToTarget = evaluations;
        break;
      }
    }
    return {
      prior,
      seed,
      evaluationsToTarget,
      best: agent.best.get(game)?.multiplications ?? Infinity,
      evaluations,
      episodes,
    };
  } finally {
    agent.dispose();
  }
}

/** The median of three with misses as +∞; null when the median itself is a miss. */
function median(xs: readonly (number | null)[]): number | null {
  const sorted = xs.map((x) => x ?? Infinity).sort((a, b) => a - b);
  const m = sorted[Math.floor(sorted.length / 2)];
  return Number.isFinite(m) ? m : null;
}

const rows: TaskRow[] = [];
for (const task of tasks) {
  const game = new EliminationGame(taskGraph(findTask(task) as TaskDefinition), 'alphagrad', task);
  const annealed = anneal(game.problem, {
    seed: settings.annealSeed,
    timeLimitMs: settings.annealSeconds * 1000,
  });
  const runs: Run[] = [];
  for (const prior of ARMS)
    for (const seed of settings.seeds) runs.push(await runOne(game, prior, seed, annealed.multiplications));
  const medians = Object.fromEntries(
    ARMS.map((p) => [p, median(runs.filter((r) => r.prior === p).map((r) => r.evaluationsToTarget))]),
  );
  const g = medians.generalist;
  const u = medians.uniform;
  const row: TaskRow = {
    task,
    annealBest: annealed.multiplications,
    annealMoves: annealed.moves,
    runs,
    median: medians,
    priorWins: g !== null && (u === null || g < u),
  };
  rows.push(row);
  process.stderr.write(
    `${JSON.stringify({ task, anneal: row.annealBest, median: medians, runs: runs.map((r) => [r.prior, r.seed, r.evaluationsToTarget, r.best]) })}\n`,
  );
}

const wins = rows.filter((r) => r.priorWins).length;
const show = (x: number | null) => (x === null ? `> ${settings.evaluationBudget}` : String(x));
const lines = [
  '# Generalist prior: network evaluations to reach annealing',
  '',
  'Generated by `npm run bench:generalist-prior` (bench/generalist/prior.ts). Cost model: alphagrad.',
  `Target per task: the best count of simulated annealing in ${settings.annealSeconds} s (seed ${settings.annealSeed}; the number of`,
  'annealing moves it made is listed, so the target depends on the machine only through that count).',
  `AlphaZero (Gumbel search, ${settings.gamesPerEpisode} games per episode, ${settings.simulations} simulations per move) runs until its best order`,
  `reaches the target or ${settings.evaluationBudget} prior/value evaluations have been spent, with seeds ${settings.seeds.join(', ')}.`,
  `"generalist": the shipped data/generalist.json as prior and value at its calibrated search scale (${searchScale}, fitted on the`,
  'validation stream by `npm run calibrate:generalist`), fine-tuned on the task as it plays; "generalist-unscaled": the same',
  'at scale 1 (the ablation: the prior as training left it); "uniform": the same search with a uniform prior and value 0',
  '(no learning). Evaluations are read after each episode, so a count is an upper bound of the exact moment.',
  '',
  'Acceptance: with the shipped prior, fewer evaluations than with the uniform prior on ≥ 5 of 7 faithful',
  'tasks (median of 3 seeds).',
  `Measured: fewer on ${wins}/${rows.length}: ${wins >= 5 && rows.length === 7 ? '**met**' : '**not met**'} (load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(', ')}).`,
  '',
  `| task | anneal best | anneal moves | ${ARMS.map((a) => `${a}: median evaluations | per seed (best)`).join(' | ')} | fewer with the prior |`,
  `|---|---:|---:|${ARMS.map(() => '---:|---|').join('')}---|`,
  ...rows.map((r) => {
    const seeds = (p: Arm) =>
      r.runs
        .filter((x) => x.prior === p)
        .map((x) => `${show(x.evaluationsToTarget)} (${x.best})`)
        .join(', ');
    return `| ${r.task} | ${r.annealBest} | ${r.annealMoves} | ${ARMS.map((a) => `${show(r.median[a])} | ${seeds(a)}`).join(' | ')} | ${r.priorWins ? 'yes' : 'no'} |`;
  }),
  '',
];
const dir = full || args.includes('--write') ? 'results' : 'results/.scratch';
mkdirSync(dir, { recursive: true });
writeFileSync(
  `${dir}/generalist-prior.json`,
  `${JSON.stringify({ settings, searchScale, wins, rows }, null, 2)}\n`,
);
writeFileSync(`${dir}/generalist-prior.md`, lines.join('\n'));
process.stdout.write(`${lines.join('\n')}\n`);
