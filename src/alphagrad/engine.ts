import { greedyMinimumOrder } from '../elimination/markowitz.js';
import { eliminableVertices, outputVertexIds, type Graph, type VertexId } from '../graph/graph.js';
import { alphagradEdges } from './encode.js';
import { NUM_TYPES, OFFSET, sparsityTables, type SparsityTables } from './tables.js';

/**
 * The `alphagrad` cost model: AlphaGrad's vertex game on its edge encoding, reproduced exactly
 * (alphagrad-spec §2, §6) so our counts can be compared with the paper's. State is an edge table over
 * (source node, target vertex) with a type and four shape entries per edge, in typed arrays.
 */
export class AlphagradEngine {
  readonly numInputs: number;
  readonly numVertices: number;
  private readonly type: Int8Array;
  /** out_d1, out_d2, in_d1, in_d2 per edge slot. */
  private readonly dims: Int32Array;
  private readonly eliminated: Uint8Array;
  private readonly isOutput: Uint8Array;
  private readonly tables: SparsityTables;
  /** Reused buffer of in-edge slots (one per node at most). */
  private readonly scratch: Int32Array;

  private constructor(
    numInputs: number,
    numVertices: number,
    type: Int8Array,
    dims: Int32Array,
    eliminated: Uint8Array,
    isOutput: Uint8Array,
  ) {
    this.numInputs = numInputs;
    this.numVertices = numVertices;
    this.type = type;
    this.dims = dims;
    this.eliminated = eliminated;
    this.isOutput = isOutput;
    this.tables = sparsityTables();
    this.scratch = new Int32Array(numInputs + numVertices);
  }

  static fromGraph(graph: Graph): AlphagradEngine {
    const ni = graph.inputs.length;
    const nv = graph.vertices.length;
    const slots = (ni + nv) * nv;
    const e = new AlphagradEngine(
      ni,
      nv,
      new Int8Array(slots),
      new Int32Array(4 * slots),
      new Uint8Array(nv),
      new Uint8Array(nv),
    );
    for (const id of outputVertexIds(graph)) e.isOutput[id - 1] = 1;
    for (const edge of alphagradEdges(graph)) {
      const slot = edge.source * nv + edge.target - 1;
      e.type[slot] = edge.type;
      e.dims.set([...edge.outShape, ...edge.inShape], 4 * slot);
    }
    return e;
  }

  clone(): AlphagradEngine {
    return new AlphagradEngine(
      this.numInputs,
      this.numVertices,
      this.type.slice(),
      this.dims.slice(),
      this.eliminated.slice(),
      this.isOutput,
    );
  }

  isEliminated(id: VertexId): boolean {
    return this.eliminated[id - 1] === 1;
  }

  /** Edge type of source node → target vertex (0 = none); the encoding as the game sees it. */
  edgeType(sourceNode: number, target: VertexId): number {
    return this.type[sourceNode * this.numVertices + target - 1];
  }

  /** Whether the edge source node → target node exists now (target a vertex node). */
  hasEdge(sourceNode: number, targetNode: number): boolean {
    return this.type[sourceNode * this.numVertices + targetNode - this.numInputs] !== 0;
  }

  predecessors(node: number): number[] {
    const out: number[] = [];
    if (node < this.numInputs) return out;
    const nv = this.numVertices;
    for (let p = 0, slot = node - this.numInputs; p < this.numInputs + nv; p++, slot += nv)
      if (this.type[slot] !== 0) out.push(p);
    return out;
  }

  successors(node: number): number[] {
    const out: number[] = [];
    const nv = this.numVertices;
    for (let s = 0, slot = node * nv; s < nv; s++, slot++)
      if (this.type[slot] !== 0) out.push(this.numInputs + s);
    return out;
  }

  /** Cost of one product of in-edge slot `ie` (p→v) and out-edge slot `oe` (v→s) (alphagrad-spec §2.2). */
  private productCost(ie: number, oe: number): number {
    const i = this.type[ie] + OFFSET;
    const j = this.type[oe] + OFFSET;
    if (i === 10 + OFFSET && j === 10 + OFFSET) return 1;
    const d = this.dims;
    const plane = NUM_TYPES * NUM_TYPES;
    const contraction = this.tables.contraction;
    let any = false;
    let cost = 1;
    // Factors k = 0..5: succ_d1, succ_d2, |v_d1|, |v_d2|, pred_d1, pred_d2 (no array: this is the hot loop).
    for (let k = 0; k < 6; k++) {
      if (contraction[k * plane + i * NUM_TYPES + j] !== 1) continue;
      any = true;
      const factor = k < 2 ? d[4 * oe + k] : k < 4 ? Math.abs(d[4 * oe + k]) : d[4 * ie + k - 2];
      cost *= factor < 0 ? 1 : factor;
    }
    return any ? cost : 0;
  }

  /** What eliminating `id` would cost now, without changing the state. */
  eliminationCost(id: VertexId): number {
    if (this.eliminated[id - 1]) return 0;
    const nv = this.numVertices;
    const row = this.numInputs + id - 1;
    // Collect the in-edge slots once: the observation asks this for every vertex at every position.
    const inSlots = this.scratch;
    let count = 0;
    for (let p = 0, ie = id - 1; p < this.numInputs + nv; p++, ie += nv)
      if (this.type[ie] !== 0) inSlots[count++] = ie;
    let total = 0;
    for (let s = 0; s < nv; s++) {
      const oe = row * nv + s;
      if (this.type[oe] === 0) continue;
      for (let k = 0; k < count; k++) total += this.productCost(inSlots[k], oe);
    }
    return total;
  }

  /** Eliminates vertex `id` and returns its cost; an eliminated vertex costs 0 (alphagrad-spec §2.3). */
  eliminate(id: VertexId): number {
    if (this.eliminated[id - 1]) return 0;
    const nv = this.numVertices;
    const nodes = this.numInputs + nv;
    const row = this.numInputs + id - 1;
    const col = id - 1;
    const { mul, add } = this.tables;
    let total = 0;
    for (let s = 0; s < nv; s++) {
      const oe = row * nv + s;
      if (this.type[oe] === 0) continue;
      for (let p = 0; p < nodes; p++) {
        const ie = p * nv + col;
        if (this.type[ie] === 0) continue;
        total += this.productCost(ie, oe);
        const product = mul[(this.type[ie] + OFFSET) * NUM_TYPES + this.type[oe] + OFFSET];
        const target = p * nv + s;
        this.type[target] = add[(this.type[target] + OFFSET) * NUM_TYPES + product + OFFSET];
        this.dims[4 * target] = this.dims[4 * oe];
        this.dims[4 * target + 1] = this.dims[4 * oe + 1];
        this.dims[4 * target + 2] = this.dims[4 * ie + 2];
        this.dims[4 * target + 3] = this.dims[4 * ie + 3];
      }
    }
    this.clearSlots(row * nv, 1, nv);
    // AlphaGrad zeroes the in-edges too; an output that later equations use keeps them (its Jacobian block).
    if (!this.isOutput[col]) this.clearSlots(col, nv, nodes);
    this.eliminated[col] = 1;
    return total;
  }

  private clearSlots(start: number, stride: number, count: number): void {
    for (let k = 0, slot = start; k < count; k++, slot += stride) {
      this.type[slot] = 0;
      this.dims.fill(0, 4 * slot, 4 * slot + 4);
    }
  }

  /**
   * AlphaGrad's sparsity-aware Markowitz degree (alphagrad-spec §6): Σ over out-edges × Σ over in-edges
   * of a per-edge weight: the vertex size for dense edges, 1 for element-wise ones, else one target dim.
   */
  markowitzDegree(id: VertexId): number {
    const nv = this.numVertices;
    const row = this.numInputs + id - 1;
    let out = 0;
    for (let s = 0; s < nv; s++) out += this.edgeWeight(row * nv + s, 'out');
    let inn = 0;
    for (let p = 0; p < this.numInputs + nv; p++) inn += this.edgeWeight(p * nv + id - 1, 'in');
    return out * inn;
  }

  private edgeWeight(slot: number, side: 'in' | 'out'): number {
    const t = this.type[slot];
    const d = this.dims;
    if (t === 0) return 0;
    if (t === 1) return side === 'out' ? d[4 * slot + 2] * d[4 * slot + 3] : d[4 * slot] * d[4 * slot + 1];
    if (t === 6 || t === 7 || t === 8) return 1;
    // SPARSITY_MAP[type − 2] with JAX's index wrap-and-clamp: types 3, 4, −1 read out_d1, all others out_d2.
    return t === 3 || t === 4 || t === -1 ? d[4 * slot] : d[4 * slot + 1];
  }
}

/** Total alphagrad-model multiplications of an order (no validation; see countOrderAlphagrad). */
export function alphagradOrderCost(
  graph: Graph,
  order: readonly VertexId[],
): { multiplications: number; steps: { vertex: VertexId; multiplications: number }[] } {
  const engine = AlphagradEngine.fromGraph(graph);
  const steps = order.map((vertex) => ({ vertex, multiplications: engine.eliminate(vertex) }));
  return { multiplications: steps.reduce((s, x) => s + x.multiplications, 0), steps };
}

/** AlphaGrad's greedy minimal-Markowitz order: smallest sparsity-aware degree, ties to the lowest vertex. */
export function alphagradMarkowitzOrder(graph: Graph): VertexId[] {
  return greedyMinimumOrder(eliminableVertices(graph), AlphagradEngine.fromGraph(graph));
}
