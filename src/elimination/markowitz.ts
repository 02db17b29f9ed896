import { eliminableVertices, type Graph, type VertexId } from '../graph/graph.js';
import { localJacobians } from '../evaluate/linearize.js';
import { ScalarCostEngine } from './scalar-engine.js';

/**
 * Greedy minimal-Markowitz order: repeatedly eliminate the vertex with the smallest |preds|·|succs| in
 * the current graph (every adjacent node counts, inputs and outputs included), ties to the lowest id.
 */
export function markowitzOrder(graph: Graph): VertexId[] {
  const engine = ScalarCostEngine.fromGraph(graph, localJacobians(graph, null));
  const remaining = eliminableVertices(graph);
  const order: VertexId[] = [];
  while (remaining.length > 0) {
    let best = 0;
    let bestDegree = Infinity;
    remaining.forEach((id, i) => {
      const d = engine.markowitzDegree(id);
      if (d < bestDegree) {
        bestDegree = d;
        best = i;
      }
    });
    const [id] = remaining.splice(best, 1);
    engine.eliminate(id);
    order.push(id);
  }
  return order;
}
