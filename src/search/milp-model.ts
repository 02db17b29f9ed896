import { localJacobians } from '../evaluate/linearize.js';
import { CrosscountryError } from '../graph/errors.js';
import {
  eliminableVertices,
  isScalarGraph,
  nodeOfVertex,
  outputVertexIds,
  type Graph,
  type VertexId,
} from '../graph/graph.js';
import { vertexCutBounds } from './lower-bound.js';
import { searchProblem } from './problem.js';

/**
 * A mixed-integer linear program whose optimum is the cheapest vertex-elimination order of a scalar graph.
 *
 * The graph is first rewritten so that no eliminable vertex is an output: an output v that later
 * equations use gets a private sink v′ with the edge v→v′ (v′ stands for v once it is eliminated and
 * collects v's rows of the Jacobian). Eliminating v then costs |preds(v)|·|succs(v) \ {v′}|, exactly the
 * native count, and every eliminable vertex leaves the graph when eliminated.
 *
 * Variables (all in [0, 1]; only the order is integer):
 * - y(u, w) for u < w comparable (one reaches the other) eliminable vertices: 1 iff u goes first. Costs
 *   depend on the order of comparable pairs only, so incomparable pairs get no variable.
 * - h(a, b): the edge a→b exists at some time (constant 1 for an edge of the graph).
 * - p(a, x), s(x, b): a is a predecessor, b a successor of x when x is eliminated.
 * - z(a, x, b): eliminating x multiplies through a→x→b; the objective is Σ z.
 *
 * Constraints only force these up (the objective pushes them down), so any order gives a feasible point
 * at its exact cost, and any point with a consistent order costs at least that order's count:
 *   p(a, x) ≥ h(a, x) + [x before a] − 1,   s(x, b) ≥ h(x, b) + [x before b] − 1,
 *   z(a, x, b) ≥ p(a, x) + s(x, b) − 1,     h(a, b) ≥ z(a, x, b)   (fill-in).
 * Induction over the vertex of a path eliminated last shows they force the true edges. The order is kept
 * consistent by transitivity rows on chains u→v→w and by cycle cuts added lazily (cycleCuts). Per vertex
 * the static cut bounds (in, out) of lower-bound.ts add |P| ≥ in, |S| ≥ out and the McCormick rows
 * cost ≥ out·|P| + in·|S| − in·out and cost ≥ Pmax·|S| + Smax·|P| − Pmax·Smax, which tighten the LP.
 */
export interface MilpModel {
  readonly numCols: number;
  readonly colCost: Float64Array;
  readonly colLower: Float64Array;
  readonly colUpper: Float64Array;
  /** 1 for the order variables, 0 for the rest. */
  readonly integrality: Int32Array;
  readonly rows: RowSet;
  /** Eliminable vertices (the columns of the order), ascending. */
  readonly eliminable: readonly VertexId[];
  /** Number of order (integer) variables. */
  readonly orderVariables: number;
  /** The exact point of an order: every column's value and the order's cost under the model. */
  encode(order: readonly VertexId[]): { readonly colValue: Float64Array; readonly cost: number };
  /** A complete order from a solution: the order variables' arcs sorted topologically (cycles broken). */
  decode(colValue: ArrayLike<number>): VertexId[];
  /** The column of y(u, w) (1 iff u goes first) for comparable vertices u < w; undefined otherwise. */
  orderColumn(u: VertexId, w: VertexId): number | undefined;
  /** Rows Σ arcs ≤ length − 1 against order cycles in a solution (none when its order is consistent). */
  cycleCuts(colValue: ArrayLike<number>, maxCuts?: number): RowSet;
}

/** Rows lower ≤ Σ value·x[index] ≤ upper, compressed by row. */
export interface RowSet {
  readonly lower: number[];
  readonly upper: number[];
  readonly starts: number[];
  readonly indices: number[];
  readonly values: number[];
}

/** A graph the MILP does not model: tensor vertices, or structural (free) copy edges. */
export class MilpUnsupportedError extends CrosscountryError {
  override name = 'MilpUnsupportedError';
}

/** constant + Σ coefficient·x[column]. */
interface Affine {
  readonly constant: number;
  readonly terms: readonly (readonly [number, number])[];
}

const ONE: Affine = { constant: 1, terms: [] };
const variable = (col: number): Affine => ({ constant: 0, terms: [[col, 1]] });
const complement = (col: number): Affine => ({ constant: 1, terms: [[col, -1]] });

class RowBuilder implements RowSet {
  readonly lower: number[] = [];
  readonly upper: number[] = [];
  readonly starts: number[] = [0];
  readonly indices: number[] = [];
  readonly values: number[] = [];

  /** Σ coefficient·form ≥ bound (or ≤ bound with `atMost`), constants moved to the right. */
  add(parts: readonly (readonly [number, Affine])[], bound: number, atMost = false): void {
    const merged = new Map<number, number>();
    let rhs = bound;
    for (const [k, form] of parts) {
      rhs -= k * form.constant;
      for (const [col, c] of form.terms) merged.set(col, (merged.get(col) ?? 0) + k * c);
    }
    const terms = [...merged].filter(([, c]) => c !== 0);
    // A row without variables is a fact about constants: true rows are dropped (false ones cannot arise).
    if (terms.length === 0) return;
    this.lower.push(atMost ? -Infinity : rhs);
    this.upper.push(atMost ? rhs : Infinity);
    for (const [col, c] of terms) {
      this.indices.push(col);
      this.values.push(c);
    }
    this.starts.push(this.indices.length);
  }
}

export function buildMilpModel(graph: Graph): MilpModel {
  if (!isScalarGraph(graph))
    throw new MilpUnsupportedError('the milp method models scalar graphs only; this graph has tensor values');
  const local = localJacobians(graph, null);
  if (local.some((edges) => edges.some((e) => e.block.structural)))
    throw new MilpUnsupportedError(
      'the milp method does not model structural (free copy) edges; this graph has convert_element_type-like copies',
    );
  const numInputs = graph.inputs.length;
  const eliminable = eliminableVertices(graph);
  const outputs = outputVertexIds(graph);
  const eliminableOutputs = eliminable.filter((v) => outputs.has(v));
  // Nodes: inputs, then vertices (nodeOfVertex), then one private sink per eliminable output.
  const n = numInputs + graph.vertices.length + eliminableOutputs.length;
  const kind = new Uint8Array(n); // 0 input, 1 eliminable, 2 sink
  for (const v of graph.vertices) kind[nodeOfVertex(graph, v.id)] = 2;
  for (const v of eliminable) kind[nodeOfVertex(graph, v)] = 1;
  for (let k = numInputs + graph.vertices.length; k < n; k++) kind[k] = 2;
  const succ: number[][] = Array.from({ length: n }, () => []);
  local.forEach((edges, k) => {
    for (const { source } of edges) succ[source].push(numInputs + k);
  });
  const ownSink = new Map<number, number>();
  eliminableOutputs.forEach((v, k) => {
    const sink = numInputs + graph.vertices.length + k;
    succ[nodeOfVertex(graph, v)].push(sink);
    ownSink.set(nodeOfVertex(graph, v), sink);
  });
  const edge = new Uint8Array(n * n);
  for (let a = 0; a < n; a++) for (const b of succ[a]) edge[a * n + b] = 1;
  // Edges run from lower to higher node index, so one backward sweep gives reachability.
  const reach = new Uint8Array(n * n);
  for (let a = n - 1; a >= 0; a--) {
    for (const b of succ[a]) {
      reach[a * n + b] = 1;
      for (let c = b + 1; c < n; c++) if (reach[b * n + c]) reach[a * n + c] = 1;
    }
  }
  const ancestors = (x: number): number[] => {
    const out: number[] = [];
    for (let a = 0; a < x; a++) if (reach[a * n + x] && kind[a] !== 2) out.push(a);
    return out;
  };
  const descendants = (x: number): number[] => {
    const out: number[] = [];
    for (let b = x + 1; b < n; b++) if (reach[x * n + b]) out.push(b);
    return out;
  };

  const cost: number[] = [];
  const lower: number[] = [];
  const integer: number[] = [];
  const newColumn = (isInteger: boolean, objective = 0, lb = 0): number => {
    cost.push(objective);
    lower.push(lb);
    integer.push(isInteger ? 1 : 0);
    return cost.length - 1;
  };

  // Order variables on comparable eliminable pairs (u < w by node index).
  const yCol = new Map<number, number>();
  const elimNodes = eliminable.map((v) => nodeOfVertex(graph, v));
  for (const u of elimNodes)
    for (const w of elimNodes) if (u < w && reach[u * n + w]) yCol.set(u * n + w, newColumn(true));
  const orderVariables = yCol.size;
  /** [x is eliminated before a]; a constant 1 when a is never eliminated. */
  const before = (x: number, a: number): Affine => {
    if (kind[a] !== 1) return ONE;
    return x < a ? variable(yCol.get(x * n + a) as number) : complement(yCol.get(a * n + x) as number);
  };

  // Edge variables h(a, b): constant for the graph's edges; none where nothing reads them (input → sink).
  const hCol = new Map<number, number>();
  const h = (a: number, b: number): Affine | null => {
    if (edge[a * n + b]) return ONE;
    const key = a * n + b;
    const col = hCol.get(key);
    if (col !== undefined) return variable(col);
    if (kind[a] !== 1 && kind[b] !== 1) return null;
    const fresh = newColumn(false);
    hCol.set(key, fresh);
    return variable(fresh);
  };
  const rows = new RowBuilder();
  const atElimination = new Map<number, Affine>();
  /**
   * p(a, x) (neighbour a, edge a→x) or s(x, b) (neighbour b, edge x→b): the edge is there when x is
   * eliminated. Next to an input or a sink this is h itself (those neighbours never leave).
   */
  const link = (x: number, neighbour: number, from: number, to: number): Affine => {
    // p(a, x) and s(a, x) share the edge a→x but not the moment: the side is part of the key.
    const key = (from * n + to) * 2 + (neighbour === from ? 0 : 1);
    const known = atElimination.get(key);
    if (known) return known;
    const edgeForm = h(from, to) as Affine;
    let form = edgeForm;
    if (kind[neighbour] === 1) {
      form = variable(newColumn(false));
      rows.add(
        [
          [1, form],
          [-1, edgeForm],
          [-1, before(x, neighbour)],
        ],
        -1,
      );
    }
    atElimination.set(key, form);
    return form;
  };
  const p = (a: number, x: number): Affine => link(x, a, a, x);
  const s = (x: number, b: number): Affine => link(x, b, x, b);

  const cuts = vertexCutBounds(searchProblem(graph, 'native'));
  const zIndex = new Map<number, number>(); // key (a·n + x)·n + b
  for (const v of eliminable) {
    const x = nodeOfVertex(graph, v);
    const preds = ancestors(x);
    const succs = descendants(x).filter((b) => b !== ownSink.get(x));
    const pForms = preds.map((a) => p(a, x));
    const sForms = succs.map((b) => s(x, b));
    const zForms: Affine[] = [];
    preds.forEach((a, i) => {
      succs.forEach((b, j) => {
        const z = newColumn(false, 1);
        zIndex.set((a * n + x) * n + b, z);
        zForms.push(variable(z));
        rows.add(
          [
            [1, variable(z)],
            [-1, pForms[i]],
            [-1, sForms[j]],
          ],
          -1,
        );
        const hab = h(a, b);
        if (hab && hab.terms.length > 0)
          rows.add(
            [
              [1, hab],
              [-1, variable(z)],
            ],
            0,
          );
      });
      // The private sink inherits x's predecessors at no cost.
      const sink = ownSink.get(x);
      const has = sink === undefined ? null : h(a, sink);
      if (has && has.terms.length > 0)
        rows.add(
          [
            [1, has],
            [-1, pForms[i]],
          ],
          0,
        );
    });
    const cut = cuts.get(v);
    const cin = cut?.usable ? cut.in : 0;
    const cout = cut?.usable ? cut.out : 0;
    const pmax = preds.length;
    const smax = succs.length;
    const P = pForms.map((f) => [1, f] as const);
    const S = sForms.map((f) => [1, f] as const);
    const Z = zForms.map((f) => [1, f] as const);
    rows.add(P, cin);
    rows.add(S, cout);
    // (|P| − in)(|S| − out) ≥ 0 and (Pmax − |P|)(Smax − |S|) ≥ 0, with |P|·|S| = Σ z.
    rows.add(
      [...Z, ...P.map(([, f]) => [-cout, f] as const), ...S.map(([, f]) => [-cin, f] as const)],
      -cin * cout,
    );
    rows.add(
      [...Z, ...P.map(([, f]) => [-smax, f] as const), ...S.map(([, f]) => [-pmax, f] as const)],
      -pmax * smax,
    );
  }

  // Transitivity on chains u → v → w of eliminable vertices (both directions).
  for (const v of elimNodes) {
    const up = elimNodes.filter((u) => u < v && reach[u * n + v]);
    const down = elimNodes.filter((w) => w > v && reach[v * n + w]);
    for (const u of up)
      for (const w of down) {
        rows.add(
          [
            [1, before(u, v)],
            [1, before(v, w)],
            [-1, before(u, w)],
          ],
          1,
          true,
        );
        rows.add(
          [
            [1, before(v, u)],
            [1, before(w, v)],
            [-1, before(w, u)],
          ],
          1,
          true,
        );
      }
  }

  const numCols = cost.length;
  const vertexOfNode = (node: number): VertexId => node - numInputs + 1;

  const encode = (order: readonly VertexId[]): { colValue: Float64Array; cost: number } => {
    const value = new Float64Array(numCols);
    const position = new Map<number, number>();
    order.forEach((v, i) => position.set(nodeOfVertex(graph, v), i));
    for (const [key, col] of yCol) {
      const u = Math.floor(key / n);
      const w = key % n;
      value[col] = (position.get(u) as number) < (position.get(w) as number) ? 1 : 0;
    }
    const preds: Set<number>[] = Array.from({ length: n }, () => new Set());
    const succs: Set<number>[] = Array.from({ length: n }, () => new Set());
    const setH = (a: number, b: number): void => {
      const col = hCol.get(a * n + b);
      if (col !== undefined) value[col] = 1;
    };
    for (let a = 0; a < n; a++)
      for (const b of succ[a]) {
        succs[a].add(b);
        preds[b].add(a);
      }
    let total = 0;
    for (const v of order) {
      const x = nodeOfVertex(graph, v);
      const P = [...preds[x]];
      const S = [...succs[x]];
      for (const a of P) for (const f of atElimination.get((a * n + x) * 2)?.terms ?? []) value[f[0]] = 1;
      for (const b of S) for (const f of atElimination.get((x * n + b) * 2 + 1)?.terms ?? []) value[f[0]] = 1;
      for (const a of P) {
        succs[a].delete(x);
        for (const b of S) {
          const z = zIndex.get((a * n + x) * n + b);
          if (z !== undefined) {
            value[z] = 1;
            total++;
          }
          succs[a].add(b);
          preds[b].add(a);
          setH(a, b);
        }
      }
      for (const b of S) preds[b].delete(x);
    }
    return { colValue: value, cost: total };
  };

  /** Arcs u → w (u first) of a solution's order, by node. */
  const arcsOf = (colValue: ArrayLike<number>): Map<number, number[]> => {
    const arcs = new Map<number, number[]>(elimNodes.map((u) => [u, []]));
    for (const [key, col] of yCol) {
      const u = Math.floor(key / n);
      const w = key % n;
      if (colValue[col] > 0.5) (arcs.get(u) as number[]).push(w);
      else (arcs.get(w) as number[]).push(u);
    }
    return arcs;
  };

  const decode = (colValue: ArrayLike<number>): VertexId[] => {
    const arcs = arcsOf(colValue);
    const indegree = new Map<number, number>(elimNodes.map((u) => [u, 0]));
    for (const ws of arcs.values()) for (const w of ws) indegree.set(w, (indegree.get(w) as number) + 1);
    const left = new Set(elimNodes);
    const order: VertexId[] = [];
    while (left.size > 0) {
      // Kahn's rule; inside a cycle the vertex with the fewest remaining arcs in goes first.
      let pick = -1;
      for (const u of left)
        if (pick < 0 || (indegree.get(u) as number) < (indegree.get(pick) as number)) pick = u;
      left.delete(pick);
      order.push(vertexOfNode(pick));
      for (const w of arcs.get(pick) as number[]) indegree.set(w, (indegree.get(w) as number) - 1);
    }
    return order;
  };

  const cycleCuts = (colValue: ArrayLike<number>, maxCuts = 200): RowSet => {
    const arcs = arcsOf(colValue);
    const out = new RowBuilder();
    const seen = new Set<string>();
    for (const start of elimNodes) {
      if (out.lower.length >= maxCuts) break;
      // Shortest cycle through `start`: breadth-first from its successors back to it.
      const parent = new Map<number, number>([[start, -1]]);
      const queue = [start];
      let closing = -1;
      for (let qi = 0; qi < queue.length && closing < 0; qi++) {
        const u = queue[qi];
        for (const w of arcs.get(u) as number[]) {
          if (w === start) {
            closing = u;
            break;
          }
          if (!parent.has(w)) {
            parent.set(w, u);
            queue.push(w);
          }
        }
      }
      if (closing < 0) continue;
      const cycle: number[] = [];
      for (let u = closing; u !== -1; u = parent.get(u) as number) cycle.push(u);
      cycle.reverse();
      const key = [...cycle].sort((a, b) => a - b).join(',');
      if (seen.has(key)) continue;
      seen.add(key);
      out.add(
        cycle.map((u, i) => [1, before(u, cycle[(i + 1) % cycle.length])] as const),
        cycle.length - 1,
        true,
      );
    }
    return out;
  };

  return {
    numCols,
    colCost: Float64Array.from(cost),
    colLower: Float64Array.from(lower),
    colUpper: new Float64Array(numCols).fill(1),
    integrality: Int32Array.from(integer),
    rows,
    eliminable,
    orderVariables,
    encode,
    decode,
    orderColumn: (u, w) => yCol.get(nodeOfVertex(graph, u) * n + nodeOfVertex(graph, w)),
    cycleCuts,
  };
}
