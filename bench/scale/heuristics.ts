/** The heuristic orders the scale benchmark times (each returns its order's native multiplications). */
import {
  countOrder,
  HEURISTICS,
  isScalarGraph,
  markowitzOrder,
  type Graph,
  type VertexId,
} from '../../src/index.js';
import { greedyHeuristicOrder } from '../../src/elimination/heuristics.js';

export interface TimedHeuristic {
  readonly name: string;
  run(): { order: VertexId[]; multiplications: number };
}

/**
 * Scalar graphs: every heuristic of the catalogue, each from the graph (its engine build included), its
 * count taken as it eliminates. Tensor graphs: Markowitz on blocks, then the block count.
 */
export function scaleHeuristics(graph: Graph): TimedHeuristic[] {
  if (!isScalarGraph(graph))
    return [
      {
        name: 'markowitz',
        run: () => {
          const order = markowitzOrder(graph);
          return { order, multiplications: countOrder(graph, order).multiplications };
        },
      },
    ];
  return HEURISTICS.map((name) => ({ name, run: () => greedyHeuristicOrder(graph, name) }));
}
