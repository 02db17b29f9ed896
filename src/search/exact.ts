import type { VertexId } from '../graph/graph.js';
import { MinHeap } from '../util/heap.js';
import { boundVertices, vertexCutBounds } from './lower-bound.js';
import type { CostState, SearchProblem } from './problem.js';
import { groupBounds, groupTerms, noGroups } from './group-bound.js';
import { falseTwinPairs, independentComponents } from './reductions.js';
import type { SearchResult } from './result.js';
import { permanentCutBound, StateBound } from './state-bound.js';
import { StateTable } from './state-table.js';

export { independentComponents } from './reductions.js';

export interface ExactOptions {
  /** Wall-clock budget in milliseconds (default 60 s). */
  readonly timeLimitMs?: number;
  /**
   * Most search states kept in memory (default 4 million: about 50 + n/8 bytes each for n vertices, plus
   * the open list). When it is reached the search stops with stopReason `memory`, its best order and the
   * lower bound proven so far.
   */
  readonly maxStates?: number;
  /**
   * Most states expanded in all (default: no limit): a work budget that, unlike the time limit, does not
   * depend on machine load. When it is reached the search stops with stopReason `budget`.
   */
  readonly maxExpansions?: number;
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
  /**
   * The bound h of each state: `cuts` (default) recomputes every vertex's input and output vertex cuts on
   * the partially eliminated graph; `static` sums the cuts of the original graph (cheaper per state, far
   * more states). Both are consistent.
   */
  readonly bound?: 'cuts' | 'static';
  /** Raise h by the joint bounds of small groups of adjacent vertices (group-bound.ts); off only to test them. Default true. */
  readonly groupBound?: boolean;
  /** Apply the proven reductions (independent groups, false twins); off only to test them. Default true. */
  readonly reductions?: boolean;
}

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
 * the order: see SearchProblem.orderIndependent), one independent group at a time. g = cost so far, h =
 * per-state vertex-cut bounds (state-bound.ts; consistent, so the first time the full set is popped its
 * cost is optimal). When the budget runs out the best order known is returned with the proven lower bound
 * min f over the open list.
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
  const components =
    options.reductions === false ? [[...problem.eliminable]] : independentComponents(problem);
  const largest = Math.max(0, ...components.map((c) => c.length));
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
  let stored = 0;
  let twinPairs = 0;
  let memoryHit = false;
  // Smallest groups first: they finish in a fraction of their share and leave the rest to the larger ones.
  [...components]
    .sort((a, b) => a.length - b.length)
    .forEach((verts, k) => {
      const left = timeLimitMs - (performance.now() - start);
      const share = Math.max(1, left / (components.length - k));
      const work =
        options.maxExpansions === undefined
          ? undefined
          : Math.max(1, Math.floor((options.maxExpansions - expanded) / (components.length - k)));
      const sub = incumbent
        ? {
            order: incumbent.order.filter((v) => verts.includes(v)),
            multiplications: verts.reduce((s, v) => s + (stepCost.get(v) ?? 0), 0),
          }
        : undefined;
      const r = searchComponent(
        problem,
        verts,
        { ...options, timeLimitMs: share, maxExpansions: work, incumbent: sub, sharedUpperBound: undefined },
        performance.now(),
      );
      expanded += Number(r.stats?.statesExpanded ?? 0);
      stored = Math.max(stored, Number(r.stats?.statesStored ?? 0));
      twinPairs += Number(r.stats?.twinPairs ?? 0);
      memoryHit ||= r.stats?.stopReason === 'memory';
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
      statesStored: stored,
      twinPairs,
      stopReason: proven ? 'done' : memoryHit ? 'memory' : 'budget',
    },
  };
}

/**
 * Whether exactSearch applies: any order-independent model (sets of any size; memory bounds the search,
 * not the width), or a tiny graph under an order-dependent one.
 */
export function canSolveExactly(problem: SearchProblem): boolean {
  return problem.orderIndependent || problem.eliminable.length <= MAX_PERMUTATION_VERTICES;
}

/**
 * A* over the subsets of `verts` with the bound the options ask for. By default (no `bound` given) two
 * phases: the per-state cuts with an eighth of the states and a quarter of the time, which settles graphs
 * whose cuts are tight (HumanHeartDipole: 76 states instead of millions), then, if unproven, the cheap
 * static bound with the rest, which expands about 40 times more states per second and wins on graphs
 * where the cuts gain little (random programs of 20–30 vertices). Both bounds are valid, so the proven
 * lower bound is the larger of the two phases'.
 */
function searchComponent(
  problem: SearchProblem,
  verts: readonly VertexId[],
  options: ExactOptions,
  start: number,
): SearchResult {
  if (options.bound !== undefined) return searchComponentWith(problem, verts, options, start);
  const { timeLimitMs = 60_000, maxStates = 4_000_000, maxExpansions } = options;
  const first = searchComponentWith(
    problem,
    verts,
    {
      ...options,
      bound: 'cuts',
      timeLimitMs: timeLimitMs / 4,
      maxStates: Math.max(1000, Math.floor(maxStates / 8)),
      maxExpansions: maxExpansions === undefined ? undefined : Math.max(1, Math.floor(maxExpansions / 8)),
    },
    start,
  );
  if (first.certificate === 'optimal' || first.stats?.stopReason === 'done') return first;
  const incumbent =
    first.order && first.multiplications !== null
      ? { order: first.order, multiplications: first.multiplications }
      : options.incumbent;
  const second = searchComponentWith(
    problem,
    verts,
    {
      ...options,
      bound: 'static',
      incumbent,
      // Measured from the same start: what the first phase used is already spent.
      timeLimitMs,
      maxExpansions:
        maxExpansions === undefined
          ? undefined
          : Math.max(0, maxExpansions - Number(first.stats?.statesExpanded ?? 0)),
    },
    start,
  );
  const bound = (r: SearchResult): number =>
    r.certificate === 'optimal' ? (r.multiplications as number) : r.certificate.lowerBound;
  const stats = { ...second.stats };
  stats.statesExpanded = Number(first.stats?.statesExpanded ?? 0) + Number(second.stats?.statesExpanded ?? 0);
  stats.maxFlows = Number(first.stats?.maxFlows ?? 0);
  stats.statesStored = Math.max(
    Number(first.stats?.statesStored ?? 0),
    Number(second.stats?.statesStored ?? 0),
  );
  return {
    ...second,
    certificate:
      second.certificate === 'optimal' ? 'optimal' : { lowerBound: Math.max(bound(first), bound(second)) },
    stats,
  };
}

/** A* over the subsets of `verts` (all eliminable vertices, or one independent group of them). */
function searchComponentWith(
  problem: SearchProblem,
  verts: readonly VertexId[],
  options: ExactOptions,
  start: number,
): SearchResult {
  const {
    timeLimitMs = 60_000,
    maxStates = 4_000_000,
    maxExpansions = Infinity,
    incumbent,
    sharedUpperBound,
  } = options;
  const n = verts.length;
  const cuts = vertexCutBounds(problem);
  const usable = verts.map((v) => cuts.get(v)?.usable ?? false);
  const staticIn = verts.map((v) => cuts.get(v)?.in ?? 0);
  const staticOut = verts.map((v) => cuts.get(v)?.out ?? 0);
  const staticLb = verts.map((_v, i) => (usable[i] ? staticIn[i] * staticOut[i] : 0));
  const position = new Map(verts.map((v, i) => [v, i]));
  // False twins (reductions.ts): the second of a pair is never moved alone; it follows its first.
  const partner = new Int32Array(n).fill(-1);
  const isSecond = new Uint8Array(n);
  if (options.reductions !== false) {
    const twins = falseTwinPairs(problem, verts, (v) => usable[position.get(v) as number]);
    for (const [x, y] of twins) {
      const [i, j] = [position.get(x) as number, position.get(y) as number];
      partner[i] = j;
      partner[j] = i;
      isSecond[j] = 1;
    }
  }
  const shareWith = Array.from(partner);
  const perState = options.bound !== 'static' && usable.some(Boolean);
  const fixed = boundVertices(problem, verts, cuts);
  const boundOf = perState ? new StateBound(fixed) : null;
  // Groups of adjacent vertices whose joint bound beats the sum of their own (group-bound.ts); twins move
  // as one and stay out.
  const groups =
    options.groupBound === false || !usable.some(Boolean)
      ? noGroups(n)
      : groupBounds(
          problem,
          verts,
          fixed,
          usable.map((u, i) => u && partner[i] < 0),
        );

  let upper = incumbent ? incumbent.multiplications : Infinity;
  let bestOrder: VertexId[] | null = incumbent ? [...incumbent.order] : null;
  const table = new StateTable(n);
  const words = table.words;
  const key = new Uint32Array(words);
  const childKey = new Uint32Array(words);
  const has = (k: Uint32Array, i: number): boolean => ((k[i >>> 5] >>> (i & 31)) & 1) === 1;
  /** Whether vertex i is still to be eliminated in the state being expanded (whose set is `key`). */
  const remaining = (i: number): boolean => !has(key, i);
  const orderOf = (s: number): VertexId[] => {
    const order: VertexId[] = [];
    for (let t = s; table.parent(t) >= 0; t = table.parent(t)) {
      const i = table.last(t);
      if (partner[i] >= 0) order.push(verts[partner[i]]);
      order.push(verts[i]);
    }
    return order.reverse();
  };

  const heap = new MinHeap();
  const rootH = staticLb.reduce((s, x) => s + x, 0);
  heap.push(rootH, 0, table.add(key, 0, -1, -1));
  const lbd = new Float64Array(n);
  const drop = new Float64Array(n);
  const moveCost = new Float64Array(n);
  const initial = problem.initial();
  let state = initial.clone();
  const builtKey = new Uint32Array(words);
  let expandedState = initial.clone();
  const expandedKey = new Uint32Array(words);
  const copyState = (from: CostState): void => {
    if (state.copyFrom) state.copyFrom(from);
    else state = from.clone();
  };
  const isSubset = (a: Uint32Array, b: Uint32Array): boolean => {
    for (let k = 0; k < words; k++) if ((a[k] & ~b[k]) !== 0) return false;
    return true;
  };
  let rebuilds = 0;
  let expanded = 0;
  let pops = 0;
  let flows = 0;
  let finished = false;
  let stopReason: 'time' | 'memory' | 'budget' | null = null;

  while (heap.size > 0) {
    const f = heap.peekPriority();
    if (f >= upper) {
      finished = true; // every open state is at least as costly as the incumbent: it is optimal
      break;
    }
    const s = heap.pop();
    // Ties in f go to the deepest state: on a plateau of equal bounds the search dives to a complete order
    // instead of widening the frontier.
    // With a consistent h the first expansion of a set has its optimal g; later heap entries are stale.
    if (table.closed(s)) continue;
    table.keyOf(s, key);
    const g = table.g(s);
    let depth = 0;
    for (let k = 0; k < words; k++) depth += popcount(key[k]);
    if ((++pops & 255) === 0) {
      if (sharedUpperBound && sharedUpperBound[0] < upper) {
        upper = sharedUpperBound[0];
        bestOrder = null; // the order for `upper` belongs to whoever shared it
        if (f >= upper) {
          heap.push(f, -depth, s);
          continue;
        }
      }
      if (performance.now() - start > timeLimitMs || options.signal?.aborted) {
        stopReason = 'time';
        heap.push(f, -depth, s);
        break;
      }
    }
    if (table.count > maxStates) {
      stopReason = 'memory';
      heap.push(f, -depth, s);
      break;
    }
    if (expanded >= maxExpansions) {
      stopReason = 'budget';
      heap.push(f, -depth, s);
      break;
    }
    let done = true;
    for (let i = 0; i < n && done; i++) done = has(key, i);
    if (done) {
      upper = g;
      bestOrder = orderOf(s);
      finished = true;
      break;
    }
    // The state of this set, built in any order (they all give the same state): on from the last state
    // built or the last state expanded when its set is a subset of this one (a parent or an ancestor,
    // usually), else from the start.
    if (!isSubset(builtKey, key)) {
      if (isSubset(expandedKey, key)) {
        copyState(expandedState);
        builtKey.set(expandedKey);
      } else {
        copyState(initial);
        builtKey.fill(0);
        rebuilds++;
      }
    }
    for (let k = 0; k < words; k++) {
      let fresh = key[k] & ~builtKey[k];
      while (fresh !== 0) {
        const low = fresh & -fresh;
        state.eliminate(verts[(k << 5) + 31 - Math.clz32(low)]);
        fresh ^= low;
      }
      builtKey[k] = key[k];
    }
    if (boundOf) flows += boundOf.compute(state, remaining, shareWith, lbd);
    for (let i = 0; i < n; i++) {
      if (has(key, i)) continue;
      if (!boundOf) {
        lbd[i] = permanentCutBound(state, verts[i], usable[i], staticIn[i], staticOut[i]);
      }
    }
    // h: the per-vertex bounds, raised for the groups of group-bound.ts.
    const sum = groupTerms(groups, remaining, lbd, drop);
    // The next move (a zero-cost vertex if there is one: eliminating it first loses nothing, since it
    // only removes paths, so it is the only move tried) pays at least its bound plus the least excess.
    let forced = -1;
    let excess = Infinity;
    for (let i = 0; i < n; i++) {
      if (has(key, i) || isSecond[i]) continue;
      moveCost[i] = state.eliminationCost(verts[i]);
      if (forced < 0 && state.markowitzDegree(verts[i]) === 0) forced = i;
      excess = Math.min(excess, moveCost[i] - drop[i]);
    }
    if (forced >= 0) excess = moveCost[forced] - drop[forced];
    // The excess only prunes: re-queueing on it would pop (and rebuild) nearly every state twice.
    if (g + sum + Math.max(0, excess) >= upper) continue;
    const h = sum;
    table.setH(s, h);
    // Children were queued with a bound from their parent's state; a tighter one here re-queues, unless
    // it is still the cheapest open state.
    if (g + h > f && g + h > heap.peekPriority()) {
      heap.push(g + h, -depth, s);
      continue;
    }
    table.close(s);
    expanded++;
    if (expandedState.copyFrom) expandedState.copyFrom(state);
    else expandedState = state.clone();
    expandedKey.set(key);
    for (let i = forced < 0 ? 0 : forced; i < (forced < 0 ? n : forced + 1); i++) {
      if (has(key, i) || isSecond[i]) continue;
      // A twin pair moves together: after x, y costs what x cost (its neighbours are unchanged).
      const j = partner[i];
      const g2 = g + (j >= 0 ? 2 * moveCost[i] : moveCost[i]);
      const f2 = g2 + sum - drop[i] - (j >= 0 ? drop[j] : 0);
      const depth2 = depth + (j >= 0 ? 2 : 1);
      if (f2 >= upper) continue;
      childKey.set(key);
      childKey[i >>> 5] |= 1 << (i & 31);
      if (j >= 0) childKey[j >>> 5] |= 1 << (j & 31);
      const existing = table.find(childKey);
      if (existing >= 0) {
        if (table.closed(existing) || table.g(existing) <= g2) continue;
        table.relax(existing, g2, s, i);
        const known = table.h(existing);
        heap.push(Number.isNaN(known) ? f2 : Math.max(f2, g2 + known), -depth2, existing);
      } else {
        heap.push(f2, -depth2, table.add(childKey, g2, s, i));
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
    stats: {
      statesExpanded: expanded,
      statesStored: table.count,
      maxFlows: flows,
      stateRebuilds: rebuilds,
      twinPairs: isSecond.reduce((a, b) => a + b, 0),
      boundGroups: groups.members.length,
      stopReason: stopReason ?? 'done',
    },
  };
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
