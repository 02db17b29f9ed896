/** The heuristic orders the scale benchmark times (each returns its order's native multiplications). */
import { countOrder, markowitzOrder, type Graph, type VertexId } from '../../src/index.js';

export interface TimedHeuristic {
  readonly name: string;
  run(): { order: VertexId[]; multiplications: number };
}

export function scaleHeuristics(graph: Graph): TimedHeuristic[] {
  return [
    {
      name: 'markowitz',
      run: () => {
        const order = markowitzOrder(graph);
        return { order, multiplications: countOrder(graph, order).multiplications };
      },
    },
  ];
}
