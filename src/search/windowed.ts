import type { ScalarCostEngine } from '../elimination/scalar-engine.js';
import type { SparseScalarEngine } from '../elimination/sparse-engine.js';
import type { VertexId } from '../graph/graph.js';
import { MinHeap } from '../util/heap.js';
import { Rng } from '../util/random.js';
import { anneal } from './anneal.js';
import { greedyOrder } from './greedy.js';
import { orderCost, type CostState, type Game } from './problem.js';

/** Default window: 16 positions, 192 annealing moves (12 per position). */
export const WINDOW_SIZE = 16;
export const WINDOW_MOVES = 12 * WINDOW_SIZE;

export interface WindowedOptions {
  readonly seed?: number;
  /** Consecutive positions of the order re-optimised together (default WINDOW_SIZE). */
  readonly windowSize?: number;
  /** Annealing moves per window (default WINDOW_MOVES: 12 per position). */
  readonly movesPerWindow?: number;
  /** Asked before every pass and every window: true ends the search (a deadline). */
  readonly shouldStop?: (at: 'pass' | 'window') => boolean;
  /**
   * A work budget: windows re-optimised in all (default unlimited). When a pass has more windows than are
   * left, only the costliest ones are re-optimised, so the budget goes where the multiplications are.
   */
  readonly maxWindows?: number;
  /** Called with every improvement of the whole order. */
  readonly onImprove?: (multiplications: number, order: readonly VertexId[]) => void;
  /**
   * Solve each window exactly (subset dynamic programming, windows of at most MAX_EXACT_WINDOW vertices)
   * instead of annealing it. Passes then cycle through `windowSize` / 4 offsets, not 2.
   */
  readonly exact?: boolean;
}

/** The widest window exactWindowOrder solves: 2^16 subsets. */
export const MAX_EXACT_WINDOW = 16;

export interface WindowedResult {
  readonly order: VertexId[];
  readonly multiplications: number;
  /** Windows re-optimised, and how many of them improved. */
  readonly windows: number;
  readonly improvedWindows: number;
  readonly passes: number;
}

/**
 * Large-neighbourhood search for large scalar graphs: slides a window over the order and re-optimises the
 * order of the vertices inside it. On scalar graphs the state after eliminating a set of vertices does not
 * depend on the order they were eliminated in, so a permutation inside a window changes only the window's
 * own cost: that is re-costed on a small engine holding just the window's vertices and their edges
 * (extractLocal), in time proportional to the region it touches, however large the graph. One pass costs
 * one elimination of the whole order plus the windows' local work; passes alternate the windows' offset
 * and stop early once a pass on each offset improves nothing. Memory is two engines: O(V + E).
 */
export function windowedSearch(
  base: SparseScalarEngine,
  start: { readonly order: readonly VertexId[]; readonly multiplications: number },
  options: WindowedOptions = {},
): WindowedResult {
  const {
    seed = 1,
    windowSize = WINDOW_SIZE,
    shouldStop = () => false,
    maxWindows = Infinity,
    onImprove,
    exact = false,
  } = options;
  if (!Number.isInteger(windowSize) || windowSize < 1)
    throw new RangeError(`windowSize must be a positive integer, got ${windowSize}`);
  if (exact && windowSize > MAX_EXACT_WINDOW)
    throw new RangeError(`exact windows hold at most ${MAX_EXACT_WINDOW} vertices, got ${windowSize}`);
  // Exact windows cannot be improved by a second look, so passes shift the window grid instead.
  const offsets = exact
    ? Array.from({ length: Math.max(1, windowSize >> 2) }, (_x, k) => 4 * k)
    : [0, Math.floor(windowSize / 2)];
  const movesPerWindow = options.movesPerWindow ?? 12 * windowSize;
  const rng = new Rng(seed);
  const order = [...start.order];
  let total = start.multiplications;
  const n = order.length;
  let windows = 0;
  let improvedWindows = 0;
  let passes = 0;
  let idlePasses = 0;
  let stopped = false;
  while (idlePasses < offsets.length && n > 1 && windows < maxWindows && !shouldStop('pass')) {
    const offset = offsets[passes % offsets.length];
    const { order: local, costs } = localityOrder(base, order);
    for (let i = 0; i < n; i++) order[i] = local[i]; // (a spread of 10^5 arguments overflows the stack)
    const chosen = costliestWindows(order, costs, offset, windowSize, maxWindows - windows);
    const state = base.clone();
    for (let i = 0; i < offset && i < n; i++) state.eliminate(order[i]);
    let improvedThisPass = false;
    for (let at = offset; at < n; at += windowSize) {
      const end = Math.min(n, at + windowSize);
      if (chosen && !chosen.has(at)) {
        for (let k = at; k < end; k++) state.eliminate(order[k]);
        continue;
      }
      if (shouldStop('window')) {
        stopped = true;
        break;
      }
      windows++;
      const ids = order.slice(at, end);
      const local = state.extractLocal(ids);
      const better = exact
        ? exactWindow(local, ids.length)
        : improveWindow(local, ids.length, rng, movesPerWindow);
      if (better) {
        for (let k = 0; k < ids.length; k++) order[at + k] = ids[better.order[k] - 1];
        total -= better.saving;
        improvedWindows++;
        improvedThisPass = true;
        onImprove?.(total, order);
      }
      for (let k = at; k < end; k++) state.eliminate(order[k]);
    }
    passes++;
    idlePasses = improvedThisPass ? 0 : idlePasses + 1;
    if (stopped) break;
  }
  return { order, multiplications: total, windows, improvedWindows, passes };
}

/** Start positions of the `budget` costliest windows of a pass, or null when the budget covers them all. */
function costliestWindows(
  order: readonly VertexId[],
  costs: Float64Array,
  offset: number,
  size: number,
  budget: number,
): Set<number> | null {
  const starts: number[] = [];
  for (let at = offset; at < order.length; at += size) starts.push(at);
  if (starts.length <= budget) return null;
  const cost = (at: number): number => {
    let s = 0;
    for (let k = at; k < Math.min(order.length, at + size); k++) s += costs[order[k]];
    return s;
  };
  const ranked = starts.map((at) => ({ at, cost: cost(at) })).sort((a, b) => b.cost - a.cost || a.at - b.at);
  return new Set(ranked.slice(0, Math.max(0, budget)).map((w) => w.at));
}

/**
 * The best order found for one window of m vertices (local ids 1..m, extractLocal), and what it saves against the current
 * order 1, 2, …, m; null when nothing cheaper was found. Candidates: the Markowitz and cost greedy rules
 * on the window's own state, then annealing from the best of them.
 */
function improveWindow(
  local: ScalarCostEngine,
  m: number,
  rng: Rng,
  moves: number,
): { order: VertexId[]; saving: number } | null {
  const current = Array.from({ length: m }, (_x, k) => k + 1);
  const game: Game = { eliminable: current, initial: () => local.clone() };
  const now = orderCost(game, current);
  if (now === 0) return null;
  let best = { order: current, multiplications: now };
  for (const score of ['markowitz', 'cost'] as const) {
    const g = greedyOrder(game, { score });
    if (g.multiplications < best.multiplications) best = g;
  }
  if (moves > 0 && m > 1) {
    const a = anneal(game, {
      seed: rng.int(1, 2 ** 30),
      maxMoves: moves,
      timeLimitMs: Infinity,
      start: best.order,
    });
    if (a.multiplications < best.multiplications) best = a;
  }
  return best.multiplications < now ? { order: best.order, saving: now - best.multiplications } : null;
}

/** exactWindowOrder on one window of local ids 1..m: the saving against 1, 2, …, m, or null. */
function exactWindow(local: ScalarCostEngine, m: number): { order: VertexId[]; saving: number } | null {
  const current = Array.from({ length: m }, (_x, k) => k + 1);
  const game: Game = { eliminable: current, initial: () => local.clone() };
  const now = orderCost(game, current);
  const best = exactWindowOrder(game);
  return best.multiplications < now ? { order: best.order, saving: now - best.multiplications } : null;
}

/**
 * The cheapest order of a small game whose state after eliminating a set does not depend on the order
 * (scalar graphs: the fill of a set is its paths, whatever the order), by dynamic programming over
 * subsets: best(S ∪ {v}) = min over v of best(S) + cost of v after S. One state is kept per subset of
 * the current size only (any order reaching S gives the same state), so memory is the widest layer,
 * C(m, m/2) states, and time m·2^m cost queries. Ties go to the first vertex found (lowest position).
 */
export function exactWindowOrder(game: Game): { order: VertexId[]; multiplications: number } {
  const verts = game.eliminable;
  const m = verts.length;
  if (m > MAX_EXACT_WINDOW)
    throw new RangeError(`exact windows hold at most ${MAX_EXACT_WINDOW} vertices, got ${m}`);
  const size = 1 << m;
  const cost = new Float64Array(size).fill(Infinity);
  const last = new Int8Array(size).fill(-1);
  cost[0] = 0;
  let layer = new Map<number, CostState>([[0, game.initial()]]);
  for (let k = 0; k < m; k++) {
    const next = new Map<number, CostState>();
    for (const [mask, state] of layer) {
      for (let i = 0; i < m; i++) {
        const bit = 1 << i;
        if (mask & bit) continue;
        const to = mask | bit;
        const c = cost[mask] + state.eliminationCost(verts[i]);
        if (c < cost[to]) {
          cost[to] = c;
          last[to] = i;
        }
        if (!next.has(to)) {
          const s = state.clone();
          s.eliminate(verts[i]);
          next.set(to, s);
        }
      }
    }
    layer = next;
  }
  const order: VertexId[] = [];
  for (let mask = size - 1; mask !== 0; mask ^= 1 << last[mask]) order.push(verts[last[mask]]);
  order.reverse();
  return { order, multiplications: cost[size - 1] };
}

/**
 * An order of the same cost per vertex that eliminates graph-near vertices next to each other. Two steps
 * commute unless the later vertex is a neighbour of the earlier one when that is eliminated (eliminating
 * a vertex changes only its neighbours' edges), so every topological order of that "touches" relation
 * costs the same, vertex by vertex. Kahn's algorithm picks the lowest vertex id available: ids follow the
 * program, so consecutive positions become neighbourhoods of the graph and windows hold vertices that
 * interact. O((V + E + fill) log V). Also returns each vertex's cost (indexed by id).
 */
export function localityOrder(
  base: SparseScalarEngine,
  order: readonly VertexId[],
): { order: VertexId[]; costs: Float64Array } {
  const n = order.length;
  const ni = base.numInputs;
  const position = new Int32Array(base.numNodes - ni + 1).fill(-1);
  order.forEach((id, i) => (position[id] = i));
  const later: number[][] = Array.from({ length: n }, () => []);
  const waits = new Int32Array(n);
  const stamp = new Int32Array(n).fill(-1);
  const state = base.clone();
  const costs = new Float64Array(position.length);
  for (let i = 0; i < n; i++) {
    for (const side of state.neighbours(ni + order[i] - 1))
      for (const x of side) {
        const j = x >= ni ? position[x - ni + 1] : -1;
        if (j > i && stamp[j] !== i) {
          stamp[j] = i;
          later[i].push(j);
          waits[j]++;
        }
      }
    costs[order[i]] = state.eliminate(order[i]);
  }
  const ready = new MinHeap();
  for (let i = 0; i < n; i++) if (waits[i] === 0) ready.push(order[i], 0, i);
  const out: VertexId[] = [];
  while (ready.size > 0) {
    const i = ready.pop();
    out.push(order[i]);
    for (const j of later[i]) if (--waits[j] === 0) ready.push(order[j], 0, j);
  }
  return { order: out, costs };
}
