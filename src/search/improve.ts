import { SparseScalarEngine } from '../elimination/sparse-engine.js';
import { localJacobians } from '../evaluate/linearize.js';
import type { VertexId } from '../graph/graph.js';
import { anneal } from './anneal.js';
import { orderCost, type SearchProblem } from './problem.js';
import { relinkOrders } from './relink.js';
import { MAX_EXACT_WINDOW, windowedSearch } from './windowed.js';

/** The improvement parts of the portfolio, each of which the ablation (bench/portfolio.ts) switches off. */
export interface ImproveParts {
  /** Rounds start from the elite orders in turn (else every round starts from the best order). */
  readonly restarts: boolean;
  /** Large-neighbourhood search: windows of the order solved exactly (scalar graphs only). */
  readonly lns: boolean;
  /** Path relinking between each round's result and the best other elite order. */
  readonly relink: boolean;
}

export const ALL_PARTS: ImproveParts = { restarts: true, lns: true, relink: true };

export interface Candidate {
  readonly order: readonly VertexId[];
  readonly multiplications: number;
  readonly source: string;
}

export interface ImproveOptions {
  readonly seed?: number;
  /**
   * Work budget in annealing moves (default unlimited): windows and relinking steps are charged in the
   * same unit (see WINDOW_CHARGE), so switching a part off gives its work to annealing.
   */
  readonly maxMoves?: number;
  /** Wall-clock budget (default unlimited; one of the two budgets must be finite). */
  readonly timeLimitMs?: number;
  readonly signal?: AbortSignal;
  readonly parts?: Partial<ImproveParts>;
  /** Annealing moves per round (default ROUND_MOVES). */
  readonly roundMoves?: number;
  /** Vertices per exact window (default LNS_WINDOW); a new best is polished with windows 2 wider. */
  readonly windowSize?: number;
  /** A proven lower bound: the search stops when it reaches it (the order is then optimal). */
  readonly lowerBound?: number;
  /** Called with every new best, and the part that found it. */
  readonly onImprove?: (multiplications: number, order: readonly VertexId[], source: string) => void;
}

export interface ImproveResult {
  readonly order: VertexId[];
  readonly multiplications: number;
  readonly source: string;
  readonly stats: {
    rounds: number;
    moves: number;
    windows: number;
    relinks: number;
    work: number;
    /** The work spent when the returned order was found. */
    workToBest: number;
  };
}

/**
 * Annealing moves per round at most: long enough to cool into a good basin from a start (on
 * RobotArm_6DOF, rounds of 20,000 moves stalled at 224–226 where 50,000 reached 222–224 at the same
 * budget). With a move budget, rounds are also at most a quarter of it, so there are restarts.
 */
export const ROUND_MOVES = 50_000;
/** Exact windows of 12 vertices: 4096 subsets each, about 25 ms on RobotArm_6DOF (14 takes 6× longer). */
export const LNS_WINDOW = 12;
/** Orders kept for restarts and relinking. */
export const ELITE_SIZE = 8;

/**
 * What an exact window of m vertices is charged in annealing moves: its m·2^m cost queries over 200,
 * about its time against an annealing move on the paper's scalar graphs (12 vertices: 246 moves).
 */
export const windowCharge = (m: number): number => Math.ceil((m * 2 ** m) / 200);

/**
 * Iterated search from an elite pool of starting orders: rounds of simulated annealing, each followed by
 * a large-neighbourhood descent with exact windows (on scalar graphs, where a window's cost is its own)
 * and path relinking towards another elite order, whose best intermediate order is descended again.
 * Deterministic for a seed and a move budget. Never returns worse than the best start.
 */
export function improveOrders(
  problem: SearchProblem,
  starts: readonly Candidate[],
  options: ImproveOptions = {},
): ImproveResult {
  const {
    seed = 1,
    maxMoves = Infinity,
    timeLimitMs = Infinity,
    signal,
    onImprove,
    lowerBound = -Infinity,
  } = options;
  if (!Number.isFinite(maxMoves) && !Number.isFinite(timeLimitMs))
    throw new RangeError('improveOrders needs a move budget or a time limit');
  if (starts.length === 0) throw new RangeError('improveOrders needs at least one starting order');
  const parts = { ...ALL_PARTS, ...options.parts };
  const roundMoves = options.roundMoves ?? Math.min(ROUND_MOVES, Math.max(1, Math.ceil(maxMoves / 4)));
  const n = problem.eliminable.length;
  const windowSize = Math.min(options.windowSize ?? LNS_WINDOW, n);
  const polishSize = Math.min(windowSize + 2, MAX_EXACT_WINDOW, n);
  const deadline = performance.now() + timeLimitMs;
  // Exact windows need a state after a set that does not depend on its order: the scalar engines.
  const lnsBase =
    parts.lns && (problem.engine === 'bitset' || problem.engine === 'sparse') && n > 1
      ? SparseScalarEngine.fromGraph(problem.graph, localJacobians(problem.graph, null))
      : null;

  const elite: Candidate[] = [];
  const keys = new Set<string>();
  let best: Candidate = starts[0];
  let work = 0;
  let workToBest = 0;
  const noteBest = (c: Candidate): void => {
    if (c.multiplications < best.multiplications) {
      best = { order: [...c.order], multiplications: c.multiplications, source: c.source };
      workToBest = work;
      onImprove?.(best.multiplications, best.order, best.source);
    }
  };
  const offer = (c: Candidate): void => {
    noteBest(c);
    const key = c.order.join(',');
    if (keys.has(key)) return;
    if (elite.length === ELITE_SIZE && c.multiplications >= elite[ELITE_SIZE - 1].multiplications) return;
    keys.add(key);
    elite.push({ order: [...c.order], multiplications: c.multiplications, source: c.source });
    elite.sort((a, b) => a.multiplications - b.multiplications);
    if (elite.length > ELITE_SIZE) keys.delete(elite.pop()!.order.join(','));
  };
  for (const s of starts) offer(s);

  let moves = 0;
  let windows = 0;
  let relinks = 0;
  let rounds = 0;
  const left = (): number => maxMoves - work;
  const stopped = (): boolean =>
    left() <= 0 ||
    best.multiplications <= lowerBound ||
    performance.now() > deadline ||
    signal?.aborted === true;

  /** The exact-window descent from an order, within the work left; the candidate itself when off. */
  const descend = (c: Candidate, source: string, size = windowSize): Candidate => {
    if (!lnsBase || stopped()) return c;
    const charge = windowCharge(size);
    const r = windowedSearch(lnsBase, c, {
      windowSize: size,
      exact: true,
      maxWindows: Number.isFinite(maxMoves) ? Math.floor(left() / charge) : Infinity,
      shouldStop: () => performance.now() > deadline || signal?.aborted === true,
    });
    windows += r.windows;
    work += r.windows * charge;
    if (r.multiplications >= c.multiplications) return c;
    // The adjacency engine counts the problem's model on these graphs; the recount keeps that honest.
    return { order: r.order, multiplications: orderCost(problem, r.order), source };
  };

  let improvedInRound = false;
  while (!stopped()) {
    const start = parts.restarts ? elite[rounds % elite.length] : best;
    const a = anneal(problem, {
      seed: seed * 7919 + rounds,
      maxMoves: Math.min(roundMoves, left()),
      timeLimitMs: Math.max(0, deadline - performance.now()),
      start: start.order,
      signal,
      // Streamed at once (the portfolio is anytime), but only round results join the elite.
      onImprove: (multiplications, order) => {
        if (multiplications < best.multiplications) improvedInRound = true;
        noteBest({ order, multiplications, source: 'anneal' });
      },
    });
    rounds++;
    moves += a.moves;
    work += Math.max(1, a.moves);
    // A round's best counts as found when the round ends (its moves are all spent on finding it).
    if (improvedInRound) workToBest = work;
    improvedInRound = false;
    const annealed: Candidate = { order: a.order, multiplications: a.multiplications, source: 'anneal' };
    offer(annealed);
    const descended = descend(annealed, 'lns');
    // A new best is worth a wider look: windows of 14 found RobotArm_6DOF's 221 where 12 stopped at 222.
    const improved = descended.multiplications < best.multiplications;
    offer(improved ? descend(descended, 'lns', polishSize) : descended);
    if (parts.relink && !stopped()) {
      const guide = elite.find((e) => e.order.join(',') !== descended.order.join(','));
      if (guide) {
        const r = relinkOrders(problem, descended.order, guide.order);
        relinks++;
        work += Math.ceil(r.eliminations / n);
        if (r.best) offer(descend({ ...r.best, source: 'relink' }, 'relink+lns'));
      }
    }
  }
  return {
    order: [...best.order],
    multiplications: best.multiplications,
    source: best.source,
    stats: { rounds, moves, windows, relinks, work, workToBest },
  };
}
