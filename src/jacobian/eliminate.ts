import { nodeOfVertex, operandShape, type Graph, type VertexId } from '../graph/graph.js';
import { sizeOf } from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';
import { describePoint, evaluateGraph, outputValues } from '../evaluate/evaluate.js';
import { NonFiniteError } from '../graph/errors.js';
import { localJacobians } from '../evaluate/linearize.js';
import type { EliminationStep } from '../elimination/count.js';
import { EdgeGraph } from '../elimination/edge-graph.js';
import { validateOrder } from '../elimination/order.js';
import { blockToDense } from '../sparse/block.js';

/** J[i][j] = d(output i)/d(input j), shape output_i.shape ++ input_j.shape. */
export type JacobianBlocks = Tensor[][];

export interface EliminationResult {
  readonly outputs: Tensor[];
  readonly jacobian: JacobianBlocks;
  /** Scalar multiplications performed, counted inside the block kernels. */
  readonly multiplications: number;
  readonly steps: readonly EliminationStep[];
}

/**
 * The one-point interpreter: the exact Jacobian at one point `inputs` by eliminating the vertices in
 * `order` on Float64 blocks (the compiled, batched path is `jacobian`/`compileGraphJacobian`). IEEE semantics
 * by default (±Inf and NaN propagate, as in JAX and in compiled code); `checkFinite` throws NonFiniteError
 * naming the first non-finite input, vertex value, partial or Jacobian entry, and the point.
 */
export function jacobianAtPoint(
  graph: Graph,
  inputs: readonly Tensor[],
  order: readonly VertexId[],
  options: { readonly checkFinite?: boolean } = {},
): EliminationResult {
  validateOrder(graph, order);
  const checkFinite = options.checkFinite ?? false;
  const ev = evaluateGraph(graph, inputs, { checkFinite });
  const edges = new EdgeGraph(graph, localJacobians(graph, ev, { checkFinite }));
  const steps = order.map((vertex) => ({ vertex, multiplications: edges.eliminate(vertex) }));
  const jacobian = graph.outputs.map((out) => {
    const outShape = operandShape(graph, out);
    return graph.inputs.map((input, j) => {
      const shape = [...outShape, ...input.shape];
      const data = new Float64Array(sizeOf(shape));
      if (out.kind === 'vertex') {
        const block = edges.edge(nodeOfVertex(graph, out.id), j);
        if (block) data.set(blockToDense(block));
      } else if (out.kind === 'input' && out.index === j) {
        for (let i = 0, n = sizeOf(input.shape); i < n; i++) data[i * n + i] = 1;
      }
      return { shape, data };
    });
  });
  if (checkFinite) checkJacobianFinite(graph, inputs, jacobian);
  return {
    outputs: outputValues(graph, ev),
    jacobian,
    multiplications: steps.reduce((s, x) => s + x.multiplications, 0),
    steps,
  };
}

/**
 * Finite values and partials can still multiply to ±Inf: the last check of `checkFinite`, naming the entry.
 * Compiled code reports the same message (compile/jacobian.ts re-runs this interpreter on the point).
 */
export function checkJacobianFinite(graph: Graph, inputs: readonly Tensor[], jacobian: JacobianBlocks): void {
  jacobian.forEach((row, i) =>
    row.forEach((block, j) => {
      const bad = block.data.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0)
        throw new NonFiniteError(
          `the Jacobian of output ${i + 1} w.r.t. input ${j + 1} (${graph.inputs[j].name}) is not finite at entry ${bad}: ${block.data[bad]} (at ${describePoint(graph, inputs)})`,
        );
    }),
  );
}

/** @deprecated The former name of `jacobianAtPoint` (the one-point interpreter); kept for one release. */
export const jacobianByElimination = jacobianAtPoint;
