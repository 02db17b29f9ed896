import type { Graph, VertexId } from '../graph/graph.js';
import { Rng } from '../util/random.js';
import { compiledCost } from './cost.js';

export interface CompiledAnnealOptions {
  readonly timeLimitMs?: number;
  readonly seed?: number;
  /** Stop after this many evaluated orders (for reproducible runs; default unlimited). */
  readonly maxMoves?: number;
}

/**
 * Simulated annealing over orders with the compiled program's operation count (compiledCost.total) as the
 * objective, instead of a cost model's multiplications: what the generated code really executes after
 * folding. Every move (take one vertex, re-insert it elsewhere) rebuilds the program (1–20 ms on the paper
 * graphs), so this refines a good starting order rather than searching from scratch.
 */
export function annealCompiledOrder(
  graph: Graph,
  start: readonly VertexId[],
  options: CompiledAnnealOptions = {},
): { order: VertexId[]; total: number; moves: number } {
  const { timeLimitMs = 10_000, seed = 1, maxMoves = Infinity } = options;
  const cost = (order: readonly VertexId[]): number => compiledCost(graph, order).total;
  const rng = new Rng(seed);
  let order = [...start];
  let current = cost(order);
  let best = { order: [...order], total: current };
  if (order.length < 2) return { ...best, moves: 0 };
  const began = performance.now();
  // Geometric cooling from 1% of the starting cost down to a fraction of one operation.
  const hot = Math.max(1, 0.01 * current);
  const cold = 0.2;
  let moves = 0;
  while (moves < maxMoves) {
    const progress = Number.isFinite(maxMoves) ? moves / maxMoves : (performance.now() - began) / timeLimitMs;
    if (progress >= 1) break;
    const temperature = hot * (cold / hot) ** progress;
    const from = rng.int(0, order.length - 1);
    let to = rng.int(0, order.length - 2);
    if (to >= from) to++;
    const next = [...order];
    const [v] = next.splice(from, 1);
    next.splice(to, 0, v);
    const c = cost(next);
    moves++;
    if (c <= current || rng.float() < Math.exp((current - c) / temperature)) {
      order = next;
      current = c;
      if (c < best.total) best = { order: [...next], total: c };
    }
  }
  return { ...best, moves };
}
