import type { VertexId } from '../graph/graph.js';
import type { CostState } from './problem.js';

/**
 * Per-state lower bounds for A* over eliminated-vertex sets (scalar graphs): for every vertex v still to
 * be eliminated, mincut(inputs → v) · mincut(v → outputs) measured on the partially eliminated graph.
 *
 * Why this is admissible and consistent. Write Preds_E(v) / Succs_E(v) for v's neighbours after the set E
 * is eliminated; they are the nodes joined to v by a path whose inner nodes all lie in E (eliminating u
 * joins every predecessor of u to every successor of u). Eliminating v at E costs |Preds_E(v)|·|Succs_E(v)|
 * on vertices without copy (structural) edges, and vertices without such edges never gain one (a new
 * structural edge u→w needs u→x and x→w structural, so u and w had one already).
 * (1) Preds_E(v) separates v from the inputs in the graph G_E (every path into v ends in a predecessor),
 *     so |Preds_E(v)| ≥ mincut_{G_E}(inputs → v); likewise for successors and outputs.
 * (2) Cuts never shrink: if G' = G_E with one more vertex u eliminated, a vertex cut C of G' between
 *     inputs and v is one of G_E too. A path of G_E avoiding u is a path of G' (no edge is removed except
 *     those at u); a path through u, …p → u → s…, becomes …p → s… in G', which C meets at a node other
 *     than u, a node of the original path. So mincut_{G_E} ≤ mincut_{G'}, and the same for outputs.
 * Hence the final cost of v is at least its bound at any earlier state, h(E) = Σ_v bound_E(v) ≤ cost of
 * any completion, and h(E) ≤ cost(u at E) + h(E ∪ {u}) (the u term is paid now, the others only grow):
 * h is consistent. Adding min over the next possible moves w of (cost_E(w) − bound_E(w)) keeps both
 * properties (some w is eliminated next and pays at least bound_E(w) + that excess); exact search uses
 * that sum only to prune.
 */
export class CutFlow {
  private numNodes = 0;
  private head = new Int32Array(0);
  private to = new Int32Array(0);
  private rev = new Int32Array(0);
  private baseCap = new Int32Array(0);
  private cap = new Int32Array(0);
  private via = new Int32Array(0);
  private seen = new Int32Array(0);
  private queue = new Int32Array(0);
  private epoch = 0;

  /**
   * Loads a graph (`adj[x]`: the nodes x leads to, in the direction the cuts are taken) and the target
   * nodes. Node x becomes an in-copy 2x and an out-copy 2x + 1 joined by a unit arc (node capacity);
   * edges and arcs into the sink 2n have capacity n + 1 (never cut).
   */
  load(adj: readonly (readonly number[])[], targets: readonly number[]): void {
    const n = adj.length;
    this.numNodes = n;
    const sink = 2 * n;
    let edges = 0;
    for (const list of adj) edges += list.length;
    const arcs = n + edges + targets.length;
    const from = new Int32Array(arcs);
    const dest = new Int32Array(arcs);
    const caps = new Int32Array(arcs);
    let a = 0;
    const add = (x: number, y: number, c: number): void => {
      from[a] = x;
      dest[a] = y;
      caps[a++] = c;
    };
    for (let x = 0; x < n; x++) {
      add(2 * x, 2 * x + 1, 1);
      for (const y of adj[x]) add(2 * x + 1, 2 * y, n + 1);
    }
    for (const t of targets) add(2 * t + 1, sink, n + 1);
    // Compressed rows over the 2n + 1 split nodes; every arc has a residual twin in the other row.
    const rows = 2 * n + 1;
    const head = new Int32Array(rows + 1);
    for (let i = 0; i < arcs; i++) {
      head[from[i] + 1]++;
      head[dest[i] + 1]++;
    }
    for (let r = 0; r < rows; r++) head[r + 1] += head[r];
    const fill = head.slice(0, rows);
    const to = new Int32Array(2 * arcs);
    const rev = new Int32Array(2 * arcs);
    const baseCap = new Int32Array(2 * arcs);
    for (let i = 0; i < arcs; i++) {
      const f = fill[from[i]]++;
      const b = fill[dest[i]]++;
      to[f] = dest[i];
      to[b] = from[i];
      rev[f] = b;
      rev[b] = f;
      baseCap[f] = caps[i];
    }
    this.head = head;
    this.to = to;
    this.rev = rev;
    this.baseCap = baseCap;
    this.cap = new Int32Array(2 * arcs);
    if (this.via.length < rows) {
      this.via = new Int32Array(rows);
      this.seen = new Int32Array(rows);
      this.queue = new Int32Array(rows);
      this.epoch = 0;
    }
  }

  /**
   * min(limit, the fewest nodes other than `from` whose removal separates `from` from every target);
   * targets may be cut, and `from` itself never counts as a target. Augmenting paths by breadth-first
   * search, stopping as soon as `limit` paths are found (the caller knows the cut is at most that).
   */
  cut(from: number, limit: number): number {
    const { head, to, rev, cap, via, seen, queue } = this;
    const sink = 2 * this.numNodes;
    const source = 2 * from + 1;
    cap.set(this.baseCap);
    let flow = 0;
    while (flow < limit) {
      const epoch = ++this.epoch;
      seen[source] = epoch;
      seen[2 * from] = epoch;
      queue[0] = source;
      let found = false;
      for (let qi = 0, qn = 1; qi < qn && !found; qi++) {
        const a = queue[qi];
        for (let e = head[a]; e < head[a + 1]; e++) {
          const b = to[e];
          if (cap[e] <= 0 || seen[b] === epoch || (a === source && b === sink)) continue;
          seen[b] = epoch;
          via[b] = e;
          if (b === sink) {
            found = true;
            break;
          }
          queue[qn++] = b;
        }
      }
      if (!found) break;
      for (let b = sink; b !== source;) {
        const e = via[b];
        cap[e]--;
        cap[rev[e]]++;
        b = to[rev[e]];
      }
      flow++;
    }
    return flow;
  }
}

/**
 * The cheap per-state bound of one vertex: its static cuts, raised by the neighbours it can never lose
 * (input predecessors, pure-output successors); 0 where no bound applies.
 */
export function permanentCutBound(
  state: CostState,
  vertex: VertexId,
  usable: boolean,
  staticIn: number,
  staticOut: number,
): number {
  if (!usable) return 0;
  const [pin, pout] = state.permanentDegrees ? state.permanentDegrees(vertex) : [0, 0];
  return Math.max(staticIn, pin) * Math.max(staticOut, pout);
}

/** What the per-state bound needs to know about the vertices of a search, fixed for the whole search. */
export interface BoundVertices {
  /** Node index (inputs first, then vertices) of each search vertex. */
  readonly nodes: readonly number[];
  /** Whether the bound applies (no copy edges at the vertex): else it is 0. */
  readonly usable: readonly boolean[];
  /** The static cuts (on the original graph): lower limits of the current ones. */
  readonly staticIn: readonly number[];
  readonly staticOut: readonly number[];
  /** Input nodes and output nodes of the graph. */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly numNodes: number;
}

/** Computes bound_E(v) for the remaining vertices of one state into `out`; returns how many max-flows ran. */
export class StateBound {
  private readonly inFlow = new CutFlow();
  private readonly outFlow = new CutFlow();

  constructor(private readonly vertices: BoundVertices) {}

  /**
   * `remaining[i]` says whether search vertex i is still to be eliminated; `shareWith[i] >= 0` names a
   * vertex whose bound equals i's (a false twin), computed once.
   */
  compute(
    state: CostState,
    remaining: (i: number) => boolean,
    shareWith: readonly number[],
    out: Float64Array,
  ): number {
    const { nodes, usable, staticIn, staticOut, inputs, outputs, numNodes } = this.vertices;
    let loaded = false;
    let flows = 0;
    const pred: number[][] = [];
    const succ: number[][] = [];
    const load = (): void => {
      for (let x = 0; x < numNodes; x++) {
        pred.push(state.predecessors(x));
        succ.push(state.successors(x));
      }
      this.inFlow.load(pred, inputs);
      this.outFlow.load(succ, outputs);
      loaded = true;
    };
    for (let i = 0; i < nodes.length; i++) {
      if (!remaining(i)) continue;
      if (!usable[i]) {
        out[i] = 0;
        continue;
      }
      if (shareWith[i] >= 0 && shareWith[i] < i && remaining(shareWith[i])) {
        out[i] = out[shareWith[i]];
        continue;
      }
      const node = nodes[i];
      // A cut is at most the neighbour count now and at least the static cut: equal means no flow needed.
      const inNow = state.predecessors(node).length;
      const outNow = state.successors(node).length;
      let cin = inNow;
      let cout = outNow;
      if (staticIn[i] < inNow && cout > 0) {
        if (!loaded) load();
        cin = this.inFlow.cut(node, inNow);
        flows++;
      }
      if (staticOut[i] < outNow && cin > 0) {
        if (!loaded) load();
        cout = this.outFlow.cut(node, outNow);
        flows++;
      }
      out[i] = cin * cout;
    }
    return flows;
  }
}
