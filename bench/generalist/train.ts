/**
 * Trains the shipped generalist policy (data/generalist.json): supervised pretraining on expert orders
 * from our own search (simulated annealing under a move limit, started from the best of forward/reverse/
 * Markowitz) over the seeded corpus of generated graphs (corpus.ts). Every `--eval-every` steps the greedy
 * policy is played on validation graphs the corpus does not hold: that is the learning curve. Writes
 * data/generalist.json, results/generalist.json and results/generalist.md.
 *
 *   npm run train:generalist                          # the committed configuration
 *   npm run train:generalist -- --steps 50 --corpus 10 --out /tmp/g.json   # a smoke run
 */
import { writeFileSync } from 'node:fs';

import { generalistFile, generalistShapedNetwork, greedyOrder } from '../../src/rl/generalist.js';
import type { EliminationGame } from '../../src/rl/game.js';
import { imitateOrders } from '../../src/rl/imitation.js';
import { anneal } from '../../src/search/anneal.js';
import { Rng } from '../../src/util/random.js';
import { CORPUS_SEED, corpusGames, heldOutGames } from './corpus.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const outPath = ((i) => (i >= 0 ? args[i + 1] : 'data/generalist.json'))(args.indexOf('--out'));
const settings = {
  corpusSeed: CORPUS_SEED,
  corpusRandomPrograms: flag('--corpus', 60),
  expertMoves: flag('--expert-moves', 5000),
  steps: flag('--steps', 500),
  batchSize: 128,
  learningRate: 1e-3,
  share: 0.9,
  evalEvery: flag('--eval-every', 50),
  validationGraphs: 10,
};

const corpus = corpusGames(settings.corpusRandomPrograms);
const validation = heldOutGames(settings.validationGraphs, CORPUS_SEED + 2);
const t0 = performance.now();
const seconds = () => Number(((performance.now() - t0) / 1000).toFixed(1));

// Expert orders: annealing under a move limit (the same order on any machine), started from the best
// classic order so an expert is never worse than it.
const experts = corpus.map((g, i) => {
  const start = g.bestBaselineOrder;
  const found = anneal(g.problem, {
    seed: i + 1,
    maxMoves: settings.expertMoves,
    timeLimitMs: Infinity,
    start,
  });
  return found.multiplications <= g.bestBaseline ? found.order : [...start];
});
const expertCost = experts.map((o, i) => corpus[i].replay(o));
const expertGain = mean(expertCost.map((c, i) => c / corpus[i].bestBaseline));
process.stderr.write(
  `${corpus.length} corpus graphs, experts at ${(expertGain * 100).toFixed(1)}% of the best baseline (${seconds()} s)\n`,
);

const net = await generalistShapedNetwork([...corpus, ...validation]);
const rng = new Rng(settings.corpusSeed);

interface CurvePoint {
  readonly step: number;
  readonly seconds: number;
  readonly loss: number | null;
  /** Mean over the validation graphs of greedy cost / Markowitz cost. */
  readonly greedyOverMarkowitz: number;
  readonly greedyOverBestBaseline: number;
  readonly cheaperThanMarkowitz: number;
}

function evaluate(step: number, loss: number | null, games: readonly EliminationGame[]): CurvePoint {
  const costs = games.map((g) => greedyOrder(net, g).multiplications);
  return {
    step,
    seconds: seconds(),
    loss,
    greedyOverMarkowitz: round(mean(costs.map((c, i) => c / games[i].baselines.markowitz))),
    greedyOverBestBaseline: round(mean(costs.map((c, i) => c / games[i].bestBaseline))),
    cheaperThanMarkowitz: costs.filter((c, i) => c < games[i].baselines.markowitz).length,
  };
}

const curve: CurvePoint[] = [evaluate(0, null, validation)];
for (let step = 0; step < settings.steps; step += settings.evalEvery) {
  const chunk = Math.min(settings.evalEvery, settings.steps - step);
  const losses = imitateOrders(
    net,
    corpus,
    experts,
    {
      steps: chunk,
      batchSize: settings.batchSize,
      // Cosine decay over the whole run, applied per chunk at its midpoint.
      learningRate:
        settings.learningRate * 0.5 * (1 + Math.cos((Math.PI * (step + chunk / 2)) / settings.steps)),
      share: settings.share,
      valueWeight: 1,
      clipNorm: 1,
      valueTransform: 'r2d2',
    },
    rng,
  );
  const point = evaluate(step + chunk, losses ? round(losses.total) : null, validation);
  curve.push(point);
  process.stderr.write(`${JSON.stringify(point)}\n`);
}

const training = {
  ...settings,
  corpusGraphs: corpus.length,
  expertOverBestBaseline: round(expertGain),
  seconds: seconds(),
};
writeFileSync(outPath, `${JSON.stringify(generalistFile(net, 'r2d2', training))}\n`);
net.dispose();

if (outPath === 'data/generalist.json') {
  writeFileSync('results/generalist.json', `${JSON.stringify({ training, curve }, null, 2)}\n`);
  writeFileSync('results/generalist.md', markdown(training, curve));
}
process.stderr.write(`wrote ${outPath} in ${seconds()} s\n`);

function markdown(t: typeof training, points: readonly CurvePoint[]): string {
  return [
    '# Generalist policy: training',
    '',
    'Generated by `npm run train:generalist` (bench/generalist/train.ts). Supervised pretraining only: the',
    'network imitates expert orders (annealing under a move limit) on the corpus; no RL fine-tuning yet.',
    `Corpus seed ${t.corpusSeed}: ${t.corpusGraphs} graphs (${t.corpusRandomPrograms} random scalar/tensor programs`,
    'plus flux, RK4 and MLP families; none of the paper tasks). Experts reach',
    `${(t.expertOverBestBaseline * 100).toFixed(1)}% of the best classic order on average. ${t.steps} Adam steps of`,
    `${t.batchSize} positions, ${t.seconds} s wall time on a shared 2-core machine (wall time is load-dependent).`,
    '',
    `Curve: the greedy policy (one forward pass per move, no search) on ${t.validationGraphs} validation graphs`,
    'outside the corpus. Ratios are means of greedy cost / baseline cost (lower is better).',
    '',
    '| step | loss | greedy / Markowitz | greedy / best baseline | cheaper than Markowitz |',
    '|---:|---:|---:|---:|---:|',
    ...points.map(
      (p) =>
        `| ${p.step} | ${p.loss ?? '–'} | ${p.greedyOverMarkowitz.toFixed(3)} | ${p.greedyOverBestBaseline.toFixed(3)} | ${p.cheaperThanMarkowitz}/${t.validationGraphs} |`,
    ),
    '',
    'The acceptance table (paper graphs and 20 held-out graphs) is in results/generalist-eval.md (`npm run bench:generalist`).',
    '',
  ].join('\n');
}

function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
}

function round(x: number): number {
  return Number(x.toFixed(4));
}
