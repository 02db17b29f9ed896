import { countOrder } from '../elimination/count.js';
import { resolveOrder } from '../elimination/resolve.js';
import { eliminableVertices, isScalarGraph, type Graph, type VertexId } from '../graph/graph.js';
import { LARGE_GRAPH_VERTICES, largeGraphSearch } from '../search/large.js';
import { quickOptimize, type SearchWork } from '../search/portfolio.js';
import { compiledCost } from './cost.js';
import { KERNEL_MULTIPLICATIONS } from './kernel-program.js';

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

/** Graphs up to this many eliminable vertices get a whole-graph search (exact A*, annealing) in `auto`. */
export const AUTO_SEARCH_MAX_VERTICES = LARGE_GRAPH_VERTICES;

/** Graphs up to this many vertices have their `auto` candidates ranked by compiled operations. */
export const AUTO_RANKING_MAX_VERTICES = 2000;

/**
 * The work `auto` spends choosing an order, at effort 1: on graphs up to AUTO_SEARCH_MAX_VERTICES, exact
 * search keeping ≤ 50,000 states and annealing of ≤ 4·10^5 scalar eliminations (4·10^4 on tensor blocks),
 * about 0.3 s; on larger scalar graphs, Markowitz (both tie rules), forward and reverse, each
 * O((V + E) log V), then windowed search of the AUTO_WINDOWS costliest 16-vertex windows (192 annealing
 * moves each, about 2 ms a window). Work, not time: the same graph always gets the same order.
 */
export const AUTO_WORK: SearchWork = {
  exactStates: 50_000,
  eliminations: 400_000,
  blockEliminations: 40_000,
};
export const AUTO_WINDOWS = 100;

export interface AutoOrderOptions {
  /** Multiplies the work budget (default 1): 0 compares the baselines only. */
  readonly effort?: number;
}

/**
 * The order `jacobian(fn)` compiles by default, chosen within a fixed work budget (AUTO_WORK), so it never
 * hangs and is reproducible. Small graphs: a whole-graph search; larger scalar graphs: near-linear
 * heuristics and windowed search (search/large.ts). Then, up to AUTO_RANKING_MAX_VERTICES vertices,
 * whichever of the searched order, Markowitz, forward and reverse compiles to the fewest operations;
 * beyond, building four programs to compare would cost more than compiling one, so the native count ranks.
 */
export function autoOrder(graph: Graph, options: AutoOrderOptions = {}): VertexId[] {
  const effort = Math.max(0, options.effort ?? 1);
  const n = eliminableVertices(graph).length;
  let searched: VertexId[] | null = null;
  if (n <= AUTO_SEARCH_MAX_VERTICES) {
    const work = {
      exactStates: Math.round(AUTO_WORK.exactStates * effort),
      eliminations: Math.round(AUTO_WORK.eliminations * effort),
      blockEliminations: Math.round(AUTO_WORK.blockEliminations * effort),
    };
    searched = quickOptimize(graph, work).order;
  } else if (isScalarGraph(graph)) {
    searched = largeGraphSearch(graph, {
      heuristics: ['markowitz', 'markowitz-reverse'],
      maxWindows: Math.round(AUTO_WINDOWS * effort),
    }).order;
  }
  if (!isScalarGraph(graph)) {
    // A tensor program this large runs on the block kernels (compile/kernel-program.ts), which perform
    // exactly the native count's products: that count ranks, and no program is built just to be compared.
    const candidates = [
      ...(searched ? [searched] : []),
      ...(['markowitz', 'forward', 'reverse'] as const).map((spec) => resolveOrder(graph, spec)),
    ];
    const costs = candidates.map((order) => countOrder(graph, order).multiplications);
    if (Math.min(...costs) > KERNEL_MULTIPLICATIONS) return candidates[costs.indexOf(Math.min(...costs))];
  }
  if (graph.vertices.length <= AUTO_RANKING_MAX_VERTICES)
    return [...cheapestCompiledOrder(graph, searched ? [{ source: 'searched', order: searched }] : []).order];
  // largeGraphSearch already kept the cheapest of its baselines by the native count.
  if (searched) return searched;
  const candidates = (['markowitz', 'forward', 'reverse'] as const).map((spec) => resolveOrder(graph, spec));
  const costs = candidates.map((order) => countOrder(graph, order).multiplications);
  return candidates[costs.indexOf(Math.min(...costs))];
}
