import { nodeOfOperand, nodeSizes, type Graph } from '../graph/graph.js';
import { sizeOf } from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';
import { evaluateGraph, outputValues } from '../evaluate/evaluate.js';
import { localJacobians } from '../evaluate/linearize.js';
import { blockToDense } from '../sparse/block.js';

/**
 * Reference Jacobians by plain tangent (forward) and adjoint (reverse) sweeps over the tape. They share the
 * local partials with elimination but none of its block algebra: every local block becomes a dense matrix
 * and every chain-rule step is a dense matrix–vector product, so they check the elimination independently.
 */

/** Outputs and J[i][j] = d(output i)/d(input j) of shape output_i.shape ++ input_j.shape, as elimination. */
export interface ReferenceJacobian {
  readonly outputs: Tensor[];
  readonly jacobian: Tensor[][];
}

/** One local partial ∂target/∂source as a dense row-major rows × cols matrix. */
interface DenseEdge {
  readonly source: number;
  readonly rows: number;
  readonly cols: number;
  readonly matrix: Float64Array;
}

interface Tape {
  readonly outputs: Tensor[];
  /** In-edges of vertex k at index k - 1. */
  readonly edges: readonly DenseEdge[][];
  /** Scalar size of every node (inputs first, then vertices; see nodeOfOperand). */
  readonly sizes: readonly number[];
}

/** Evaluates once and densifies every local partial. */
function recordTape(graph: Graph, inputs: readonly Tensor[]): Tape {
  const ev = evaluateGraph(graph, inputs);
  const edges = localJacobians(graph, ev).map((local) =>
    local.map(({ source, block }) => ({
      source,
      rows: block.rows,
      cols: block.cols,
      matrix: blockToDense(block),
    })),
  );
  const sizes = nodeSizes(graph);
  return { outputs: outputValues(graph, ev), edges, sizes };
}

/** Zero Jacobian blocks in elimination's layout; constant outputs simply keep them. */
function zeroJacobian(graph: Graph, outputs: readonly Tensor[]): Tensor[][] {
  return outputs.map((out) =>
    graph.inputs.map((input) => {
      const shape = [...out.shape, ...input.shape];
      return { shape, data: new Float64Array(sizeOf(shape)) };
    }),
  );
}

/** y += A·x. */
function addMatVec(e: DenseEdge, x: Float64Array, y: Float64Array): void {
  for (let r = 0; r < e.rows; r++) {
    let s = 0;
    for (let c = 0; c < e.cols; c++) s += e.matrix[r * e.cols + c] * x[c];
    y[r] += s;
  }
}

/** x += Aᵀ·y. */
function addMatTVec(e: DenseEdge, y: Float64Array, x: Float64Array): void {
  for (let r = 0; r < e.rows; r++) {
    const yr = y[r];
    if (yr === 0) continue;
    for (let c = 0; c < e.cols; c++) x[c] += e.matrix[r * e.cols + c] * yr;
  }
}

/** Forward mode: one tangent sweep per input scalar gives one column of every Jacobian block. */
export function tapeForwardJacobian(graph: Graph, inputs: readonly Tensor[]): ReferenceJacobian {
  const tape = recordTape(graph, inputs);
  const jacobian = zeroJacobian(graph, tape.outputs);
  const numInputs = graph.inputs.length;
  graph.inputs.forEach((_input, j) => {
    const n = tape.sizes[j];
    for (let c = 0; c < n; c++) {
      const tangents = tape.sizes.map((s) => new Float64Array(s));
      tangents[j][c] = 1;
      // Program order: a source's tangent is complete before any later vertex reads it.
      tape.edges.forEach((edges, k) => {
        for (const e of edges) addMatVec(e, tangents[e.source], tangents[numInputs + k]);
      });
      graph.outputs.forEach((op, i) => {
        const node = nodeOfOperand(graph, op);
        if (node === null) return; // a literal output has a zero Jacobian
        const t = tangents[node];
        const J = jacobian[i][j].data;
        for (let o = 0; o < t.length; o++) J[o * n + c] = t[o];
      });
    }
  });
  return { outputs: tape.outputs, jacobian };
}

/** Reverse mode: one adjoint sweep per output scalar gives one row of every Jacobian block. */
export function tapeReverseJacobian(graph: Graph, inputs: readonly Tensor[]): ReferenceJacobian {
  const tape = recordTape(graph, inputs);
  const jacobian = zeroJacobian(graph, tape.outputs);
  const numInputs = graph.inputs.length;
  graph.outputs.forEach((op, i) => {
    const node = nodeOfOperand(graph, op);
    if (node === null) return; // a literal output has a zero Jacobian
    for (let o = 0; o < tape.sizes[node]; o++) {
      const adjoints = tape.sizes.map((s) => new Float64Array(s));
      adjoints[node][o] = 1;
      // Reverse program order: a vertex's adjoint is complete once every later reader has pushed into it.
      for (let k = graph.vertices.length - 1; k >= 0; k--) {
        for (const e of tape.edges[k]) addMatTVec(e, adjoints[numInputs + k], adjoints[e.source]);
      }
      graph.inputs.forEach((_input, j) => {
        const a = adjoints[j];
        jacobian[i][j].data.set(a, o * a.length);
      });
    }
  });
  return { outputs: tape.outputs, jacobian };
}
