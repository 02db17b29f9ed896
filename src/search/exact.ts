import type { VertexId } from '../graph/graph.js';
import { MinHeap } from '../util/heap.js';
import { vertexCutBounds } from './lower-bound.js';
import type { SearchProblem } from './problem.js';
import type { SearchResult } from './result.js';

export interface ExactOptions {
  /** Wall-clock budget in milliseconds (default 60 s). */
  readonly timeLimitMs?: number;
  /** Most search states kept in memory (default 4 million, about 100 MB). */
  readonly maxStates?: number;
  /** A known order and its cost: states that cannot beat it are pruned, and it is returned if nothing beats it. */
  readonly incumbent?: { readonly order: readonly VertexId[]; readonly multiplications: number };
  /**
   * A cost other searches have reached (shared memory, read as the search goes): it prunes like the
   * incumbent. If the search ends because nothing beats it, that cost is proven optimal, but the order
   * achieving it is the other search's to report.
   */
  readonly sharedUpperBound?: Float64Array;
  /** Aborting ends the search as its time limit would (checked with the clock). */
  readonly signal?: AbortSignal;
}

/** Sets of eliminated vertices are bitmasks in a float, exact up to 2^53. */
export const MAX_EXACT_VERTICES = 52;

/** Order-dependent models are solved by branch and bound over orders: only small graphs. */
export const MAX_PERMUTATION_VERTICES = 11;

/**
 * Depth-first branch and bound over all orders, for cost models whose state depends on the order
 * (alphagrad on tensor graphs). Costs are never negative, so a partial order at least as costly as the
 * best complete one is cut.
 */
function searchPermutations(problem: SearchProblem, options: ExactOptions, start: number): SearchResult {
  const { timeLimitMs = 60_000, incumbent } = options;
  const verts = problem.eliminable;
  const n = verts.length;
  let best = incumbent ? incumbent.multiplications : Infinity;
  let bestOrder: VertexId[] | null = incumbent ? [...incumbent.order] : null;
  const prefix: VertexId[] = [];
  const used = new Uint8Array(n);
  let nodes = 0;
  let timedOut = false;
  const visit = (state: ReturnType<SearchProblem['initial']>, cost: number): void => {
    if (timedOut) return;
    if ((++nodes & 1023) === 0 && (performance.now() - start > timeLimitMs || options.signal?.aborted)) {
      timedOut = true;
      return;
    }
    if (prefix.length === n) {
      if (cost < best) {
        best = cost;
        bestOrder = [...prefix];
      }
      return;
    }
    for (let i = 0; i < n; i++) {
      if (used[i]) continue;
      const c = cost + state.eliminationCost(verts[i]);
      if (c >= best) continue;
      const next = state.clone();
      next.eliminate(verts[i]);
      used[i] = 1;
      prefix.push(verts[i]);
      visit(next, c);
      prefix.pop();
      used[i] = 0;
    }
  };
  visit(problem.initial(), 0);
  return {
    order: bestOrder,
    multiplications: bestOrder ? best : null,
    certificate: !timedOut && bestOrder ? 'optimal' : { lowerBound: 0 },
    seconds: (performance.now() - start) / 1000,
    method: 'exact',
    stats: { statesExpanded: nodes, stopReason: timedOut ? 'time' : 'done' },
  };
}

/**
 * A* over sets of eliminated vertices (valid because the state after eliminating a set does not depend on
 * the order: see SearchProblem.orderIndependent). g = cost so far, h = Σ static per-vertex lower bounds of
 * the vertices left (consistent, so the first time the full set is popped its cost is optimal). When the
 * budget runs out the best order known is returned with the proven lower bound min f over the open list.
 */
export function exactSearch(problem: SearchProblem, options: ExactOptions = {}): SearchResult {
  const start = performance.now();
  if (!problem.orderIndependent) {
    if (problem.eliminable.length <= MAX_PERMUTATION_VERTICES)
      return searchPermutations(problem, options, start);
    throw new RangeError(
      `the ${problem.costModel} model depends on the elimination order on this graph, so exact search enumerates orders: at most ${MAX_PERMUTATION_VERTICES} eliminable vertices, this graph has ${problem.eliminable.length}`,
    );
  }
  const components = independentComponents(problem);
  const largest = Math.max(0, ...components.map((c) => c.length));
  if (largest > MAX_EXACT_VERTICES) {
    throw new RangeError(
      `exact search handles at most ${MAX_EXACT_VERTICES} interacting eliminable vertices; this graph has a group of ${largest}`,
    );
  }
  if (components.length <= 1) return searchComponent(problem, problem.eliminable, options, start);
  // Independent groups: solve each alone (its costs do not depend on the others) and add up.
  const { incumbent, timeLimitMs = 60_000 } = options;
  const stepCost = new Map<VertexId, number>();
  if (incumbent) {
    const state = problem.initial();
    for (const v of incumbent.order) stepCost.set(v, state.eliminate(v));
  }
  const order: VertexId[] = [];
  let total = 0;
  let lowerBound = 0;
  let proven = true;
  let expanded = 0;
  components.forEach((verts, k) => {
    const left = timeLimitMs - (performance.now() - start);
    const share = Math.max(1, left / (components.length - k));
    const sub = incumbent
      ? {
          order: incumbent.order.filter((v) => verts.includes(v)),
          multiplications: verts.reduce((s, v) => s + (stepCost.get(v) ?? 0), 0),
        }
      : undefined;
    const r = searchComponent(
      problem,
      verts,
      { ...options, timeLimitMs: share, incumbent: sub, sharedUpperBound: undefined },
      performance.now(),
    );
    expanded += Number(r.stats?.statesExpanded ?? 0);
    const bound = r.certificate === 'optimal' ? (r.multiplications as number) : r.certificate.lowerBound;
    lowerBound += bound;
    proven &&= r.certificate === 'optimal';
    if (r.order && r.multiplications !== null) {
      order.push(...r.order);
      total += r.multiplications;
    } else {
      proven = false;
      total = NaN;
    }
  });
  const complete = Number.isFinite(total);
  return {
    order: complete ? order : null,
    multiplications: complete ? total : null,
    certificate: proven && complete ? 'optimal' : { lowerBound },
    seconds: (performance.now() - start) / 1000,
    method: 'exact',
    stats: {
      statesExpanded: expanded,
      components: components.length,
      largestComponent: largest,
      stopReason: proven ? 'done' : 'budget',
    },
  };
}

/** Whether exactSearch applies: an order-independent model with small enough groups, or a tiny graph. */
export function canSolveExactly(problem: SearchProblem): boolean {
  if (!problem.orderIndependent) return problem.eliminable.length <= MAX_PERMUTATION_VERTICES;
  return Math.max(0, ...independentComponents(problem).map((c) => c.length)) <= MAX_EXACT_VERTICES;
}

/**
 * Groups of eliminable vertices that never interact: connected components of the graph induced on the
 * eliminable vertices. Eliminating a vertex only changes the edges of its neighbours, and those stay in
 * its group, so each group's costs do not depend on what happens in the others.
 */
export function independentComponents(problem: SearchProblem): VertexId[][] {
  const { graph } = problem;
  const eliminable = new Set(problem.eliminable);
  const parent = new Map<VertexId, VertexId>();
  const find = (v: VertexId): VertexId => {
    let r = v;
    while (parent.get(r) !== r) r = parent.get(r) as VertexId;
    parent.set(v, r);
    return r;
  };
  for (const v of eliminable) parent.set(v, v);
  for (const v of graph.vertices) {
    if (!eliminable.has(v.id)) continue;
    for (const op of v.operands) {
      if (op.kind === 'vertex' && eliminable.has(op.id)) parent.set(find(op.id), find(v.id));
    }
  }
  const groups = new Map<VertexId, VertexId[]>();
  for (const v of problem.eliminable) {
    const r = find(v);
    groups.set(r, [...(groups.get(r) ?? []), v]);
  }
  return [...groups.values()];
}

/** A* over the subsets of `verts` (all eliminable vertices, or one independent group of them). */
function searchComponent(
  problem: SearchProblem,
  verts: readonly VertexId[],
  options: ExactOptions,
  start: number,
): SearchResult {
  const { timeLimitMs = 60_000, maxStates = 4_000_000, incumbent, sharedUpperBound } = options;
  const n = verts.length;
  const cuts = vertexCutBounds(problem);
  const cutIn = verts.map((v) => cuts.get(v)?.in ?? 0);
  const cutOut = verts.map((v) => cuts.get(v)?.out ?? 0);
  const usable = verts.map((v) => cuts.get(v)?.usable ?? false);
  const lb = verts.map((_v, i) => (usable[i] ? cutIn[i] * cutOut[i] : 0));
  const rootH = lb.reduce((s, x) => s + x, 0);
  // Per-state bounds: a vertex's input predecessors and pure-output successors are permanent, so
  // max(static cut, permanent count) bounds each factor of its final cost; these only grow as the search
  // goes deeper, which keeps h consistent.
  const lbd = new Float64Array(n);
  let upper = incumbent ? incumbent.multiplications : Infinity;
  let bestOrder: VertexId[] | null = incumbent ? [...incumbent.order] : null;

  // State table: key (bitmask), g, parent index, last vertex index.
  let keys = new Float64Array(1 << 16);
  let gs = new Float64Array(1 << 16);
  let parents = new Int32Array(1 << 16);
  let lasts = new Int16Array(1 << 16);
  let closed = new Uint8Array(1 << 16);
  let count = 0;
  const index = new Map<number, number>();
  const addState = (key: number, g: number, parent: number, last: number): number => {
    if (count === keys.length) {
      const grow = <T extends Float64Array | Int32Array | Int16Array | Uint8Array>(
        a: T,
        make: (k: number) => T,
      ): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      keys = grow(keys, (k) => new Float64Array(k));
      gs = grow(gs, (k) => new Float64Array(k));
      parents = grow(parents, (k) => new Int32Array(k));
      lasts = grow(lasts, (k) => new Int16Array(k));
      closed = grow(closed, (k) => new Uint8Array(k));
    }
    keys[count] = key;
    gs[count] = g;
    parents[count] = parent;
    lasts[count] = last;
    index.set(key, count);
    return count++;
  };
  const orderOf = (s: number): VertexId[] => {
    const order: VertexId[] = [];
    for (let i = s; parents[i] >= 0; i = parents[i]) order.push(verts[lasts[i]]);
    return order.reverse();
  };

  const full = 2 ** n - 1;
  const heap = new MinHeap();
  heap.push(rootH, 0, addState(0, 0, -1, -1));
  const pow = verts.map((_v, i) => 2 ** i);
  let expanded = 0;
  let finished = false;
  let stopReason: 'time' | 'memory' | null = null;

  while (heap.size > 0) {
    const f = heap.peekPriority();
    if (f >= upper) {
      finished = true; // every open state is at least as costly as the incumbent: it is optimal
      break;
    }
    const s = heap.pop();
    // With a consistent h the first expansion of a set has its optimal g; later heap entries are stale.
    if (closed[s]) continue;
    const key = keys[s];
    const g = gs[s];
    if (key === full) {
      upper = g;
      bestOrder = orderOf(s);
      finished = true;
      break;
    }
    if ((++expanded & 255) === 0) {
      if (sharedUpperBound && sharedUpperBound[0] < upper) {
        upper = sharedUpperBound[0];
        bestOrder = null; // the order for `upper` belongs to whoever shared it
      }
      if (performance.now() - start > timeLimitMs || options.signal?.aborted) {
        stopReason = 'time';
        heap.push(f, -g, s);
        break;
      }
    }
    if (count > maxStates) {
      stopReason = 'memory';
      heap.push(f, -g, s);
      break;
    }
    // Rebuild the state of this set in any order (they all give the same state).
    const state = problem.initial();
    for (let i = 0; i < n; i++) if (Math.floor(key / pow[i]) % 2 === 1) state.eliminate(verts[i]);
    let h = 0;
    for (let i = 0; i < n; i++) {
      if (Math.floor(key / pow[i]) % 2 === 1) continue;
      if (usable[i] && state.permanentDegrees) {
        const [pin, pout] = state.permanentDegrees(verts[i]);
        lbd[i] = Math.max(cutIn[i], pin) * Math.max(cutOut[i], pout);
      } else lbd[i] = lb[i];
      h += lbd[i];
    }
    // Children are queued with a bound from their parent's state; a tighter one found here re-queues.
    if (g + h > f) {
      if (g + h < upper) heap.push(g + h, -g, s);
      continue;
    }
    closed[s] = 1;
    // A vertex without predecessors or without successors costs 0 now and forever, and removing it only
    // lowers other costs: eliminating it first loses nothing, so it is the only move tried.
    let forced = -1;
    for (let i = 0; i < n && forced < 0; i++) {
      if (Math.floor(key / pow[i]) % 2 === 0 && state.markowitzDegree(verts[i]) === 0) forced = i;
    }
    for (let i = forced < 0 ? 0 : forced; i < (forced < 0 ? n : forced + 1); i++) {
      if (Math.floor(key / pow[i]) % 2 === 1) continue;
      const g2 = g + state.eliminationCost(verts[i]);
      const f2 = g2 + h - lbd[i];
      if (f2 >= upper) continue;
      const key2 = key + pow[i];
      const existing = index.get(key2);
      if (existing !== undefined) {
        if (closed[existing] || gs[existing] <= g2) continue;
        gs[existing] = g2;
        parents[existing] = s;
        lasts[existing] = i;
        heap.push(f2, -g2, existing);
      } else {
        heap.push(f2, -g2, addState(key2, g2, s, i));
      }
    }
  }
  const seconds = (performance.now() - start) / 1000;
  if (heap.size === 0) finished = true;
  const lowerBound = finished ? upper : Math.min(upper, heap.peekPriority());
  return {
    order: bestOrder,
    multiplications: bestOrder ? upper : null,
    // Finished: nothing is cheaper than `upper`; optimal is claimed only together with an order of that cost.
    certificate: finished && bestOrder ? 'optimal' : { lowerBound },
    seconds,
    method: 'exact',
    stats: { statesExpanded: expanded, statesStored: count, stopReason: stopReason ?? 'done' },
  };
}
