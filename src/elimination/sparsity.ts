import { nodeOfVertex, operandShape, type Graph } from '../graph/graph.js';
import { sizeOf } from '../graph/shape.js';
import { localJacobians } from '../evaluate/linearize.js';
import { patternOfBlocks, type SparsityPattern } from '../sparse/pattern.js';
import type { Block } from '../sparse/block.js';
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
  return patternOfBlocks(
    finalBlocks(graph, edges),
    graph.outputs.map((op) => sizeOf(operandShape(graph, op))),
    graph.inputs.map((x) => sizeOf(x.shape)),
  );
}

/** Each output's blocks after every vertex is eliminated: in-edges from inputs, or itself when an input. */
export function finalBlocks(graph: Graph, edges: EdgeGraph): Map<number, Block | 'identity'>[] {
  return graph.outputs.map((op) => {
    const blocks = new Map<number, Block | 'identity'>();
    if (op.kind === 'input') blocks.set(op.index, 'identity');
    else if (op.kind === 'vertex') {
      const node = nodeOfVertex(graph, op.id);
      for (const j of edges.predecessors(node)) {
        const block = edges.edge(node, j);
        if (block && j < graph.inputs.length) blocks.set(j, block);
      }
    }
    return blocks;
  });
}
