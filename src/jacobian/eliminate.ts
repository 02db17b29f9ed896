import { nodeOfVertex, operandShape, type Graph, type VertexId } from '../graph/graph.js';
import { sizeOf } from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';
import { evaluateGraph, outputValues } from '../evaluate/evaluate.js';
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

/** The exact Jacobian at `inputs` by eliminating the vertices in `order` on Float64 blocks. */
export function jacobianByElimination(
  graph: Graph,
  inputs: readonly Tensor[],
  order: readonly VertexId[],
): EliminationResult {
  validateOrder(graph, order);
  const ev = evaluateGraph(graph, inputs);
  const edges = new EdgeGraph(graph, localJacobians(graph, ev));
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
  return {
    outputs: outputValues(graph, ev),
    jacobian,
    multiplications: steps.reduce((s, x) => s + x.multiplications, 0),
    steps,
  };
}
