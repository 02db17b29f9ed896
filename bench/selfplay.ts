/**
 * Self-play speed before and after batching network calls across games (issue 15 item 3): network
 * evaluations per second and self-play episodes per second (one episode = one game per entry of `games`,
 * played in lockstep), median of several seeded runs in one process, the variants alternating run by run.
 *
 * "per-leaf" makes one network call per search leaf and builds observations without the token adjacency
 * (the network input builder reads it from the edge rows); "batched" sends one forward pass per
 * simulation for all games' leaves and ships the adjacency. Both play the same games
 * (test/rl-selfplay-speed.test.ts), so only the time differs.
 *
 * A second table times one search expansion (clone + eliminate) of the alphagrad engine alone, a full
 * table copy (clone(false)) against copy-on-write rows, over the positions of one Markowitz-order game.
 * Usage: tsx bench/selfplay.ts [runs] [games] → results/selfplay.md + results/selfplay.json.
 */
import { cpus, loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';

import { AlphagradEngine } from '../src/alphagrad/engine.js';
import { createNetwork, defaultNetworkConfig } from '../src/nn/create.js';
import type { Observation } from '../src/nn/network.js';
import { cachingEvaluator, counting, networkEvaluator, perLeafEvaluator } from '../src/rl/evaluators.js';
import { EliminationGame, type GameState } from '../src/rl/game.js';
import { DEFAULT_GUMBEL } from '../src/rl/gumbel.js';
import { observe } from '../src/rl/observation.js';
import { selfPlay } from '../src/rl/self-play.js';
import { findTask, taskGraph } from '../src/tasks/index.js';
import { Rng } from '../src/util/random.js';

const runs = Number(process.argv[2] ?? 5);
const GAMES = Number(process.argv[3] ?? 8);
const SEARCH = { ...DEFAULT_GUMBEL, simulations: 8 };
/** RoeFlux_1d is scalar (bit-matrix engine); f and Encoder are tensor tasks on the alphagrad engine. */
const TASKS = ['RoeFlux_1d', 'f', 'Encoder'];
const EXPANSION_TASKS = ['f', 'Encoder', 'RoeFlux_3d'];

type Variant = 'per-leaf' | 'batched';
const VARIANTS: Variant[] = ['per-leaf', 'batched'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function withoutAdjacency(state: GameState): Observation {
  const { tokenInNeighbours: _dropped, ...rest } = observe(state);
  return rest;
}

interface Row {
  task: string;
  engine: string;
  variant: Variant;
  evaluations: number;
  networkCalls: number;
  evaluationsPerSecond: number;
  episodesPerSecond: number;
  /** Share of the episode spent inside the network's predict (packing included). */
  networkShare: number;
  cost: number;
  secondsPerRun: number[];
}

const rows: Row[] = [];
for (const name of TASKS) {
  const game = new EliminationGame(taskGraph(findTask(name)!, 'jaxpr'), 'alphagrad', name);
  const net = await createNetwork({
    ...defaultNetworkConfig('mlp', game.numVertices, game.numNodes),
    seed: 1,
  });
  let inNetwork = 0;
  let calls = 0;
  const predict = net.predict.bind(net);
  net.predict = (observations) => {
    const t = performance.now();
    const out = predict(observations);
    inNetwork += performance.now() - t;
    calls++;
    return out;
  };
  const samples = VARIANTS.map(() => ({
    seconds: [] as number[],
    share: [] as number[],
    evaluations: 0,
    calls: 0,
    cost: 0,
  }));
  // The variants alternate run by run, so both see the same load on a shared machine; run 0 warms up.
  for (let r = 0; r <= runs; r++) {
    VARIANTS.forEach((variant, k) => {
      const before = variant === 'per-leaf';
      const network = counting(networkEvaluator(net, 'r2d2', before ? withoutAdjacency : observe));
      const evaluate = before ? perLeafEvaluator(network.evaluate) : network.evaluate;
      inNetwork = 0;
      calls = 0;
      const t0 = performance.now();
      const played = selfPlay(
        Array.from({ length: GAMES }, () => game),
        cachingEvaluator(evaluate),
        SEARCH,
        new Rng(7),
      );
      const s = (performance.now() - t0) / 1000;
      if (r === 0) return;
      const out = samples[k];
      out.seconds.push(s);
      out.share.push(inNetwork / 1000 / s);
      out.evaluations = network.count();
      out.calls = calls;
      out.cost = played.reduce((t, p) => t + p.cost, 0) / played.length;
    });
  }
  VARIANTS.forEach((variant, k) => {
    const { seconds, share, evaluations, calls: networkCalls, cost } = samples[k];
    const mid = median(seconds);
    rows.push({
      task: name,
      engine: game.problem.engine,
      variant,
      evaluations,
      networkCalls,
      evaluationsPerSecond: evaluations / mid,
      episodesPerSecond: 1 / mid,
      networkShare: median(share),
      cost,
      secondsPerRun: seconds.map((x) => Number(x.toFixed(3))),
    });
    console.log(
      `${name} ${variant}: ${(evaluations / mid).toFixed(0)} evaluations/s, ${(1 / mid).toFixed(3)} episodes/s`,
    );
  });
  net.dispose();
}

interface ExpansionRow {
  task: string;
  slots: number;
  expansions: number;
  fullCopyMicroseconds: number;
  copyOnWriteMicroseconds: number;
}

/** µs per clone + eliminate from every position of one game (Markowitz-order prefix), each vertex legal there. */
function timeExpansions(engine: AlphagradEngine, order: readonly number[], copyOnWrite: boolean): number {
  const positions: AlphagradEngine[] = [];
  let state = engine.clone(false);
  for (const v of order) {
    positions.push(state);
    state = state.clone(false);
    state.eliminate(v);
  }
  let expansions = 0;
  const t0 = performance.now();
  positions.forEach((position, i) => {
    for (const v of order.slice(i)) {
      position.clone(copyOnWrite).eliminate(v);
      expansions++;
    }
  });
  return (1000 * (performance.now() - t0)) / expansions;
}

const expansionRows: ExpansionRow[] = [];
for (const name of EXPANSION_TASKS) {
  const game = new EliminationGame(taskGraph(findTask(name)!, 'jaxpr'), 'alphagrad', name);
  const engine = AlphagradEngine.fromGraph(game.problem.graph);
  const order = game.baselineOrders.markowitz;
  const times: [number[], number[]] = [[], []];
  for (let r = 0; r <= runs; r++) {
    const full = timeExpansions(engine, order, false);
    const cow = timeExpansions(engine, order, true);
    if (r === 0) continue;
    times[0].push(full);
    times[1].push(cow);
  }
  const n = order.length;
  expansionRows.push({
    task: name,
    slots: game.numNodes * game.numVertices,
    expansions: (n * (n + 1)) / 2,
    fullCopyMicroseconds: median(times[0]),
    copyOnWriteMicroseconds: median(times[1]),
  });
  console.log(`${name} expansion: ${median(times[0]).toFixed(1)} → ${median(times[1]).toFixed(1)} µs`);
}

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  node: process.version,
  loadAverageAtEnd: loadavg().map((x) => Number(x.toFixed(2))),
};
const json = {
  command: [
    'npm run bench:selfplay',
    ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : []),
  ].join(' '),
  games: GAMES,
  search: SEARCH,
  architecture: 'mlp',
  runs,
  machine,
  rows,
  expansions: expansionRows,
};
writeFileSync('results/selfplay.json', JSON.stringify(json, null, 2) + '\n');

const fmt = (x: number, d = 0) => x.toFixed(d);
const byTask = (task: string, variant: Variant) =>
  rows.find((r) => r.task === task && r.variant === variant)!;
const lines = [
  '# Self-play speed',
  '',
  `Generated by \`${json.command}\` (bench/selfplay.ts): one self-play episode = ${GAMES} games of one task`,
  `(alphagrad cost model) played in lockstep with Gumbel search (${SEARCH.simulations} simulations, ${SEARCH.maxConsidered} considered),`,
  `the default MLP network (seed 1), search seed 7; median of ${runs} timed runs after one warm-up run, the`,
  'two variants alternating run by run in one process.',
  '',
  '- **per-leaf**: one network call per search leaf; the network input builder reads the token adjacency',
  '  from the edge rows.',
  "- **batched**: one forward pass per simulation for all games' leaves; the observation ships the token",
  '  adjacency. (Both use the copy-on-write engine; its gain is in the second table.)',
  '',
  'Both play identical games (same orders, policies, costs; test/rl-selfplay-speed.test.ts also checks',
  'identical weights after two training episodes).',
  '',
  `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; load average at the end`,
  `${machine.loadAverageAtEnd.join(' / ')} (the machine is shared with other work, so absolute numbers are noisy).`,
  '',
  '| task | engine | variant | evaluations | network calls | evaluations/s | episodes/s | speed-up | time in network | mean cost |',
  '|---|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.task} | ${r.engine} | ${r.variant} | ${r.evaluations} | ${r.networkCalls} | ${fmt(r.evaluationsPerSecond)} | ${fmt(r.episodesPerSecond, 3)} | ${fmt(r.episodesPerSecond / byTask(r.task, 'per-leaf').episodesPerSecond, 2)}× | ${fmt(100 * r.networkShare)} % | ${fmt(r.cost, 1)} |`,
  ),
  '',
  '## One search expansion of the alphagrad engine',
  '',
  'Clone + eliminate from every position of the Markowitz order (each remaining vertex once), median µs per',
  'expansion: a full table copy (`clone(false)`) against copy-on-write rows. `clone(false)` copies row by',
  'row into one buffer, slower than the single-buffer copy of the engine before copy-on-write, so the',
  'ratio overstates the gain over that engine.',
  '',
  '| task | table slots | expansions | full copy µs | copy-on-write µs | speed-up |',
  '|---|---:|---:|---:|---:|---:|',
  ...expansionRows.map(
    (r) =>
      `| ${r.task} | ${r.slots} | ${r.expansions} | ${fmt(r.fullCopyMicroseconds, 1)} | ${fmt(r.copyOnWriteMicroseconds, 1)} | ${fmt(r.fullCopyMicroseconds / r.copyOnWriteMicroseconds, 1)}× |`,
  ),
  '',
];
writeFileSync('results/selfplay.md', lines.join('\n'));
