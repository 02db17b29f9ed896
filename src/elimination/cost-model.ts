import { alphagradMarkowitzOrder, alphagradOrderCost } from '../alphagrad/engine.js';
import { OptionError } from '../graph/errors.js';
import { isScalarGraph, type Graph, type VertexId } from '../graph/graph.js';
import { localJacobians } from '../evaluate/linearize.js';
import { countOrder, type OrderCost } from './count.js';
import { markowitzOrder } from './markowitz.js';
import { validateOrder } from './order.js';

/**
 * `native`: the multiplications our executor really performs (structured sparse blocks).
 * `alphagrad`: the paper's model (AlphaGrad's sparsity types and tables), for comparisons with the paper.
 */
export const COST_MODELS = ['native', 'alphagrad'] as const;
export type CostModelName = (typeof COST_MODELS)[number];

export function parseCostModel(name: string): CostModelName {
  if ((COST_MODELS as readonly string[]).includes(name)) return name as CostModelName;
  throw new OptionError(`unknown cost model '${name}' (use ${COST_MODELS.join(' or ')})`);
}

/** Multiplications of a valid order under a cost model, per step and in total. */
export function countOrderWith(graph: Graph, order: readonly VertexId[], model: CostModelName): OrderCost {
  parseCostModel(model);
  if (model === 'native') return countOrder(graph, order);
  return alphagradOrderCost(graph, validateOrder(graph, order));
}

/** The greedy minimal-Markowitz order of a cost model (the two agree on scalar graphs). */
export function markowitzOrderWith(graph: Graph, model: CostModelName): VertexId[] {
  if (model === 'native' || scalarWithoutCopies(graph)) return markowitzOrder(graph);
  return alphagradMarkowitzOrder(graph);
}

/**
 * Scalar graphs without structural (copy) edges: there the alphagrad model's degree is |preds|·|succs| too
 * (tested), so the near-linear Markowitz serves both models; its engine's edge table is quadratic.
 */
function scalarWithoutCopies(graph: Graph): boolean {
  return (
    isScalarGraph(graph) &&
    !localJacobians(graph, null).some((edges) => edges.some((e) => e.block.structural))
  );
}
