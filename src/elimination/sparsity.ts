import { nodeOfVertex, operandShape, type Graph } from '../graph/graph.js';
import { sizeOf } from '../graph/shape.js';
import { localJacobians } from '../evaluate/linearize.js';
import { offsetsOf, patternFromCoordinates, type SparsityPattern } from '../sparse/pattern.js';
import { EdgeGraph } from './edge-graph.js';
import { forwardOrder } from './order.js';

/**
 * The structural sparsity pattern of a graph's Jacobian over flattened outputs and inputs: the entries
 * that some path of non-zero local partials connects. Every elimination order yields exactly this pattern
 * (a block is the sum over paths), so it is found by a structure-only forward elimination: no values,
 * time and memory of the order of the dependency sets the forward sweep carries.
 */
export function jacobianPattern(graph: Graph): SparsityPattern {
  const edges = EdgeGraph.symbolic(graph, localJacobians(graph, null));
  for (const id of forwardOrder(graph)) edges.eliminate(id);
  const inputSizes = graph.inputs.map((x) => sizeOf(x.shape));
  const rowOffsets = offsetsOf(graph.outputs.map((op) => sizeOf(operandShape(graph, op))));
  const colOffsets = offsetsOf(inputSizes);
  const coords: [number, number][] = [];
  graph.outputs.forEach((op, i) => {
    if (op.kind === 'input') {
      for (let e = 0; e < inputSizes[op.index]; e++)
        coords.push([rowOffsets[i] + e, colOffsets[op.index] + e]);
    } else if (op.kind === 'vertex') {
      const node = nodeOfVertex(graph, op.id);
      for (const j of edges.predecessors(node)) {
        const block = edges.edge(node, j);
        if (!block) continue;
        for (let r = 0; r < block.rows; r++)
          for (let p = block.rowPtr[r]; p < block.rowPtr[r + 1]; p++)
            coords.push([rowOffsets[i] + r, colOffsets[j] + block.colIdx[p]]);
      }
    }
  });
  const rows = rowOffsets[rowOffsets.length - 1];
  const cols = colOffsets[colOffsets.length - 1];
  return patternFromCoordinates(rows, cols, coords, rowOffsets, colOffsets);
}
