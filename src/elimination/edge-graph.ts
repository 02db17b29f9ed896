import { nodeOfVertex, outputVertexIds, type Graph, type VertexId } from '../graph/graph.js';
import type { LocalEdge } from '../evaluate/linearize.js';
import {
  addBlocks,
  countProduct,
  isNumeric,
  multiplyBlocks,
  structureOf,
  type Block,
  type MultiplicationCounter,
} from '../sparse/block.js';

/**
 * The computational graph as a mutable set of edges carrying blocks, for vertex elimination on blocks.
 * With numeric blocks, eliminating a vertex performs the chain-rule products and counts the scalar
 * multiplications inside the kernel; with structure-only blocks it computes the same counts symbolically.
 */
export class EdgeGraph {
  /** in-edges of each node: source node → block ∂node/∂source (insertion-ordered, so deterministic). */
  private readonly preds: Map<number, Block>[];
  private readonly succs: Set<number>[];
  private readonly outputNodes: Set<number>;

  constructor(
    private readonly graph: Graph,
    local: readonly (readonly LocalEdge[])[],
  ) {
    const numNodes = graph.inputs.length + graph.vertices.length;
    this.preds = Array.from({ length: numNodes }, () => new Map<number, Block>());
    this.succs = Array.from({ length: numNodes }, () => new Set<number>());
    this.outputNodes = new Set([...outputVertexIds(graph)].map((id) => nodeOfVertex(graph, id)));
    local.forEach((edges, k) => {
      const node = graph.inputs.length + k;
      for (const { source, block } of edges) {
        this.preds[node].set(source, block);
        this.succs[source].add(node);
      }
    });
  }

  /** An independent copy (blocks are immutable, so only the adjacency is copied). */
  clone(): EdgeGraph {
    const copy = Object.create(EdgeGraph.prototype) as EdgeGraph;
    Object.assign(copy, {
      graph: this.graph,
      preds: this.preds.map((m) => new Map(m)),
      succs: this.succs.map((s) => new Set(s)),
      outputNodes: this.outputNodes,
    });
    return copy;
  }

  /** A structure-only copy: what the symbolic cost engine eliminates. */
  static symbolic(graph: Graph, local: readonly (readonly LocalEdge[])[]): EdgeGraph {
    return new EdgeGraph(
      graph,
      local.map((edges) => edges.map((e) => ({ source: e.source, block: structureOf(e.block) }))),
    );
  }

  /** Multiplications that eliminating `id` would cost now, from structure alone. */
  eliminationCost(id: VertexId): number {
    const v = nodeOfVertex(this.graph, id);
    let cost = 0;
    for (const w of this.succs[v]) {
      const post = this.preds[w].get(v) as Block;
      for (const pre of this.preds[v].values()) cost += countProduct(post, pre);
    }
    return cost;
  }

  /**
   * Eliminates vertex `id`: every path u→v→w becomes an edge u→w carrying post·pre (added onto an existing
   * u→w). Returns the multiplications performed: counted in the kernel when numeric, from structure otherwise.
   */
  eliminate(id: VertexId): number {
    const v = nodeOfVertex(this.graph, id);
    const counter: MultiplicationCounter = { count: 0 };
    let symbolicCount = 0;
    for (const w of this.succs[v]) {
      const post = this.preds[w].get(v) as Block;
      for (const [u, pre] of this.preds[v]) {
        const numeric = isNumeric(post) && isNumeric(pre);
        if (!numeric) symbolicCount += countProduct(post, pre);
        const product = multiplyBlocks(post, pre, numeric ? counter : undefined);
        const existing = this.preds[w].get(u);
        this.preds[w].set(u, existing ? addBlocks(existing, product) : product);
        this.succs[u].add(w);
      }
      this.preds[w].delete(v);
    }
    this.succs[v].clear();
    // An output keeps its own Jacobian block (its in-edges); anything else disappears.
    if (!this.outputNodes.has(v)) {
      for (const u of this.preds[v].keys()) this.succs[u].delete(v);
      this.preds[v].clear();
    }
    return counter.count + symbolicCount;
  }

  /** Current number of predecessors and successors of a vertex (the Markowitz degree's factors). */
  degree(id: VertexId): { preds: number; succs: number } {
    const v = nodeOfVertex(this.graph, id);
    return { preds: this.preds[v].size, succs: this.succs[v].size };
  }

  markowitzDegree(id: VertexId): number {
    const { preds, succs } = this.degree(id);
    return preds * succs;
  }

  /** Whether the edge source node → target node exists now. */
  hasEdge(sourceNode: number, targetNode: number): boolean {
    return this.preds[targetNode].has(sourceNode);
  }

  predecessors(node: number): number[] {
    return [...this.preds[node].keys()].sort((a, b) => a - b);
  }

  successors(node: number): number[] {
    return [...this.succs[node]].sort((a, b) => a - b);
  }

  /** The block on edge source→target, if any. */
  edge(target: number, source: number): Block | undefined {
    return this.preds[target].get(source);
  }
}
