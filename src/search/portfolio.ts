import type { Worker } from 'node:worker_threads';
import { cpus } from 'node:os';

import { COST_MODELS, type CostModelName } from '../elimination/cost-model.js';
import {
  chainedHeuristicOrder,
  greedyHeuristicOrder,
  HEURISTIC_CHAINS,
  HEURISTICS,
} from '../elimination/heuristics.js';
import { validateOrder } from '../elimination/order.js';
import { SparseScalarEngine } from '../elimination/sparse-engine.js';
import { localJacobians } from '../evaluate/linearize.js';
import type { Graph, VertexId } from '../graph/graph.js';
import { graphToJson } from '../graph/serialize.js';
import { checkChoice, checkFunction, checkNumber, checkSignal } from '../util/options.js';
import { Rng } from '../util/random.js';
import { startModuleWorker } from '../util/worker.js';
import { anneal } from './anneal.js';
import { improveOrders, type Candidate } from './improve.js';
import { canSolveExactly, exactSearch } from './exact.js';
import { independentComponents } from './reductions.js';
import { greedyOrder } from './greedy.js';
import { isLargeSearchGraph, largeGraphSearch } from './large.js';
import { milpOptimize } from './milp.js';
import { vertexLowerBounds } from './lower-bound.js';
import { orderCost, searchProblem, type SearchProblem } from './problem.js';
import type { Certificate, SearchResult } from './result.js';
import type { WorkerMessage, WorkerTask } from './search-worker.js';
import { WINDOW_MOVES } from './windowed.js';
import { OptionError } from '../graph/errors.js';

export type OptimizeMethod = 'auto' | 'exact' | 'anneal' | 'greedy' | 'milp';
export const OPTIMIZE_METHODS: readonly OptimizeMethod[] = ['auto', 'exact', 'anneal', 'greedy', 'milp'];

export interface OptimizeOptions {
  readonly method?: OptimizeMethod;
  readonly costModel?: CostModelName;
  /**
   * Wall-clock budget in seconds: default 5, or unlimited when a work limit (maxMoves, maxStates) is given,
   * so that the limit, not machine load, decides where the search stops.
   */
  readonly budgetSeconds?: number;
  /**
   * Annealing moves (proposed re-insertions) at most: with a seed, a reproducible run on any machine and
   * under any load. `auto` then searches on this thread (exact, then the improvement loop, whose exact
   * windows and relinking are charged in moves: improve.ts), without workers. On
   * graphs that take the large-graph path, every 192 moves buy one window re-optimisation.
   */
  readonly maxMoves?: number;
  /** Exact-search states kept at most (`exact`, and `auto` with a work limit; default 4 million). */
  readonly maxStates?: number;
  readonly seed?: number;
  /**
   * Orders to start from besides the built-in ones (published or learned orders, a previous run's):
   * each must list every eliminable vertex once (checked before any work).
   */
  readonly starts?: readonly (readonly VertexId[])[];
  /** Worker threads for the portfolio (default: one per core, at most 2 anneal/exact workers each). */
  readonly threads?: number;
  /** Called on every improvement of the order or of the lower bound: for progress display. */
  readonly onProgress?: (event: ProgressEvent) => void;
  /**
   * Aborting ends the search early with the best order so far (`interrupted: true`). Honoured at once
   * while the portfolio's workers run, and between steps of the single-thread searches (which cannot
   * see an abort from a timer while they hold the thread; a caller's onProgress can abort them).
   */
  readonly signal?: AbortSignal;
}

export interface ProgressEvent {
  /** The best count so far, and its order (a copy the callee may keep). */
  readonly multiplications: number;
  readonly order: readonly VertexId[];
  /** The best proven lower bound so far (0 until one is known). */
  readonly lowerBound: number;
  /** Which strategy found the order. */
  readonly source: string;
  readonly seconds: number;
}

/** Options' types and ranges, checked before any work (a typo must not silently change the search). */
export function checkOptimizeOptions(options: OptimizeOptions): void {
  if (typeof options !== 'object' || options === null)
    throw new OptionError(`optimizeOrder options must be an object, got ${String(options)}`);
  checkChoice(options.method, OPTIMIZE_METHODS, 'method');
  checkChoice(options.costModel, COST_MODELS, 'cost model');
  checkNumber(options.budgetSeconds, 'budgetSeconds', { min: 0 });
  checkNumber(options.maxMoves, 'maxMoves', { min: 0, integer: true });
  checkNumber(options.maxStates, 'maxStates', { min: 1, integer: true });
  checkNumber(options.seed, 'seed', { integer: true });
  checkNumber(options.threads, 'threads', { min: 1, integer: true });
  checkFunction(options.onProgress, 'onProgress');
  checkSignal(options.signal);
  if (options.starts !== undefined && !Array.isArray(options.starts))
    throw new OptionError('starts must be an array of orders');
}

export interface OptimizeResult extends SearchResult {
  readonly costModel: CostModelName;
  readonly budgetSeconds: number;
  /** Which strategy found the returned order. */
  readonly foundBy: string;
  /** Costs of the baseline orders the search ran, by name (forward, reverse, markowitz, …), where it kept them. */
  readonly baselines?: Readonly<Record<string, number>>;
  /** True when options.signal ended the search before its budget: the order is the best found by then. */
  readonly interrupted: boolean;
}

/** Which starting orders the portfolio seeds its search with (the ablation switches them off). */
export interface SeedParts {
  /** The heuristic catalogue: markowitz-reverse, VLR, fill-in, … and their tie-break chains. */
  readonly catalogue: boolean;
}

/**
 * The quick deterministic baselines every method starts from: forward, reverse, the greedy rules, the
 * heuristic catalogue with its tie-break chains, and randomised greedy orders; then the given starts.
 */
export function portfolioStarts(
  problem: SearchProblem,
  seed: number,
  starts: readonly (readonly VertexId[])[] = [],
  parts: SeedParts = { catalogue: true },
): Candidate[] {
  const forward = [...problem.eliminable];
  const reverse = [...problem.eliminable].reverse();
  const out: Candidate[] = [
    { order: forward, multiplications: orderCost(problem, forward), source: 'forward' },
    { order: reverse, multiplications: orderCost(problem, reverse), source: 'reverse' },
    { ...greedyOrder(problem, { score: 'markowitz' }), source: 'markowitz' },
    { ...greedyOrder(problem, { score: 'cost' }), source: 'greedy-cost' },
  ];
  // The catalogue (near-linear, on the scalarised adjacency), each order counted under the problem's
  // model; on tensor graphs its scores are only a guide, but the orders are valid starts all the same.
  if (parts.catalogue) {
    const base = SparseScalarEngine.fromGraph(problem.graph, localJacobians(problem.graph, null));
    for (const name of HEURISTICS) {
      const { order } = greedyHeuristicOrder(problem.graph, name, base.clone());
      out.push({ order, multiplications: orderCost(problem, order), source: name });
    }
    for (const chain of HEURISTIC_CHAINS) {
      const { order } = chainedHeuristicOrder(problem.graph, chain, base.clone());
      out.push({ order, multiplications: orderCost(problem, order), source: chain.name });
    }
  }
  const rng = new Rng(seed);
  for (let i = 0; i < 8; i++)
    out.push({
      ...greedyOrder(problem, { score: i % 2 ? 'cost' : 'markowitz', rng, slack: 1 + 0.25 * (i >> 1) }),
      source: 'randomised-markowitz',
    });
  starts.forEach((order, k) => {
    const valid = validateOrder(problem.graph, order);
    out.push({ order: valid, multiplications: orderCost(problem, valid), source: `start ${k + 1}` });
  });
  // Cheapest first (stable), so the first is the best and equal costs keep their listed precedence.
  return out.sort((a, b) => a.multiplications - b.multiplications);
}

/** Starting orders handed to each worker (the cheapest ones). */
const ELITE_STARTS = 8;

/** States exact search keeps under `auto` with a move limit but no state limit. */
export const AUTO_EXACT_STATES = 200_000;

/**
 * quickOptimize (jacobian's default order) tries exact search only on groups this small: there its
 * fixed state budget usually proves the optimum, and wider groups spend it better on annealing.
 */
export const QUICK_EXACT_VERTICES = 52;

const staticLowerBound = (problem: SearchProblem): number =>
  [...vertexLowerBounds(problem).values()].reduce((s, x) => s + x, 0);

/** Starts a search worker (a .js module in the build, .ts from source). */
function startWorker(task: WorkerTask): Worker {
  return startModuleWorker(import.meta.url, 'search-worker', task);
}

/**
 * Finds a cheap elimination order within a time budget and says how good it is: `optimal` when proven,
 * else the best proven lower bound. `auto` runs a portfolio: baselines on the main thread, then exact
 * A* (when the graph allows it) and simulated annealing in worker threads, keeping the best order seen.
 * Scalar graphs of more than LARGE_GRAPH_VERTICES vertices take the scalable path instead (large.ts):
 * near-linear heuristics and windowed local search on one thread, within the budget at any size.
 */
export async function optimizeOrder(graph: Graph, options: OptimizeOptions = {}): Promise<OptimizeResult> {
  checkOptimizeOptions(options);
  const {
    method = 'auto',
    costModel = 'native',
    seed = 1,
    onProgress,
    maxMoves,
    maxStates,
    signal,
  } = options;
  const aborted = (): boolean => signal?.aborted === true;
  // Integer programming (milp.ts) is a separate route: HiGHS, loaded only when asked for.
  if (method === 'milp') return milpOptimize(graph, options);
  const byWork = maxMoves !== undefined || maxStates !== undefined;
  const budgetSeconds = options.budgetSeconds ?? (byWork ? Infinity : 5);
  const start = performance.now();
  const seconds = (): number => (performance.now() - start) / 1000;
  if (method !== 'exact' && isLargeSearchGraph(graph, costModel)) {
    const r = largeGraphSearch(graph, {
      seed,
      deadline: start + budgetSeconds * 1000,
      ...(method === 'greedy'
        ? { maxWindows: 0 }
        : maxMoves !== undefined
          ? { maxWindows: Math.ceil(maxMoves / WINDOW_MOVES) }
          : {}),
      signal,
      onImprove: (multiplications, order, source) =>
        onProgress?.({ multiplications, order: [...order], lowerBound: 0, source, seconds: seconds() }),
    });
    return {
      order: r.order,
      multiplications: r.multiplications,
      certificate: r.lowerBound >= r.multiplications ? 'optimal' : { lowerBound: r.lowerBound },
      seconds: seconds(),
      method,
      costModel,
      budgetSeconds,
      foundBy: r.foundBy,
      baselines: r.baselines,
      stats: { path: 'large', ...r.stats },
      interrupted: aborted(),
    };
  }
  const problem = searchProblem(graph, costModel);
  let best = { order: [] as VertexId[], multiplications: Infinity, source: '' };
  let lowerBound = 0;
  const report = (): void =>
    onProgress?.({
      multiplications: best.multiplications,
      order: [...best.order],
      lowerBound: Math.min(lowerBound, best.multiplications),
      source: best.source,
      seconds: seconds(),
    });
  const offer = (c: { order: readonly VertexId[]; multiplications: number; source: string }): void => {
    if (c.multiplications < best.multiplications) {
      best = { order: [...c.order], multiplications: c.multiplications, source: c.source };
      report();
    }
  };
  const raiseBound = (bound: number): void => {
    if (bound > lowerBound) {
      lowerBound = bound;
      report();
    }
  };
  const starts = portfolioStarts(problem, seed, options.starts);
  for (const b of starts) offer(b);
  raiseBound(staticLowerBound(problem));
  let optimal = lowerBound >= best.multiplications;
  const canProve = canSolveExactly(problem);
  const budgetMs = Math.max(0, budgetSeconds * 1000 - (performance.now() - start));
  let stats: Record<string, number | string> = {};

  const remainingMs = (): number => Math.max(0, budgetSeconds * 1000 - (performance.now() - start));
  // One exact run and one annealing run, shared by `exact`, `anneal` and `auto` under a work budget.
  const runExact = (): void => {
    // exactSearch explains (RangeError) when the graph is too large or the model order-dependent.
    const r = exactSearch(problem, {
      timeLimitMs: remainingMs(),
      incumbent: best,
      signal,
      // A work budget without a state limit still needs one: the search has no width cap.
      maxStates: maxStates ?? (byWork ? AUTO_EXACT_STATES : undefined),
    });
    if (r.order && r.multiplications !== null)
      offer({ order: r.order, multiplications: r.multiplications, source: 'exact' });
    optimal = r.certificate === 'optimal';
    if (!optimal) raiseBound((r.certificate as { lowerBound: number }).lowerBound);
    stats = { ...stats, ...r.stats };
  };
  const runAnneal = (): void => {
    const r = anneal(problem, {
      seed,
      timeLimitMs: remainingMs(),
      maxMoves,
      start: best.order,
      signal,
      onImprove: (m, o) => offer({ order: o, multiplications: m, source: 'anneal' }),
    });
    stats = { ...stats, moves: r.moves, eliminations: r.eliminations };
  };
  // The portfolio's improvement loop (improve.ts): restarts, exact-window LNS, path relinking.
  const runImprove = (): void => {
    const r = improveOrders(problem, [best, ...starts], {
      seed,
      maxMoves,
      timeLimitMs: remainingMs(),
      signal,
      lowerBound,
      onImprove: (m, o, source) => offer({ order: o, multiplications: m, source }),
    });
    stats = { ...stats, ...r.stats };
  };

  const searching = !optimal && !aborted();
  if (searching && method === 'exact') runExact();
  else if (searching && method === 'anneal') runAnneal();
  else if (searching && method === 'auto' && byWork) {
    // A work budget: the portfolio's strategies in turn on this thread, so the result is reproducible.
    if (canProve) runExact();
    if (!optimal && !aborted() && maxMoves !== undefined) runImprove();
  } else if (searching && method === 'auto' && budgetMs > 0) {
    const threads = Math.max(1, options.threads ?? Math.min(2, cpus().length));
    const strategies: WorkerTask['strategy'][] = canProve
      ? ['exact', ...Array<'improve'>(threads - 1).fill('improve')]
      : Array<'improve'>(threads).fill('improve');
    if (canProve && threads === 1) strategies.push('improve');
    const elite = starts.slice(0, ELITE_STARTS).map((c) => ({ ...c, order: [...c.order] }));
    const outcome = await runWorkers(problem, strategies, seed, budgetMs, elite, offer, lowerBound, signal);
    // Proven only if the order that reaches the proven cost actually arrived here.
    if (outcome.optimal && best.multiplications <= outcome.lowerBound) optimal = true;
    raiseBound(outcome.lowerBound);
    stats = outcome.stats;
  }
  if (!optimal && lowerBound >= best.multiplications) optimal = true;
  const certificate: Certificate = optimal
    ? 'optimal'
    : { lowerBound: Math.min(lowerBound, best.multiplications) };
  return {
    order: best.order,
    multiplications: best.multiplications,
    certificate,
    seconds: seconds(),
    method,
    costModel,
    budgetSeconds,
    foundBy: best.source,
    stats,
    interrupted: aborted(),
  };
}

interface WorkerOutcome {
  optimal: boolean;
  lowerBound: number;
  stats: Record<string, number | string>;
}

/** Runs one worker per strategy until the budget ends or the exact worker proves optimality. */
function runWorkers(
  problem: SearchProblem,
  strategies: readonly WorkerTask['strategy'][],
  seed: number,
  budgetMs: number,
  starts: readonly Candidate[],
  offer: (c: { order: readonly VertexId[]; multiplications: number; source: string }) => void,
  staticBound: number,
  signal: AbortSignal | undefined,
): Promise<WorkerOutcome> {
  const graph = graphToJson(problem.graph);
  const outcome: WorkerOutcome = { optimal: false, lowerBound: 0, stats: {} };
  const shared = new SharedArrayBuffer(8);
  const incumbent = { order: [...starts[0].order], multiplications: starts[0].multiplications };
  new Float64Array(shared)[0] = incumbent.multiplications;
  return new Promise((resolve, reject) => {
    const workers: Worker[] = [];
    let open = strategies.length;
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      for (const w of workers) void w.terminate();
      resolve(outcome);
    };
    // A little slack past the budget for the workers' own final messages.
    const timer = setTimeout(finish, budgetMs + 250);
    // Every improvement is already here (offer): an abort only has to stop waiting.
    signal?.addEventListener('abort', finish);
    strategies.forEach((strategy, k) => {
      const task: WorkerTask = {
        graph,
        costModel: problem.costModel,
        strategy,
        seed: seed + 1000 * k,
        timeLimitMs: budgetMs,
        incumbent,
        starts,
        lowerBound: staticBound,
        shared,
      };
      const w = startWorker(task);
      workers.push(w);
      w.on('message', (m: WorkerMessage) => {
        if (m.kind === 'improve') {
          offer({ order: m.order, multiplications: m.multiplications, source: m.source ?? strategy });
          // An order that meets the proven lower bound is optimal: no need to search on.
          if (m.multiplications <= staticBound) {
            outcome.lowerBound = Math.max(outcome.lowerBound, staticBound);
            outcome.optimal = true;
            finish();
          }
        } else if (m.kind === 'bound') {
          outcome.lowerBound = Math.max(outcome.lowerBound, m.lowerBound);
          outcome.stats = { ...outcome.stats, ...m.stats };
          if (m.optimal) {
            outcome.optimal = true;
            // The order that reached the proven cost may still be in another worker's message queue.
            setTimeout(finish, 300);
          }
        } else if (m.kind === 'failed') {
          settled = true;
          clearTimeout(timer);
          for (const x of workers) void x.terminate();
          reject(new Error(`search worker failed: ${m.message}`));
        }
      });
      w.on('error', (err) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          for (const x of workers) void x.terminate();
          reject(err);
        }
      });
      w.on('exit', () => {
        if (--open === 0) finish();
      });
    });
  });
}

/** A reproducible search budget in units of work, not seconds: the same graph always gets the same order. */
export interface SearchWork {
  /** States exact search may keep (it stops with its best order and a bound beyond). */
  readonly exactStates: number;
  /** Vertex eliminations annealing may perform, on the bit-matrix or adjacency engine. */
  readonly eliminations: number;
  /** The same on the block engines (tensor graphs), whose eliminations cost about ten times more. */
  readonly blockEliminations: number;
}

/**
 * A synchronous, single-threaded search for library calls that cannot wait on workers (jacobian's
 * `order: 'auto'`): baselines, exact search when the graph allows it, then annealing, native model.
 * The budget is milliseconds of wall clock, or a SearchWork for a result that does not depend on the
 * machine or its load.
 */
export function quickOptimize(
  graph: Graph,
  budget: number | SearchWork,
  seed = 1,
): { order: VertexId[]; multiplications: number } {
  const start = performance.now();
  const work = typeof budget === 'number' ? null : budget;
  const budgetMs = typeof budget === 'number' ? budget : Infinity;
  const problem = searchProblem(graph, 'native');
  let best = { order: [] as VertexId[], multiplications: Infinity };
  for (const b of portfolioStarts(problem, seed))
    if (b.multiplications < best.multiplications)
      best = { order: [...b.order], multiplications: b.multiplications };
  const widest = Math.max(0, ...independentComponents(problem).map((c) => c.length));
  if (canSolveExactly(problem) && widest <= QUICK_EXACT_VERTICES) {
    const r = exactSearch(problem, {
      timeLimitMs: budgetMs / 2,
      incumbent: best,
      ...(work ? { maxStates: work.exactStates } : {}),
    });
    if (r.order && r.multiplications !== null && r.multiplications <= best.multiplications)
      best = { order: r.order, multiplications: r.multiplications };
    if (r.certificate === 'optimal') return best;
  }
  const left = budgetMs - (performance.now() - start);
  if (left > 0 && problem.eliminable.length > 1) {
    const scalarEngine = problem.engine === 'bitset' || problem.engine === 'sparse';
    const r = anneal(problem, {
      seed,
      timeLimitMs: left,
      start: best.order,
      ...(work ? { maxEliminations: scalarEngine ? work.eliminations : work.blockEliminations } : {}),
    });
    if (r.multiplications < best.multiplications) best = r;
  }
  return { order: best.order, multiplications: best.multiplications };
}
