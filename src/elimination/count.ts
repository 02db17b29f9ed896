import { isScalarGraph, type Graph, type VertexId } from '../graph/graph.js';
import { localJacobians } from '../evaluate/linearize.js';
import { EdgeGraph } from './edge-graph.js';
import { validateOrder } from './order.js';
import { SparseScalarEngine } from './sparse-engine.js';

export interface EliminationStep {
  readonly vertex: VertexId;
  readonly multiplications: number;
}

export interface OrderCost {
  readonly multiplications: number;
  readonly steps: readonly EliminationStep[];
}

/**
 * Native-model cost of an order from structure alone (no values): the exact number of scalar
 * multiplications the numeric executor performs for it.
 */
export function countOrder(graph: Graph, order: readonly VertexId[]): OrderCost {
  const valid = validateOrder(graph, order);
  // On scalar graphs the adjacency engine gives the same counts without building blocks.
  const edges = isScalarGraph(graph)
    ? SparseScalarEngine.fromGraph(graph, localJacobians(graph, null))
    : EdgeGraph.symbolic(graph, localJacobians(graph, null));
  const steps = valid.map((vertex) => ({ vertex, multiplications: edges.eliminate(vertex) }));
  return { multiplications: steps.reduce((s, x) => s + x.multiplications, 0), steps };
}
