import type { CostModelName } from '../elimination/cost-model.js';
import { greedyHeuristicOrder, HEURISTICS, type HeuristicName } from '../elimination/heuristics.js';
import { SparseScalarEngine } from '../elimination/sparse-engine.js';
import { localJacobians, type LocalEdge } from '../evaluate/linearize.js';
import {
  eliminableVertices,
  isScalarGraph,
  outputVertexIds,
  type Graph,
  type VertexId,
} from '../graph/graph.js';
import { orderCost } from './problem.js';
import { windowedSearch } from './windowed.js';

/**
 * Above this many eliminable vertices a scalar graph is searched by the scalable path: heuristics in
 * near-linear time and windowed local search on the adjacency-map engine, instead of the bit-matrix
 * engine, exact search and whole-order annealing, whose state and moves grow with V² (at 2000 vertices
 * an annealing move costs ~24 ms and the portfolio's set-up alone overran a 2 s budget 7×). The paper's
 * graphs (≤ 400 vertices) stay on the whole-graph portfolio.
 */
export const LARGE_GRAPH_VERTICES = 500;

/** Whether a graph takes the scalable search path under a cost model. */
export function isLargeSearchGraph(graph: Graph, costModel: CostModelName): boolean {
  if (graph.vertices.length <= LARGE_GRAPH_VERTICES || !isScalarGraph(graph)) return false;
  if (eliminableVertices(graph).length <= LARGE_GRAPH_VERTICES) return false;
  // The adjacency engine's costs are the alphagrad model's too on scalar graphs without copy edges.
  return (
    costModel === 'native' ||
    !localJacobians(graph, null).some((edges) => edges.some((e) => e.block.structural))
  );
}

export interface LargeSearchOptions {
  readonly seed?: number;
  /** performance.now() time by which to return; heuristics that would overrun it are skipped. */
  readonly deadline?: number;
  /** Deterministic work budget: heuristics to run (default all) and windows to re-optimise. */
  readonly heuristics?: readonly HeuristicName[];
  readonly maxWindows?: number;
  readonly onImprove?: (multiplications: number, order: readonly VertexId[], source: string) => void;
  /** Aborting ends the search like the deadline (heuristics still to run are skipped, except the first). */
  readonly signal?: AbortSignal;
}

export interface LargeSearchResult {
  readonly order: VertexId[];
  readonly multiplications: number;
  readonly foundBy: string;
  /** Σ over vertices of |valued input preds|·|valued pure-output succs|: never lost, so always paid. */
  readonly lowerBound: number;
  /** Cost of every order that ran (forward, reverse, each heuristic), by name. */
  readonly baselines: Readonly<Record<string, number>>;
  readonly stats: Record<string, number | string>;
}

/**
 * The scalable search: forward, reverse and every heuristic (cheapest first, each skipped when the time it
 * is expected to take would pass the deadline; Markowitz always runs), then windowed local search from
 * the best of them until the deadline or the window budget. Never worse than the heuristics it ran.
 */
export function largeGraphSearch(graph: Graph, options: LargeSearchOptions = {}): LargeSearchResult {
  const { seed = 1, deadline = Infinity, maxWindows = Infinity, onImprove } = options;
  const names = options.heuristics ?? HEURISTICS;
  const now = (): number => performance.now();
  // An abort reads as a passed deadline.
  const pastDeadline = (at: number): boolean => options.signal?.aborted === true || at > deadline;
  const local = localJacobians(graph, null);
  const base = SparseScalarEngine.fromGraph(graph, local);
  const forward = eliminableVertices(graph);
  let best = { order: forward, multiplications: Infinity, source: '' };
  const offer = (source: string, order: VertexId[], multiplications: number): void => {
    if (multiplications < best.multiplications) {
      best = { order, multiplications, source };
      onImprove?.(multiplications, order, source);
    }
  };
  const count = (order: readonly VertexId[]): number =>
    orderCost({ eliminable: forward, initial: () => base.clone() }, order);
  // Markowitz first (always), then orders by expected time; fill-in scans two hops and is the slowest.
  const plan: {
    source: string;
    slowdown: number;
    run: () => { order: VertexId[]; multiplications: number };
  }[] = [
    ...(['markowitz', 'markowitz-reverse'] as const)
      .filter((h) => names.includes(h))
      .map((h) => ({ source: h, slowdown: 1, run: () => greedyHeuristicOrder(graph, h, base.clone()) })),
    { source: 'forward', slowdown: 1, run: () => ({ order: forward, multiplications: count(forward) }) },
    {
      source: 'reverse',
      slowdown: 1,
      run: () => {
        const reverse = [...forward].reverse();
        return { order: reverse, multiplications: count(reverse) };
      },
    },
    ...(['cost', 'vlr', 'fill-in'] as const)
      .filter((h) => names.includes(h))
      .map((h) => ({
        source: h,
        slowdown: h === 'fill-in' ? 3 : 1.3,
        run: () => greedyHeuristicOrder(graph, h, base.clone()),
      })),
  ];
  let unit = 0;
  const skipped: string[] = [];
  const baselines: Record<string, number> = {};
  for (const step of plan) {
    if (best.source !== '' && pastDeadline(now() + unit * step.slowdown)) {
      skipped.push(step.source);
      continue;
    }
    const t = now();
    const r = step.run();
    unit = Math.max(unit, (now() - t) / step.slowdown);
    baselines[step.source] = r.multiplications;
    offer(step.source, r.order, r.multiplications);
  }
  const heuristicBest = best.multiplications;
  // A pass of windowed search costs about two eliminations of the whole order before its first window.
  const searched = windowedSearch(
    base,
    { order: best.order, multiplications: best.multiplications },
    {
      seed,
      maxWindows,
      shouldStop: (at) => pastDeadline(now() + (at === 'pass' ? 2 * unit : 0)),
      onImprove: (m, o) => onImprove?.(m, o, 'windowed'),
    },
  );
  if (searched.multiplications < best.multiplications)
    best = { order: searched.order, multiplications: searched.multiplications, source: 'windowed' };
  return {
    order: best.order,
    multiplications: best.multiplications,
    foundBy: best.source,
    lowerBound: Math.min(permanentLowerBound(graph, local), best.multiplications),
    baselines,
    stats: {
      heuristicBest,
      windows: searched.windows,
      improvedWindows: searched.improvedWindows,
      passes: searched.passes,
      ...(skipped.length > 0 ? { skipped: skipped.join(',') } : {}),
    },
  };
}

/**
 * A lower bound in O(V + E): an edge from an input, or to an output no equation uses, is only removed by
 * eliminating its vertex, and a valued edge never becomes free, so eliminating v always costs at least
 * |valued input preds(v)|·|valued pure-output succs(v)| as first built.
 */
export function permanentLowerBound(graph: Graph, local: readonly (readonly LocalEdge[])[]): number {
  const ni = graph.inputs.length;
  const used = new Uint8Array(ni + graph.vertices.length);
  for (const edges of local) for (const { source } of edges) used[source] = 1;
  const pureOutput = new Uint8Array(used.length);
  for (const id of outputVertexIds(graph)) if (!used[ni + id - 1]) pureOutput[ni + id - 1] = 1;
  const fromInputs = new Float64Array(used.length);
  const toOutputs = new Float64Array(used.length);
  local.forEach((edges, k) => {
    for (const { source, block } of edges) {
      if (block.structural) continue;
      if (source < ni) fromInputs[ni + k]++;
      if (pureOutput[ni + k]) toOutputs[source]++;
    }
  });
  let bound = 0;
  for (const id of eliminableVertices(graph)) bound += fromInputs[ni + id - 1] * toOutputs[ni + id - 1];
  return bound;
}
