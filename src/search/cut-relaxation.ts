import type { VertexId } from '../graph/graph.js';
import { nodeOfVertex, outputVertexIds } from '../graph/graph.js';
import { vertexCutBounds } from './lower-bound.js';
import { createHighsModel, loadSolver } from './highs.js';
import type { RowSet } from './milp-model.js';
import type { CostState, SearchProblem } from './problem.js';
import { CutFlow } from './state-bound.js';

/**
 * A lower bound from the per-state vertex cuts (state-bound.ts) alone, over all orders at once.
 *
 * Write f_v(A) for v's per-state bound mincut(inputs → v) · mincut(v → outputs) after the set A is
 * eliminated. Eliminating v when A is gone costs at least f_v(A), so every order π costs at least
 * Σ_v f_v(A_v^π), A_v^π being what π eliminates before v, and the optimum is at least
 * LB = min over orders π of Σ_v f_v(A_v^π). f_v is monotone (cuts never shrink, state-bound.ts (2)) and
 * depends only on the vertices of A that are comparable with v (a path joins them; eliminating any other
 * vertex changes no edge between v's ancestors, nor between its descendants).
 *
 * LB is found by a small integer program solved with lazily generated rows (a Benders-like loop). It has
 * t_v ≥ 0 (v's charge above its static bound f_v(∅)) and an order variable y for each pair of
 * comparable vertices a row mentions. For a set S of vertices comparable with v,
 *   t_v ≥ (f_v(S) − f_v(∅)) · (Σ_{u ∈ S} [u before v] − |S| + 1)
 * is valid for every order (monotonicity: when all of S precede v, A_v ⊇ S), and rows Σ arcs ≤ len − 1
 * forbid the cycles of the order variables, so every solution's arcs extend to an order. Each round
 * solves the program; its optimum (or HiGHS's dual bound) plus Σ f_v(∅) is a valid bound, because the
 * rows only relax LB. Then an order extending the solution's arcs is built (greedily, cheapest charge
 * first) and its true charges f_v(A_v) − f_v(∅) computed; where one exceeds t_v, a row for a minimal
 * S ⊆ A_v with the same f_v(S) is added. When no charge is exceeded the program's optimum is LB.
 */
export interface CutRelaxationOptions {
  /** Wall-clock budget in milliseconds (default 60 s). */
  readonly timeLimitMs?: number;
  /** Rounds at most (default 500). */
  readonly maxRounds?: number;
  /** The cost of a known order: the loop stops once the bound reaches it (the order is then optimal). */
  readonly upperBound?: number;
  /** Called after each solve with the round number and the bound so far. */
  readonly onRound?: (round: number, lowerBound: number) => void;
}

export interface CutRelaxationResult {
  /** A proven lower bound on every order's cost. */
  readonly lowerBound: number;
  /** Σ f_v(∅): the static bound the charges come on top of. */
  readonly staticBound: number;
  /** Whether the loop converged (the bound is LB itself, not a relaxation of it). */
  readonly converged: boolean;
  readonly rounds: number;
  readonly rows: number;
  readonly orderVariables: number;
  readonly seconds: number;
}

/** An upper limit for the charge columns (a finite one: HiGHS takes no infinite column bound here). */
const CHARGE_LIMIT = 1e9;
/** Cycle rows added per round at most. */
const MAX_CYCLE_ROWS = 100;

export async function cutRelaxationBound(
  problem: SearchProblem,
  options: CutRelaxationOptions = {},
): Promise<CutRelaxationResult> {
  const start = performance.now();
  const { timeLimitMs = 60_000, maxRounds = 500 } = options;
  const verts = problem.eliminable;
  const n = verts.length;
  const cuts = vertexCutBounds(problem);
  const { graph } = problem;
  const numNodes = graph.inputs.length + graph.vertices.length;
  const inputs = graph.inputs.map((_x, k) => k);
  const outputs = [...outputVertexIds(graph)].map((id) => nodeOfVertex(graph, id));
  const nodes = verts.map((v) => nodeOfVertex(graph, v));
  const usable = verts.map((v) => cuts.get(v)?.usable ?? false);
  const staticIn = verts.map((v) => cuts.get(v)?.in ?? 0);
  const staticOut = verts.map((v) => cuts.get(v)?.out ?? 0);
  const inFlow = new CutFlow();
  const outFlow = new CutFlow();
  /** Vertex i's two cuts in a state where it is not yet eliminated (its static ones if unusable). */
  const cutsIn = (state: CostState, i: number): [number, number] => {
    if (!usable[i]) return [staticIn[i], staticOut[i]];
    const pred: number[][] = [];
    const succ: number[][] = [];
    for (let x = 0; x < numNodes; x++) {
      pred.push(state.predecessors(x));
      succ.push(state.successors(x));
    }
    inFlow.load(pred, inputs);
    outFlow.load(succ, outputs);
    return [inFlow.cut(nodes[i], pred[nodes[i]].length), outFlow.cut(nodes[i], succ[nodes[i]].length)];
  };
  const base = verts.map((v) => {
    const c = cuts.get(v);
    return c?.usable ? c.in * c.out : 0;
  });
  const staticBound = base.reduce((s, x) => s + x, 0);
  /** f_i(state) − f_i(∅): vertex i's charge in a state where it is not yet eliminated. */
  const chargeIn = (state: CostState, i: number): number => {
    if (!usable[i]) return 0;
    const [cin, cout] = cutsIn(state, i);
    return cin * cout - base[i];
  };
  const stateAfter = (set: readonly number[]): CostState => {
    const s = problem.initial();
    for (const j of set) s.eliminate(verts[j]);
    return s;
  };
  const { comparable, isAncestor } = comparability(problem, verts);

  // Column 0..n−1: t_i. Order variables y(a, b), a < b, 1 iff a goes first, numbered on demand.
  const yCol = new Map<number, number>();
  const yOf = (a: number, b: number): number => {
    const key = Math.min(a, b) * n + Math.max(a, b);
    let col = yCol.get(key);
    if (col === undefined) yCol.set(key, (col = n + yCol.size));
    return col;
  };
  const rows: { lower: number; upper: number; terms: [number, number][] }[] = [];
  /** [u before v] as (constant, column, sign). */
  const before = (u: number, v: number): { constant: number; col: number; sign: number } =>
    u < v ? { constant: 0, col: yOf(u, v), sign: 1 } : { constant: 1, col: yOf(v, u), sign: -1 };
  const seen = new Set<string>();
  const addCharge = (v: number, set: readonly number[], delta: number): void => {
    const key = `${v}:${[...set].sort((a, b) => a - b).join(',')}`;
    if (seen.has(key)) return;
    seen.add(key);
    // t_v − delta·Σ [u before v] ≥ delta·(1 − |S|)
    const terms: [number, number][] = [[v, 1]];
    let rhs = delta * (1 - set.length);
    for (const u of set) {
      const b = before(u, v);
      rhs += delta * b.constant;
      terms.push([b.col, -delta * b.sign]);
    }
    rows.push({ lower: rhs, upper: Infinity, terms });
  };
  /**
   * Rows for vertex v, eliminated after `placed` (state `state`): with cuts (cin, cout) there and (in0,
   * out0) static, cin·cout − in0·out0 ≥ (cin − in0)·out0 and ≥ in0·(cout − out0), and the in-cut depends
   * on the ancestors eliminated only, the out-cut on the descendants. So three rows: one per side for a
   * minimal set of that side keeping its cut, and one for both sets together keeping the product.
   */
  const addChargeRows = (v: number, state: CostState, placed: readonly number[]): void => {
    const [cin, cout] = cutsIn(state, v);
    const earlier = placed.filter((u) => comparable[v].includes(u));
    const side = (k: 0 | 1, target: number): number[] =>
      minimalSet(
        earlier.filter((u) => (k === 0 ? isAncestor(u, v) : isAncestor(v, u))),
        target,
        (set) => cutsIn(stateAfter(set), v)[k],
      );
    const up = cin > staticIn[v] ? side(0, cin) : [];
    const down = cout > staticOut[v] ? side(1, cout) : [];
    if (up.length > 0 && staticOut[v] > 0) addCharge(v, up, (cin - staticIn[v]) * staticOut[v]);
    if (down.length > 0 && staticIn[v] > 0) addCharge(v, down, staticIn[v] * (cout - staticOut[v]));
    addCharge(v, [...up, ...down], cin * cout - base[v]);
  };
  const result = (converged: boolean, lowerBound: number, rounds: number): CutRelaxationResult => ({
    lowerBound,
    staticBound,
    converged,
    rounds,
    rows: rows.length,
    orderVariables: yCol.size,
    seconds: (performance.now() - start) / 1000,
  });
  if (staticBound >= (options.upperBound ?? Infinity)) return result(true, staticBound, 0);
  // Every single comparable vertex first: the charges f_v({u}) − f_v(∅).
  for (let u = 0; u < n; u++) {
    const state = stateAfter([u]);
    for (const v of comparable[u]) {
      if (chargeIn(state, v) > 0) addChargeRows(v, state, [u]);
    }
  }

  const highs = await loadSolver();
  let lowerBound = staticBound;
  let rounds = 0;
  let converged = false;
  /** The last order built and its true charges: a feasible point of every later program. */
  let incumbent: { position: Int32Array; charge: Float64Array } | null = null;
  while (rounds < maxRounds && lowerBound < (options.upperBound ?? Infinity)) {
    const remaining = timeLimitMs - (performance.now() - start);
    if (remaining <= 0) break;
    const numCols = n + yCol.size;
    const set = toRowSet(rows);
    const integrality = new Int32Array(numCols);
    integrality.fill(1, n);
    const lp = createHighsModel(highs, {
      numCols,
      colCost: Float64Array.from({ length: numCols }, (_x, j) => (j < n ? 1 : 0)),
      colLower: new Float64Array(numCols),
      colUpper: Float64Array.from({ length: numCols }, (_x, j) => (j < n ? CHARGE_LIMIT : 1)),
      integrality,
      rows: set,
    });
    let value: ArrayLike<number>;
    try {
      lp.options.set({
        output_flag: false,
        mip_rel_gap: 0,
        mip_abs_gap: 0.999,
        time_limit: remaining / 1000,
      });
      if (incumbent) {
        const { position, charge } = incumbent;
        const colValue = new Float64Array(numCols);
        colValue.set(charge);
        for (const [key, col] of yCol)
          colValue[col] = position[Math.floor(key / n)] < position[key % n] ? 1 : 0;
        lp.setSolution({ colValue });
      }
      lp.run();
      rounds++;
      const dual = Number(lp.info.get('mip_dual_bound'));
      if (Number.isFinite(dual)) lowerBound = Math.max(lowerBound, staticBound + Math.ceil(dual - 1e-6));
      options.onRound?.(rounds, lowerBound);
      if (lp.getModelStatus() !== highs.constants.modelStatus.optimal) break;
      value = lp.getSolution().colValue;
    } finally {
      lp.dispose();
    }
    // Arcs of the solution; a cycle among them gets a row and another solve.
    const arcs: number[][] = Array.from({ length: n }, () => []);
    for (const [key, col] of yCol) {
      const a = Math.floor(key / n);
      const b = key % n;
      if (value[col] > 0.5) arcs[a].push(b);
      else arcs[b].push(a);
    }
    // Cycles among the arcs get rows; the order below breaks them, so its charge rows come as well.
    const cycles = shortestCycles(arcs, MAX_CYCLE_ROWS);
    for (const cycle of cycles) {
      const terms: [number, number][] = [];
      let rhs = cycle.length - 1;
      cycle.forEach((u, i) => {
        const b = before(u, cycle[(i + 1) % cycle.length]);
        rhs -= b.constant;
        terms.push([b.col, b.sign]);
      });
      rows.push({ lower: -Infinity, upper: rhs, terms });
    }
    // Extend the arcs to an order, cheapest charge first, and add rows where its charges exceed t.
    const indegree = new Int32Array(n);
    for (const list of arcs) for (const b of list) indegree[b]++;
    const state = problem.initial();
    const placed: number[] = [];
    const charge = new Float64Array(n);
    const done = new Uint8Array(n);
    let added = 0;
    while (placed.length < n) {
      // Normally a vertex without arcs in; inside a cycle, one with the fewest.
      let fewest = Infinity;
      for (let i = 0; i < n; i++) if (!done[i]) fewest = Math.min(fewest, indegree[i]);
      let pick = -1;
      let pickCharge = Infinity;
      for (let i = 0; i < n; i++) {
        if (done[i] || indegree[i] > fewest) continue;
        const c = chargeIn(state, i);
        if (c < pickCharge) [pick, pickCharge] = [i, c];
      }
      if (pickCharge > value[pick] + 1e-6) {
        addChargeRows(pick, state, placed);
        added++;
      }
      done[pick] = 1;
      charge[pick] = pickCharge;
      placed.push(pick);
      state.eliminate(verts[pick]);
      for (const b of arcs[pick]) indegree[b]--;
    }
    added += cycles.length;
    const position = new Int32Array(n);
    placed.forEach((v, k) => (position[v] = k));
    incumbent = { position, charge };
    if (added === 0) {
      converged = true;
      break;
    }
  }
  return result(converged, lowerBound, rounds);
}

/** A subset of `set` whose charge is still `target`, found by dropping elements one at a time. */
function minimalSet(set: readonly number[], target: number, charge: (s: number[]) => number): number[] {
  let current = [...set];
  for (let k = current.length - 1; k >= 0; k--) {
    const without = [...current.slice(0, k), ...current.slice(k + 1)];
    if (charge(without) >= target) current = without;
  }
  return current;
}

/** For each search vertex, the others joined to it by a path (either way), and whether i reaches j. */
function comparability(
  problem: SearchProblem,
  verts: readonly VertexId[],
): { comparable: number[][]; isAncestor: (i: number, j: number) => boolean } {
  const state = problem.initial();
  const index = new Map<number, number>();
  const { graph } = problem;
  verts.forEach((v, i) => index.set(graph.inputs.length + v - 1, i));
  const numNodes = graph.inputs.length + graph.vertices.length;
  // Descendant sets by node, from the last node back (edges run forward).
  const desc: Set<number>[] = Array.from({ length: numNodes }, () => new Set());
  for (let x = numNodes - 1; x >= 0; x--)
    for (const y of state.successors(x)) {
      desc[x].add(y);
      for (const z of desc[y]) desc[x].add(z);
    }
  const out: number[][] = verts.map(() => []);
  const reaches = new Set<number>();
  verts.forEach((v, i) => {
    for (const y of desc[graph.inputs.length + v - 1]) {
      const j = index.get(y);
      if (j !== undefined) {
        out[i].push(j);
        out[j].push(i);
        reaches.add(i * verts.length + j);
      }
    }
  });
  return { comparable: out, isAncestor: (i, j) => reaches.has(i * verts.length + j) };
}

/** Up to `max` distinct shortest cycles of `arcs` (one through each vertex on one), by breadth-first search. */
function shortestCycles(arcs: readonly (readonly number[])[], max: number): number[][] {
  const out: number[][] = [];
  const seen = new Set<string>();
  for (let start = 0; start < arcs.length && out.length < max; start++) {
    const parent = new Map<number, number>([[start, -1]]);
    const queue = [start];
    let closing = -1;
    for (let qi = 0; qi < queue.length && closing < 0; qi++) {
      for (const w of arcs[queue[qi]]) {
        if (w === start) {
          closing = queue[qi];
          break;
        }
        if (!parent.has(w)) {
          parent.set(w, queue[qi]);
          queue.push(w);
        }
      }
    }
    if (closing < 0) continue;
    const cycle: number[] = [];
    for (let u = closing; u !== -1; u = parent.get(u) as number) cycle.push(u);
    cycle.reverse();
    const key = [...cycle].sort((a, b) => a - b).join(',');
    if (!seen.has(key)) {
      seen.add(key);
      out.push(cycle);
    }
  }
  return out;
}

function toRowSet(rows: readonly { lower: number; upper: number; terms: [number, number][] }[]): RowSet {
  const out = {
    lower: [] as number[],
    upper: [] as number[],
    starts: [0],
    indices: [] as number[],
    values: [] as number[],
  };
  for (const r of rows) {
    out.lower.push(r.lower);
    out.upper.push(r.upper);
    for (const [c, v] of r.terms) {
      out.indices.push(c);
      out.values.push(v);
    }
    out.starts.push(out.indices.length);
  }
  return out;
}
