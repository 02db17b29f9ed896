import type { Graph, VertexId } from '../graph/graph.js';
import { buildEliminationProgram } from './build.js';
import { FULL_FOLDING, NO_FOLDING, programStats } from './program.js';

/** Operation counts per point of the code compiled for an order (after folding and dead-code removal). */
export interface CompiledCost {
  /** Derivative multiplications the code performs. */
  readonly multiplications: number;
  /** All multiplications, primal contractions included. */
  readonly allMultiplications: number;
  /** Additions, subtractions and negations. */
  readonly additions: number;
  /** Math-function evaluations (primal values and local partials). */
  readonly calls: number;
  /** Output and Jacobian entries stored. */
  readonly stores: number;
  /** allMultiplications + additions + calls + stores: the runtime proxy. */
  readonly total: number;
}

/**
 * The cost proxy for run time: every operation of the compiled program for `order`, not only the
 * derivative multiplications. Primal values and local partials are the same for all orders, but folding
 * (±1 partials of add/sub/neg, structural copies) and dead-code removal depend on the order, so this
 * ranks orders the way the generated code runs them. Builds the program (no code is emitted).
 */
export function compiledCost(
  graph: Graph,
  order: readonly VertexId[],
  options: { readonly fold?: boolean } = {},
): CompiledCost {
  const program = buildEliminationProgram(graph, order, options.fold === false ? NO_FOLDING : FULL_FOLDING);
  const s = programStats(program);
  const stores = s.jacobianEntries + program.outputs.reduce((n, o) => n + o.length, 0);
  return {
    multiplications: s.derivativeMultiplications,
    allMultiplications: s.multiplications,
    additions: s.additions,
    calls: s.calls,
    stores,
    total: s.multiplications + s.additions + s.calls + stores,
  };
}
