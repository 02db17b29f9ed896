import { countOrder } from '../elimination/count.js';
import { resolveOrder } from '../elimination/resolve.js';
import { quickOptimize } from '../search/portfolio.js';
import type { Graph, VertexId } from '../graph/graph.js';
import { compiledCost } from './cost.js';

export interface OrderCandidate {
  /** Where the order comes from (searched, markowitz, forward, reverse, published:…). */
  readonly source: string;
  readonly order: readonly VertexId[];
}

export interface OrderChoice extends OrderCandidate {
  /** compiledCost(...).total of every candidate, in the order given. */
  readonly candidates: readonly { readonly source: string; readonly total: number }[];
}

/**
 * The candidate whose compiled program performs the fewest operations per point (compiledCost: all
 * multiplications + additions + math calls + stores, after folding). The cost model's count is not enough:
 * folding removes the ±1 products that make forward and reverse expensive in the model, so a searched order
 * can compile to more work than one of them. Forward, reverse and Markowitz are always candidates; ties keep
 * the earlier candidate.
 */
export function cheapestCompiledOrder(graph: Graph, candidates: readonly OrderCandidate[]): OrderChoice {
  const all = [
    ...candidates,
    ...(['markowitz', 'forward', 'reverse'] as const)
      .filter((spec) => !candidates.some((c) => c.source === spec))
      .map((spec) => ({ source: spec, order: resolveOrder(graph, spec) })),
  ];
  const scored = all.map((c) => ({ ...c, total: compiledCost(graph, c.order).total }));
  const best = scored.reduce((a, b) => (b.total < a.total ? b : a));
  return {
    source: best.source,
    order: best.order,
    candidates: scored.map(({ source, total }) => ({ source, total })),
  };
}

/** Graphs up to this many vertices get a short search in `auto` and are ranked by compiled operations. */
export const AUTO_SEARCH_MAX_VERTICES = 2000;

/**
 * The order `jacobian(fn)` compiles by default. Small graphs: a short search, then whichever of the searched
 * order, Markowitz, forward and reverse compiles to the fewest operations. Large graphs: the cheapest of
 * Markowitz, forward and reverse by the native count (building four programs to compare would cost more
 * than compiling one), so the choice stays near-linear in the graph's size.
 */
export function autoOrder(graph: Graph, options: { readonly budgetSeconds?: number } = {}): VertexId[] {
  if (graph.vertices.length <= AUTO_SEARCH_MAX_VERTICES) {
    const searched = quickOptimize(graph, (options.budgetSeconds ?? 0.5) * 1000).order;
    return [...cheapestCompiledOrder(graph, [{ source: 'searched', order: searched }]).order];
  }
  const candidates = (['markowitz', 'forward', 'reverse'] as const).map((spec) => resolveOrder(graph, spec));
  const costs = candidates.map((order) => countOrder(graph, order).multiplications);
  return candidates[costs.indexOf(Math.min(...costs))];
}
