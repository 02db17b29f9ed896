import type { Graph, VertexId } from '../graph/graph.js';
import { greedyHeuristicOrder } from './heuristics.js';

/**
 * Greedy minimal-Markowitz order: repeatedly eliminate the vertex with the smallest |preds|·|succs| in
 * the current graph (every adjacent node counts, inputs and outputs included), ties to the lowest id.
 * A priority queue with incrementally updated degrees: O((V + E) log V) on graphs of bounded degree.
 */
export function markowitzOrder(graph: Graph): VertexId[] {
  return greedyHeuristicOrder(graph, 'markowitz').order;
}

/**
 * The greedy loop shared by every Markowitz rule: eliminate the vertex of smallest degree (as the engine
 * defines it) in the current graph, ties to the lowest vertex id (a stable argmin), until none is left.
 */
export function greedyMinimumOrder(
  vertices: readonly VertexId[],
  engine: { markowitzDegree(id: VertexId): number; eliminate(id: VertexId): number },
): VertexId[] {
  const remaining = [...vertices];
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
