import { nodeOfVertex, outputVertexIds, type Graph, type VertexId } from '../graph/graph.js';
import type { LocalEdge } from '../evaluate/linearize.js';

/**
 * The cost-only engine for search and RL: adjacency as bit matrices in one Int32Array, no values, no
 * blocks. It tracks, per edge, whether it exists and whether it is structural (a 0/1 copy that costs
 * nothing to multiply through). On graphs whose vertices are all scalars its costs equal the native
 * model's exactly: eliminating v costs |valued preds(v)|·|valued succs(v)|, which is Griewank's
 * |preds|·|succs| when no structural edges are involved. Copying is one typed-array copy; undo replays
 * a journal of overwritten words.
 */
export class ScalarCostEngine {
  readonly numNodes: number;
  readonly numInputs: number;
  /** Words per bit row. */
  readonly words: number;
  /** Four bit matrices of numNodes rows: successors, structural successors, predecessors, structural predecessors. */
  private bits: Int32Array;
  private readonly isOutput: Uint8Array;
  private readonly inputMask: Int32Array;
  private readonly pureOutputMask: Int32Array;
  private readonly eliminated: Uint8Array;
  /** Allocated on the first journaled write: search clones states often and rarely journals them. */
  private journal: Int32Array = new Int32Array(0);
  private journalLength = 0;
  private readonly marks: number[] = [];
  private readonly markedVertices: number[] = [];
  /** Record writes for undo (off for plain episode rollouts, which reset by copying). */
  journaling = false;

  private constructor(
    numInputs: number,
    numNodes: number,
    bits: Int32Array,
    isOutput: Uint8Array,
    eliminated: Uint8Array,
  ) {
    this.numInputs = numInputs;
    this.numNodes = numNodes;
    this.words = (numNodes + 31) >>> 5;
    this.bits = bits;
    this.isOutput = isOutput;
    this.eliminated = eliminated;
    this.inputMask = new Int32Array(this.words);
    this.pureOutputMask = new Int32Array(this.words);
    for (let u = 0; u < numInputs; u++) this.inputMask[u >>> 5] |= 1 << (u & 31);
  }

  /** From a graph's local Jacobian structure (`localJacobians(graph, null)`). */
  static fromGraph(graph: Graph, local: readonly (readonly LocalEdge[])[]): ScalarCostEngine {
    const numInputs = graph.inputs.length;
    const numNodes = numInputs + graph.vertices.length;
    const words = (numNodes + 31) >>> 5;
    const engine = new ScalarCostEngine(
      numInputs,
      numNodes,
      new Int32Array(4 * numNodes * words),
      new Uint8Array(numNodes),
      new Uint8Array(numNodes),
    );
    for (const id of outputVertexIds(graph)) engine.isOutput[nodeOfVertex(graph, id)] = 1;
    const hasSuccessor = new Uint8Array(numNodes);
    local.forEach((edges, k) => {
      for (const { source, block } of edges) {
        engine.addEdge(source, numInputs + k, block.structural);
        hasSuccessor[source] = 1;
      }
    });
    for (let w = 0; w < numNodes; w++)
      if (engine.isOutput[w] && !hasSuccessor[w]) engine.pureOutputMask[w >>> 5] |= 1 << (w & 31);
    return engine;
  }

  /**
   * A game on nodes 0..numNodes-1 with no inputs (vertex k + 1 is node k), from an edge list: the small
   * window games of large-graph search (SparseScalarEngine.extractLocal).
   */
  static fromEdges(
    numNodes: number,
    edges: readonly (readonly [number, number, boolean])[],
    isOutput: Uint8Array,
  ): ScalarCostEngine {
    const words = (numNodes + 31) >>> 5;
    const engine = new ScalarCostEngine(
      0,
      numNodes,
      new Int32Array(4 * numNodes * words),
      isOutput,
      new Uint8Array(numNodes),
    );
    for (const [u, w, structural] of edges) engine.addEdge(u, w, structural);
    return engine;
  }

  /** An edge u→w; used by the constructors of synthetic graphs in tests and benchmarks too. */
  addEdge(u: number, w: number, structural: boolean): void {
    const { words, numNodes } = this;
    const S = 0;
    const SS = numNodes * words;
    const P = 2 * numNodes * words;
    const PS = 3 * numNodes * words;
    this.bits[S + u * words + (w >>> 5)] |= 1 << (w & 31);
    this.bits[P + w * words + (u >>> 5)] |= 1 << (u & 31);
    if (structural) {
      this.bits[SS + u * words + (w >>> 5)] |= 1 << (w & 31);
      this.bits[PS + w * words + (u >>> 5)] |= 1 << (u & 31);
    }
  }

  clone(): ScalarCostEngine {
    const copy = new ScalarCostEngine(
      this.numInputs,
      this.numNodes,
      this.bits.slice(),
      this.isOutput,
      this.eliminated.slice(),
    );
    copy.pureOutputMask.set(this.pureOutputMask);
    return copy;
  }

  /** Overwrites this state with another of the same graph (no allocation: the episode-reset path). */
  copyFrom(other: ScalarCostEngine): void {
    this.bits.set(other.bits);
    this.eliminated.set(other.eliminated);
    this.journalLength = 0;
    this.marks.length = 0;
    this.markedVertices.length = 0;
  }

  isEliminated(id: VertexId): boolean {
    return this.eliminated[this.numInputs + id - 1] === 1;
  }

  /**
   * Neighbours a vertex can never lose: predecessors that are inputs and successors that are pure
   * outputs (outputs nothing uses). Eliminating other vertices only adds such neighbours.
   */
  permanentDegrees(id: VertexId): readonly [number, number] {
    const v = this.numInputs + id - 1;
    const { words, numNodes, bits } = this;
    const P = 2 * numNodes * words + v * words;
    const S = v * words;
    let inputs = 0;
    let outputs = 0;
    for (let k = 0; k < words; k++) {
      inputs += popcount(bits[P + k] & this.inputMask[k]);
      outputs += popcount(bits[S + k] & this.pureOutputMask[k]);
    }
    return [inputs, outputs];
  }

  /** Whether the edge source node → target node exists now. */
  hasEdge(sourceNode: number, targetNode: number): boolean {
    return ((this.bits[sourceNode * this.words + (targetNode >>> 5)] >>> (targetNode & 31)) & 1) === 1;
  }

  predecessors(node: number): number[] {
    return this.rowNodes(2 * this.numNodes * this.words + node * this.words);
  }

  successors(node: number): number[] {
    return this.rowNodes(node * this.words);
  }

  private rowNodes(start: number): number[] {
    const out: number[] = [];
    for (let k = 0; k < this.words; k++) {
      let m = this.bits[start + k];
      while (m !== 0) {
        const low = m & -m;
        out.push((k << 5) + (31 - Math.clz32(low)));
        m ^= low;
      }
    }
    return out;
  }

  /** Current |preds|·|succs| of a vertex, counting every adjacent node (inputs and outputs included). */
  markowitzDegree(id: VertexId): number {
    const v = this.numInputs + id - 1;
    return this.popRow(2, v, -1) * this.popRow(0, v, -1);
  }

  /** Multiplications eliminating this vertex would cost now. */
  eliminationCost(id: VertexId): number {
    const v = this.numInputs + id - 1;
    return this.popRow(2, v, 3) * this.popRow(0, v, 1);
  }

  /** Eliminates a vertex and returns its cost. Eliminating a vertex twice costs 0 and changes nothing. */
  eliminate(id: VertexId): number {
    const v = this.numInputs + id - 1;
    if (this.eliminated[v]) return 0;
    const { words, numNodes, bits } = this;
    const rowLen = numNodes * words;
    const S = 0;
    const SS = rowLen;
    const P = 2 * rowLen;
    const PS = 3 * rowLen;
    if (this.journaling) {
      this.marks.push(this.journalLength);
      this.markedVertices.push(v);
    }
    this.eliminated[v] = 1;
    const cost = this.eliminationCost(id);
    const vRow = v * words;
    const vWord = v >>> 5;
    const vBit = 1 << (v & 31);
    const keepInEdges = this.isOutput[v] === 1;
    // Every predecessor u gains v's successors; the new edge u→w is structural only if u→v and v→w are
    // and there was no edge u→w before (a sum with an existing edge carries values).
    for (let wi = 0; wi < words; wi++) {
      let m = bits[P + vRow + wi];
      while (m !== 0) {
        const low = m & -m;
        const u = (wi << 5) + (31 - Math.clz32(low));
        m ^= low;
        const uRow = u * words;
        const uvStructural = (bits[PS + vRow + (u >>> 5)] >>> (u & 31)) & 1;
        for (let k = 0; k < words; k++) {
          const succV = bits[S + vRow + k];
          if (succV === 0) continue;
          const old = bits[S + uRow + k];
          const fresh = uvStructural ? bits[SS + vRow + k] & ~old : 0;
          this.write(SS + uRow + k, (bits[SS + uRow + k] & ~succV) | fresh);
          this.write(S + uRow + k, old | succV);
        }
        if (!keepInEdges) {
          this.write(S + uRow + vWord, bits[S + uRow + vWord] & ~vBit);
          this.write(SS + uRow + vWord, bits[SS + uRow + vWord] & ~vBit);
        }
      }
    }
    // Every successor w gains v's predecessors and loses v.
    for (let wi = 0; wi < words; wi++) {
      let m = bits[S + vRow + wi];
      while (m !== 0) {
        const low = m & -m;
        const w = (wi << 5) + (31 - Math.clz32(low));
        m ^= low;
        const wRow = w * words;
        const vwStructural = (bits[SS + vRow + (w >>> 5)] >>> (w & 31)) & 1;
        for (let k = 0; k < words; k++) {
          const predV = bits[P + vRow + k];
          if (predV === 0) continue;
          const old = bits[P + wRow + k];
          const fresh = vwStructural ? bits[PS + vRow + k] & ~old : 0;
          this.write(PS + wRow + k, (bits[PS + wRow + k] & ~predV) | fresh);
          this.write(P + wRow + k, old | predV);
        }
        this.write(P + wRow + vWord, bits[P + wRow + vWord] & ~vBit);
        this.write(PS + wRow + vWord, bits[PS + wRow + vWord] & ~vBit);
      }
    }
    for (let k = 0; k < words; k++) {
      this.write(S + vRow + k, 0);
      this.write(SS + vRow + k, 0);
      if (!keepInEdges) {
        this.write(P + vRow + k, 0);
        this.write(PS + vRow + k, 0);
      }
    }
    return cost;
  }

  /** Reverts the last journaled elimination. */
  undo(): void {
    const mark = this.marks.pop();
    if (mark === undefined) throw new Error('nothing to undo (enable journaling before eliminating)');
    const j = this.journal;
    for (let i = this.journalLength - 2; i >= mark; i -= 2) this.bits[j[i]] = j[i + 1];
    this.journalLength = mark;
    this.eliminated[this.markedVertices.pop() as number] = 0;
  }

  private write(index: number, value: number): void {
    const old = this.bits[index];
    if (old === value) return;
    if (this.journaling) {
      if (this.journalLength + 2 > this.journal.length) {
        const bigger = new Int32Array(Math.max(1024, this.journal.length * 2));
        bigger.set(this.journal);
        this.journal = bigger;
      }
      this.journal[this.journalLength++] = index;
      this.journal[this.journalLength++] = old;
    }
    this.bits[index] = value;
  }

  /** Popcount of row `node` of matrix `m`, minus the bits of matrix `minus` (−1: none). */
  private popRow(m: number, node: number, minus: number): number {
    const { words, numNodes, bits } = this;
    const base = m * numNodes * words + node * words;
    const sub = minus * numNodes * words + node * words;
    let count = 0;
    for (let k = 0; k < words; k++) {
      let x = bits[base + k];
      if (minus >= 0) x &= ~bits[sub + k];
      x -= (x >>> 1) & 0x55555555;
      x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
      count += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
    }
    return count;
  }
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
