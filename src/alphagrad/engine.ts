import { greedyMinimumOrder } from '../elimination/markowitz.js';
import { eliminableVertices, outputVertexIds, type Graph, type VertexId } from '../graph/graph.js';
import { alphagradEdges } from './encode.js';
import { NUM_TYPES, OFFSET, sparsityTables, type SparsityTables } from './tables.js';

/**
 * The `alphagrad` cost model: AlphaGrad's vertex game on its edge encoding, reproduced exactly
 * (alphagrad-spec §2, §6) so our counts can be compared with the paper's. State is an edge table over
 * (source node, target vertex) with a type and four shape entries per edge, in typed arrays, one row per
 * source node.
 *
 * Rows are copy-on-write between a state and its clones: eliminating v writes only the rows of v and of
 * its predecessors, so a search expansion (clone + eliminate) copies O(degree) rows instead of the whole
 * (inputs + vertices) × vertices table.
 */
export class AlphagradEngine {
  readonly numInputs: number;
  readonly numVertices: number;
  /** Per source node: the edge type to each target vertex (0 = none). */
  private readonly types: Int8Array[];
  /** Per source node: out_d1, out_d2, in_d1, in_d2 of the edge to each target vertex. */
  private readonly dims: Int32Array[];
  /** 1 where this state may write the row in place; 0 while it may be shared with a clone. */
  private readonly owned: Uint8Array;
  private readonly eliminated: Uint8Array;
  private readonly isOutput: Uint8Array;
  private readonly tables: SparsityTables;
  /** Reused buffer of in-edge source nodes (one per node at most). */
  private readonly scratch: Int32Array;

  private constructor(
    numInputs: number,
    numVertices: number,
    types: Int8Array[],
    dims: Int32Array[],
    owned: Uint8Array,
    eliminated: Uint8Array,
    isOutput: Uint8Array,
  ) {
    this.numInputs = numInputs;
    this.numVertices = numVertices;
    this.types = types;
    this.dims = dims;
    this.owned = owned;
    this.eliminated = eliminated;
    this.isOutput = isOutput;
    this.tables = sparsityTables();
    this.scratch = new Int32Array(numInputs + numVertices);
  }

  static fromGraph(graph: Graph): AlphagradEngine {
    const ni = graph.inputs.length;
    const nv = graph.vertices.length;
    const nodes = ni + nv;
    const { types, dims } = contiguousRows(nodes, nv);
    const e = new AlphagradEngine(
      ni,
      nv,
      types,
      dims,
      new Uint8Array(nodes).fill(1),
      new Uint8Array(nv),
      new Uint8Array(nv),
    );
    for (const id of outputVertexIds(graph)) e.isOutput[id - 1] = 1;
    for (const edge of alphagradEdges(graph)) {
      e.types[edge.source][edge.target - 1] = edge.type;
      e.dims[edge.source].set([...edge.outShape, ...edge.inShape], 4 * (edge.target - 1));
    }
    return e;
  }

  /**
   * An independent state. By default the rows are shared until either side writes one (both lose write
   * ownership); `copyOnWrite = false` copies the whole table at once (the former behaviour, kept for the
   * self-play benchmark).
   */
  clone(copyOnWrite = true): AlphagradEngine {
    const nodes = this.types.length;
    if (!copyOnWrite) {
      const { types, dims } = contiguousRows(nodes, this.numVertices);
      for (let p = 0; p < nodes; p++) {
        types[p].set(this.types[p]);
        dims[p].set(this.dims[p]);
      }
      return new AlphagradEngine(
        this.numInputs,
        this.numVertices,
        types,
        dims,
        new Uint8Array(nodes).fill(1),
        this.eliminated.slice(),
        this.isOutput,
      );
    }
    this.owned.fill(0);
    return new AlphagradEngine(
      this.numInputs,
      this.numVertices,
      this.types.slice(),
      this.dims.slice(),
      new Uint8Array(nodes),
      this.eliminated.slice(),
      this.isOutput,
    );
  }

  /** Makes row `p` private to this state before a write. */
  private own(p: number): void {
    if (this.owned[p]) return;
    this.types[p] = this.types[p].slice();
    this.dims[p] = this.dims[p].slice();
    this.owned[p] = 1;
  }

  isEliminated(id: VertexId): boolean {
    return this.eliminated[id - 1] === 1;
  }

  /** Edge type of source node → target vertex (0 = none); the encoding as the game sees it. */
  edgeType(sourceNode: number, target: VertexId): number {
    return this.types[sourceNode][target - 1];
  }

  /** Whether the edge source node → target node exists now (target a vertex node). */
  hasEdge(sourceNode: number, targetNode: number): boolean {
    return this.types[sourceNode][targetNode - this.numInputs] !== 0;
  }

  predecessors(node: number): number[] {
    const out: number[] = [];
    if (node < this.numInputs) return out;
    const col = node - this.numInputs;
    for (let p = 0; p < this.types.length; p++) if (this.types[p][col] !== 0) out.push(p);
    return out;
  }

  successors(node: number): number[] {
    const out: number[] = [];
    const row = this.types[node];
    for (let s = 0; s < this.numVertices; s++) if (row[s] !== 0) out.push(this.numInputs + s);
    return out;
  }

  /**
   * Cost of one product of the in-edge p→v and the out-edge v→s (alphagrad-spec §2.2); v is the vertex
   * index `col` and `row` is its node.
   */
  private productCost(p: number, col: number, row: number, s: number): number {
    const i = this.types[p][col] + OFFSET;
    const j = this.types[row][s] + OFFSET;
    if (i === 10 + OFFSET && j === 10 + OFFSET) return 1;
    const dIn = this.dims[p];
    const dOut = this.dims[row];
    const plane = NUM_TYPES * NUM_TYPES;
    const contraction = this.tables.contraction;
    let any = false;
    let cost = 1;
    // Factors k = 0..5: succ_d1, succ_d2, |v_d1|, |v_d2|, pred_d1, pred_d2 (no array: this is the hot loop).
    for (let k = 0; k < 6; k++) {
      if (contraction[k * plane + i * NUM_TYPES + j] !== 1) continue;
      any = true;
      const factor = k < 2 ? dOut[4 * s + k] : k < 4 ? Math.abs(dOut[4 * s + k]) : dIn[4 * col + k - 2];
      cost *= factor < 0 ? 1 : factor;
    }
    return any ? cost : 0;
  }

  /** What eliminating `id` would cost now, without changing the state. */
  eliminationCost(id: VertexId): number {
    if (this.eliminated[id - 1]) return 0;
    const col = id - 1;
    const row = this.numInputs + col;
    // Collect the in-edges once: the observation asks this for every vertex at every position.
    const inNodes = this.scratch;
    let count = 0;
    for (let p = 0; p < this.types.length; p++) if (this.types[p][col] !== 0) inNodes[count++] = p;
    const out = this.types[row];
    let total = 0;
    for (let s = 0; s < this.numVertices; s++) {
      if (out[s] === 0) continue;
      for (let k = 0; k < count; k++) total += this.productCost(inNodes[k], col, row, s);
    }
    return total;
  }

  /** Eliminates vertex `id` and returns its cost; an eliminated vertex costs 0 (alphagrad-spec §2.3). */
  eliminate(id: VertexId): number {
    if (this.eliminated[id - 1]) return 0;
    const nv = this.numVertices;
    const nodes = this.types.length;
    const row = this.numInputs + id - 1;
    const col = id - 1;
    const { mul, add } = this.tables;
    let total = 0;
    for (let s = 0; s < nv; s++) {
      if (this.types[row][s] === 0) continue;
      for (let p = 0; p < nodes; p++) {
        if (this.types[p][col] === 0) continue;
        total += this.productCost(p, col, row, s);
        this.own(p);
        const types = this.types[p];
        const dims = this.dims[p];
        const dOut = this.dims[row];
        const product = mul[(types[col] + OFFSET) * NUM_TYPES + this.types[row][s] + OFFSET];
        types[s] = add[(types[s] + OFFSET) * NUM_TYPES + product + OFFSET];
        dims[4 * s] = dOut[4 * s];
        dims[4 * s + 1] = dOut[4 * s + 1];
        dims[4 * s + 2] = dims[4 * col + 2];
        dims[4 * s + 3] = dims[4 * col + 3];
      }
    }
    this.own(row);
    this.types[row].fill(0);
    this.dims[row].fill(0);
    // AlphaGrad zeroes the in-edges too; an output that later equations use keeps them (its Jacobian block).
    // Shapes are read only where the type is non-zero, so only rows with an in-edge need clearing.
    if (!this.isOutput[col]) {
      for (let p = 0; p < nodes; p++) {
        if (this.types[p][col] === 0) continue;
        this.own(p);
        this.types[p][col] = 0;
        this.dims[p].fill(0, 4 * col, 4 * col + 4);
      }
    }
    this.eliminated[col] = 1;
    return total;
  }

  /**
   * AlphaGrad's sparsity-aware Markowitz degree (alphagrad-spec §6): Σ over out-edges × Σ over in-edges
   * of a per-edge weight: the vertex size for dense edges, 1 for element-wise ones, else one target dim.
   */
  markowitzDegree(id: VertexId): number {
    const row = this.numInputs + id - 1;
    let out = 0;
    for (let s = 0; s < this.numVertices; s++) out += this.edgeWeight(row, s, 'out');
    let inn = 0;
    for (let p = 0; p < this.types.length; p++) inn += this.edgeWeight(p, id - 1, 'in');
    return out * inn;
  }

  private edgeWeight(p: number, s: number, side: 'in' | 'out'): number {
    const t = this.types[p][s];
    if (t === 0) return 0;
    const d = this.dims[p];
    const slot = 4 * s;
    if (t === 1) return side === 'out' ? d[slot + 2] * d[slot + 3] : d[slot] * d[slot + 1];
    if (t === 6 || t === 7 || t === 8) return 1;
    // SPARSITY_MAP[type − 2] with JAX's index wrap-and-clamp: types 3, 4, −1 read out_d1, all others out_d2.
    return t === 3 || t === 4 || t === -1 ? d[slot] : d[slot + 1];
  }
}

/** Zeroed rows of `width` edges for `nodes` source nodes, as views of one buffer each (one allocation). */
function contiguousRows(nodes: number, width: number): { types: Int8Array[]; dims: Int32Array[] } {
  const types = new Int8Array(nodes * width);
  const dims = new Int32Array(4 * nodes * width);
  return {
    types: Array.from({ length: nodes }, (_, p) => types.subarray(p * width, (p + 1) * width)),
    dims: Array.from({ length: nodes }, (_, p) => dims.subarray(4 * p * width, 4 * (p + 1) * width)),
  };
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
