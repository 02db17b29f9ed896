import { nodeOfVertex, outputVertexIds, type Graph, type VertexId } from '../graph/graph.js';
import type { LocalEdge } from '../evaluate/linearize.js';
import { ScalarCostEngine } from './scalar-engine.js';

/**
 * The cost-only engine for large scalar graphs: adjacency maps per node (successor/predecessor → whether
 * the edge is structural, a free 0/1 copy), so memory is O(V + E) and eliminating a vertex costs time
 * proportional to the edges it touches. Same costs and rules as the bit-matrix ScalarCostEngine, which
 * needs O(V²) memory: eliminating v costs |valued preds(v)|·|valued succs(v)|; a new edge u→w is structural
 * only if u→v and v→w are and u→w did not exist; outputs that later equations use keep their in-edges.
 */
export class SparseScalarEngine {
  readonly numNodes: number;
  readonly numInputs: number;
  private readonly succ: Map<number, boolean>[];
  private readonly pred: Map<number, boolean>[];
  /** Valued (non-structural) successor and predecessor counts per node: costs in O(1). */
  private readonly valuedSucc: Int32Array;
  private readonly valuedPred: Int32Array;
  private readonly isOutput: Uint8Array;
  private readonly isPureOutput: Uint8Array;
  private readonly eliminated: Uint8Array;

  private constructor(
    numInputs: number,
    succ: Map<number, boolean>[],
    pred: Map<number, boolean>[],
    valuedSucc: Int32Array,
    valuedPred: Int32Array,
    isOutput: Uint8Array,
    isPureOutput: Uint8Array,
    eliminated: Uint8Array,
  ) {
    this.numInputs = numInputs;
    this.numNodes = succ.length;
    this.succ = succ;
    this.pred = pred;
    this.valuedSucc = valuedSucc;
    this.valuedPred = valuedPred;
    this.isOutput = isOutput;
    this.isPureOutput = isPureOutput;
    this.eliminated = eliminated;
  }

  /** From a graph's local Jacobian structure (`localJacobians(graph, null)`). */
  static fromGraph(graph: Graph, local: readonly (readonly LocalEdge[])[]): SparseScalarEngine {
    const numInputs = graph.inputs.length;
    const numNodes = numInputs + graph.vertices.length;
    const engine = new SparseScalarEngine(
      numInputs,
      Array.from({ length: numNodes }, () => new Map<number, boolean>()),
      Array.from({ length: numNodes }, () => new Map<number, boolean>()),
      new Int32Array(numNodes),
      new Int32Array(numNodes),
      new Uint8Array(numNodes),
      new Uint8Array(numNodes),
      new Uint8Array(numNodes),
    );
    for (const id of outputVertexIds(graph)) engine.isOutput[nodeOfVertex(graph, id)] = 1;
    local.forEach((edges, k) => {
      for (const { source, block } of edges) engine.addEdge(source, numInputs + k, block.structural);
    });
    for (let w = 0; w < numNodes; w++)
      if (engine.isOutput[w] && engine.succ[w].size === 0) engine.isPureOutput[w] = 1;
    return engine;
  }

  private addEdge(u: number, w: number, structural: boolean): void {
    this.succ[u].set(w, structural);
    this.pred[w].set(u, structural);
    if (!structural) {
      this.valuedSucc[u]++;
      this.valuedPred[w]++;
    }
  }

  clone(): SparseScalarEngine {
    return new SparseScalarEngine(
      this.numInputs,
      this.succ.map((m) => new Map(m)),
      this.pred.map((m) => new Map(m)),
      this.valuedSucc.slice(),
      this.valuedPred.slice(),
      this.isOutput,
      this.isPureOutput,
      this.eliminated.slice(),
    );
  }

  /**
   * The sub-game of eliminating `ids` (none eliminated yet) from the current state, as a small bit-matrix
   * engine:
   * vertex k + 1 of the result is ids[k], then their current neighbours follow as never-eliminated nodes.
   * Only edges with an end in `ids` are kept: eliminating them creates or changes edges between their
   * neighbours, but those edges never enter the cost of a vertex of `ids`, so every order of `ids` costs
   * the same here as in this engine, and leaves this engine in the same state whatever the order.
   */
  extractLocal(ids: readonly VertexId[]): ScalarCostEngine {
    const localOf = new Map<number, number>();
    ids.forEach((id, k) => localOf.set(this.numInputs + id - 1, k));
    const local = (node: number): number => {
      let k = localOf.get(node);
      if (k === undefined) localOf.set(node, (k = localOf.size));
      return k;
    };
    const edges: [number, number, boolean][] = [];
    for (const id of ids) {
      const v = this.numInputs + id - 1;
      for (const [w, s] of this.succ[v]) edges.push([local(v), local(w), s]);
      // In-edges from a vertex of `ids` are its out-edges, added there.
      for (const [u, s] of this.pred[v]) {
        const k = localOf.get(u);
        if (k === undefined || k >= ids.length) edges.push([local(u), local(v), s]);
      }
    }
    const isOutput = new Uint8Array(localOf.size);
    ids.forEach((id, k) => (isOutput[k] = this.isOutput[this.numInputs + id - 1]));
    return ScalarCostEngine.fromEdges(localOf.size, edges, isOutput);
  }

  isEliminated(id: VertexId): boolean {
    return this.eliminated[this.numInputs + id - 1] === 1;
  }

  /** Predecessors that are inputs and successors that are pure outputs: neighbours never lost. */
  permanentDegrees(id: VertexId): readonly [number, number] {
    const v = this.numInputs + id - 1;
    let inputs = 0;
    let outputs = 0;
    for (const u of this.pred[v].keys()) if (u < this.numInputs) inputs++;
    for (const w of this.succ[v].keys()) if (this.isPureOutput[w]) outputs++;
    return [inputs, outputs];
  }

  hasEdge(sourceNode: number, targetNode: number): boolean {
    return this.succ[sourceNode].has(targetNode);
  }

  predecessors(node: number): number[] {
    return [...this.pred[node].keys()].sort((a, b) => a - b);
  }

  successors(node: number): number[] {
    return [...this.succ[node].keys()].sort((a, b) => a - b);
  }

  /** Nodes adjacent to a node now, either way (unsorted): whose scores an elimination can change. */
  neighbours(node: number): IterableIterator<number>[] {
    return [this.pred[node].keys(), this.succ[node].keys()];
  }

  /** |preds|·|succs| now, counting every adjacent node (inputs, outputs and structural edges included). */
  markowitzDegree(id: VertexId): number {
    const v = this.numInputs + id - 1;
    return this.pred[v].size * this.succ[v].size;
  }

  /** Multiplications eliminating this vertex would cost now. */
  eliminationCost(id: VertexId): number {
    const v = this.numInputs + id - 1;
    return this.valuedPred[v] * this.valuedSucc[v];
  }

  /** Degrees now: all and valued predecessors and successors (for heuristic scores). */
  degrees(id: VertexId): { preds: number; succs: number; valuedPreds: number; valuedSuccs: number } {
    const v = this.numInputs + id - 1;
    return {
      preds: this.pred[v].size,
      succs: this.succ[v].size,
      valuedPreds: this.valuedPred[v],
      valuedSuccs: this.valuedSucc[v],
    };
  }

  /** Eliminates a vertex and returns its cost. Eliminating a vertex twice costs 0 and changes nothing. */
  eliminate(id: VertexId): number {
    const v = this.numInputs + id - 1;
    if (this.eliminated[v]) return 0;
    this.eliminated[v] = 1;
    const cost = this.valuedPred[v] * this.valuedSucc[v];
    const keepInEdges = this.isOutput[v] === 1;
    const succV = this.succ[v];
    for (const [u, uvStructural] of this.pred[v]) {
      const succU = this.succ[u];
      for (const [w, vwStructural] of succV) {
        const old = succU.get(w);
        if (old === undefined) {
          this.addEdge(u, w, uvStructural && vwStructural);
        } else if (old) {
          // A sum onto an existing copy carries values: the edge is no longer free.
          succU.set(w, false);
          this.pred[w].set(u, false);
          this.valuedSucc[u]++;
          this.valuedPred[w]++;
        }
      }
      if (!keepInEdges) {
        succU.delete(v);
        if (!uvStructural) this.valuedSucc[u]--;
      }
    }
    for (const [w, vwStructural] of succV) {
      this.pred[w].delete(v);
      if (!vwStructural) this.valuedPred[w]--;
    }
    succV.clear();
    this.valuedSucc[v] = 0;
    if (!keepInEdges) {
      this.pred[v].clear();
      this.valuedPred[v] = 0;
    }
    return cost;
  }
}
