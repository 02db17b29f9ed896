import { InvalidOrderError } from '../graph/errors.js';
import type { Graph, VertexId } from '../graph/graph.js';
import { markowitzOrderWith, type CostModelName } from './cost-model.js';
import { forwardOrder, reverseOrder, validateOrder } from './order.js';

export type OrderName = 'forward' | 'reverse' | 'markowitz';

/** A named order or an explicit list of 1-based vertex ids. */
export type OrderSpec = OrderName | 'fwd' | 'rev' | readonly number[];

/** The validated vertex list for an order spec; `markowitz` follows the cost model's degree rule. */
export function resolveOrder(graph: Graph, spec: OrderSpec, costModel: CostModelName = 'native'): VertexId[] {
  if (Array.isArray(spec)) return validateOrder(graph, spec);
  switch (spec) {
    case 'forward':
    case 'fwd':
      return forwardOrder(graph);
    case 'reverse':
    case 'rev':
      return reverseOrder(graph);
    case 'markowitz':
      return markowitzOrderWith(graph, costModel);
    default:
      throw new InvalidOrderError(
        `unknown order '${String(spec)}' (use forward, reverse, markowitz or a vertex list)`,
      );
  }
}
