import { localJacobians } from '../evaluate/linearize.js';
import {
  eliminableVertices,
  nodeOfVertex,
  nodeSizes,
  outputVertexIds,
  type Graph,
  type VertexId,
} from '../graph/graph.js';
import { nnz } from '../sparse/block.js';
import { CutFlow } from './state-bound.js';

export interface TensorBoundOptions {
  /**
   * Work budget in arc visits of the max-flow searches (bounded above, so the result does not depend on
   * the machine); components beyond it contribute 0. Default 2·10⁹, a few seconds at most.
   */
  readonly maxWork?: number;
}

const DEFAULT_BOUND_WORK = 2e9;

/**
 * Lower bounds for graphs of tensor vertices in the native model, through the scalarised graph: every
 * tensor node t of size m becomes m scalar nodes (t, 0..m−1), and every entry (r, c) of the block on
 * s → t an edge (s, c) → (t, r), marked structural when its block is a 0/1 selection.
 *
 * Claim: every order of the tensor vertices costs at least Σ over eliminable tensor vertices v, over the
 * components k of v that are *clean* (every block at v with an entry in row k, or column k, is valued
 * rather than structural), of mincut(inputs → k) · mincut(k → outputs other than k) in the scalarised graph.
 *
 * Proof. (a) Patterns. After a set E of tensor vertices is eliminated (in any order), the block on u → w
 * has an entry (r, c) iff some path (u, c) → … → (w, r) of the scalarised graph runs through components
 * of E only: a block product's structure is the union over paths (the symbolic engine drops no entry, so
 * nothing cancels), and a sum's is the union. So the scalar neighbours of a component k at that moment
 * are exactly its neighbours in the scalarised graph after the components of E are eliminated, which is
 * the scalar elimination game of state-bound.ts (outputs keep their in-edges in both).
 * (b) Cost. Eliminating v multiplies every out-block post (v → w) by every in-block pre (u → v);
 * countProduct(post, pre) is 0 if either is structural and otherwise Σ_k nnz(post column k)·nnz(pre row k).
 * So the cost is Σ_k (entries in row k of v's valued in-blocks)·(entries in column k of v's valued
 * out-blocks) ≥ Σ over clean k of |Preds(k)|·|Succs(k)|, because for a clean k every block holding one
 * of its entries is valued.
 * (c) Clean stays clean. A block at v that gains an entry in row k does so as post·pre with post an
 * in-block of v holding row-k entries (valued by induction), and a product with a valued factor is
 * valued (gustavson/rowMapTimes mark a product structural only when both factors are); a sum with a
 * valued block is valued. Likewise for out-blocks and column k.
 * (d) Cuts never shrink under scalar eliminations (state-bound.ts, (1) and (2)), and Preds(k) separates k
 * from the inputs, Succs(k) separates k from the outputs other than k.
 * So when v is eliminated it pays at least the claimed sum for its clean components, whatever came before;
 * summing over v gives the bound. On scalar graphs it is exactly vertexLowerBounds (one component each).
 */
export function tensorVertexLowerBounds(
  graph: Graph,
  options: TensorBoundOptions = {},
): Map<VertexId, number> {
  const { maxWork = DEFAULT_BOUND_WORK } = options;
  const sizes = nodeSizes(graph);
  const offset: number[] = [];
  let total = 0;
  for (const s of sizes) {
    offset.push(total);
    total += s;
  }
  const local = localJacobians(graph, null);
  let numEdges = 0;
  for (const edges of local) for (const { block } of edges) numEdges += nnz(block);
  const bounds = new Map<VertexId, number>(eliminableVertices(graph).map((v) => [v, 0]));
  // Zero is a valid bound: a graph too large to scalarise within the budget keeps it.
  if (numEdges > maxWork) return bounds;
  const succ: number[][] = Array.from({ length: total }, () => []);
  const pred: number[][] = Array.from({ length: total }, () => []);
  /** Components with an entry in a structural block: not clean. */
  const dirty = new Uint8Array(total);
  local.forEach((edges, k) => {
    const t = graph.inputs.length + k;
    for (const { source, block } of edges) {
      const { rowPtr, colIdx } = block;
      for (let r = 0; r < block.rows; r++)
        for (let p = rowPtr[r]; p < rowPtr[r + 1]; p++) {
          const a = offset[source] + colIdx[p];
          const b = offset[t] + r;
          succ[a].push(b);
          pred[b].push(a);
          if (block.structural) dirty[a] = dirty[b] = 1;
        }
    }
  });
  const inputs: number[] = [];
  for (let i = 0; i < graph.inputs.length; i++) for (let c = 0; c < sizes[i]; c++) inputs.push(offset[i] + c);
  const outputs: number[] = [];
  for (const id of outputVertexIds(graph)) {
    const t = nodeOfVertex(graph, id);
    for (let c = 0; c < sizes[t]; c++) outputs.push(offset[t] + c);
  }
  const inFlow = new CutFlow();
  const outFlow = new CutFlow();
  inFlow.load(pred, inputs);
  outFlow.load(succ, outputs);
  // Each augmenting path is one breadth-first search, at most numEdges arcs: a deterministic work count.
  let work = numEdges;
  for (const v of bounds.keys()) {
    const t = nodeOfVertex(graph, v);
    let sum = 0;
    for (let c = 0; c < sizes[t]; c++) {
      const k = offset[t] + c;
      if (dirty[k] || pred[k].length === 0 || succ[k].length === 0) continue;
      // Components left out when the work runs out count 0, which keeps the bound valid.
      work += (pred[k].length + succ[k].length + 2) * numEdges;
      if (work > maxWork) return bounds;
      const cin = inFlow.cut(k, pred[k].length);
      if (cin > 0) sum += cin * outFlow.cut(k, succ[k].length);
    }
    bounds.set(v, sum);
  }
  return bounds;
}

/** Σ of tensorVertexLowerBounds: a lower bound on the native cost of every order of `graph`. */
export function tensorLowerBound(graph: Graph, options: TensorBoundOptions = {}): number {
  let sum = 0;
  for (const b of tensorVertexLowerBounds(graph, options).values()) sum += b;
  return sum;
}
