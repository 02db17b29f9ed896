import type { VertexId } from '../graph/graph.js';
import { Rng } from '../util/random.js';
import type { CostState, Game } from './problem.js';

export interface AnnealOptions {
  readonly seed?: number;
  readonly timeLimitMs?: number;
  /** Stop after this many proposed moves (for reproducible runs; default unlimited). */
  readonly maxMoves?: number;
  /**
   * Stop after this many vertex eliminations in all (a reproducible work budget that, unlike moves, does
   * not grow with the graph: a move re-eliminates a suffix of the order; default unlimited).
   */
  readonly maxEliminations?: number;
  /** Starting order (default: the problem's eliminable vertices ascending). */
  readonly start?: readonly VertexId[];
  /** Initial temperature as a fraction of the starting cost (default 0.02). */
  readonly initialTemperature?: number;
  /** Called with every new best (cost, order). */
  readonly onImprove?: (multiplications: number, order: readonly VertexId[]) => void;
  /** Aborting stops the search with its best order (checked with the clock, every 64 moves). */
  readonly signal?: AbortSignal;
}

/**
 * Simulated annealing over orders with incremental re-costing. A move takes one vertex and re-inserts it
 * elsewhere; the order's prefix up to the first changed position is unchanged, so its cost is restored
 * from a checkpoint (a copy of the engine state every `stride` positions) and only the suffix is
 * re-eliminated. Temperature decays geometrically over the time budget, with reheats to the best order
 * when no improvement is seen for a while (iterated local search).
 */
export function anneal(
  problem: Game,
  options: AnnealOptions = {},
): { order: VertexId[]; multiplications: number; moves: number; eliminations: number } {
  const {
    seed = 1,
    timeLimitMs = 1000,
    maxMoves = Infinity,
    maxEliminations = Infinity,
    initialTemperature = 0.02,
    onImprove,
  } = options;
  const rng = new Rng(seed);
  const n = problem.eliminable.length;
  const order = options.start ? [...options.start] : [...problem.eliminable];
  if (n < 2) {
    const s = problem.initial();
    return {
      order,
      multiplications: order.reduce((t, v) => t + s.eliminate(v), 0),
      moves: 0,
      eliminations: n,
    };
  }
  const stride = Math.max(1, Math.round(Math.sqrt(n) / 2));
  // checkpoints[k] = state after eliminating order[0 .. k*stride); prefix[k] = its cost.
  const numCheckpoints = Math.floor((n - 1) / stride) + 1;
  const checkpoints: CostState[] = new Array(numCheckpoints);
  const prefix = new Float64Array(numCheckpoints);
  let eliminations = 0;

  /** Cost of `order` re-evaluated from checkpoint `k`; refreshes checkpoints after k when `commit`. */
  const evaluateFrom = (k: number, commit: boolean): number => {
    const state = checkpoints[k].clone();
    let cost = prefix[k];
    for (let i = k * stride; i < n; i++) {
      if (commit && i % stride === 0 && i / stride > k) {
        checkpoints[i / stride] = state.clone();
        prefix[i / stride] = cost;
      }
      cost += state.eliminate(order[i]);
      eliminations++;
    }
    return cost;
  };
  checkpoints[0] = problem.initial();
  prefix[0] = 0;
  let current = evaluateFrom(0, true);
  let best = current;
  let bestOrder = [...order];
  onImprove?.(best, bestOrder);

  const start = performance.now();
  let temperature = Math.max(1e-9, initialTemperature * current);
  const finalTemperature = 0.5;
  let moves = 0;
  let sinceBest = 0;
  const firstEliminations = eliminations;
  while (moves < maxMoves && eliminations - firstEliminations < maxEliminations) {
    if ((moves & 63) === 0) {
      const elapsed = performance.now() - start;
      if (elapsed > timeLimitMs || options.signal?.aborted) break;
      // Geometric cooling over the budget (over maxMoves or maxEliminations when one of them is the limit).
      const progress = Number.isFinite(maxMoves)
        ? moves / maxMoves
        : Number.isFinite(maxEliminations)
          ? (eliminations - firstEliminations) / maxEliminations
          : elapsed / timeLimitMs;
      temperature = Math.max(
        1e-9,
        initialTemperature * best * (finalTemperature / (initialTemperature * best)) ** progress,
      );
    }
    moves++;
    const from = rng.int(0, n - 1);
    // Mostly short moves, sometimes long ones.
    const span = rng.float() < 0.8 ? Math.min(n - 1, 1 + rng.int(0, 7)) : n - 1;
    const to = Math.min(n - 1, Math.max(0, from + rng.int(-span, span)));
    if (to === from) continue;
    const v = order[from];
    order.splice(from, 1);
    order.splice(to, 0, v);
    const k = Math.floor(Math.min(from, to) / stride);
    const cost = evaluateFrom(k, false);
    const delta = cost - current;
    if (delta <= 0 || rng.float() < Math.exp(-delta / temperature)) {
      current = cost;
      evaluateFrom(k, true);
      if (current < best) {
        best = current;
        bestOrder = [...order];
        sinceBest = 0;
        onImprove?.(best, bestOrder);
        continue;
      }
    } else {
      order.splice(to, 1);
      order.splice(from, 0, v);
    }
    // Reheat from the best order after a long plateau.
    if (++sinceBest > 20_000 + 200 * n) {
      sinceBest = 0;
      order.splice(0, n, ...bestOrder);
      current = evaluateFrom(0, true);
    }
  }
  return { order: bestOrder, multiplications: best, moves, eliminations };
}
