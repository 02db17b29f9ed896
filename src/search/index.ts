/**
 * crosscountry/search: searching for cheap elimination orders, and what the searches are built on: the
 * incremental cost engines, lower bounds, the order `jacobian()` picks by default, and the compiled-cost
 * proxies.
 */
export {
  optimizeOrder,
  quickOptimize,
  OPTIMIZE_METHODS,
  checkOptimizeOptions,
  type ProgressEvent,
  type SearchWork,
  type OptimizeMethod,
  type OptimizeOptions,
  type OptimizeResult,
} from './portfolio.js';
export { exactSearch, canSolveExactly, type ExactOptions } from './exact.js';
export { anneal, type AnnealOptions } from './anneal.js';
export {
  milpOrder,
  MilpSolverUnavailableError,
  MilpUnsupportedError,
  type MilpOptions,
  type MilpResult,
} from './milp.js';
export { buildMilpModel, type MilpModel } from './milp-model.js';
export { greedyOrder, type GreedyOptions } from './greedy.js';
export { searchProblem, type SearchProblem, type CostState, type Game } from './problem.js';
export {
  largeGraphSearch,
  isLargeSearchGraph,
  permanentLowerBound,
  LARGE_GRAPH_VERTICES,
  type LargeSearchOptions,
  type LargeSearchResult,
} from './large.js';
export { windowedSearch, localityOrder, type WindowedOptions, type WindowedResult } from './windowed.js';
export type { Certificate, SearchResult } from './result.js';
export { vertexLowerBounds, vertexCutBounds, stateLowerBound } from './lower-bound.js';
export { falseTwinPairs, independentComponents } from './reductions.js';

export { EdgeGraph } from '../elimination/edge-graph.js';
export { ScalarCostEngine } from '../elimination/scalar-engine.js';
export { SparseScalarEngine } from '../elimination/sparse-engine.js';
export { alphagradEdges, type AlphagradEdge } from '../alphagrad/encode.js';
export { AlphagradEngine, alphagradMarkowitzOrder } from '../alphagrad/engine.js';

export {
  autoOrder,
  AUTO_WORK,
  AUTO_WINDOWS,
  cheapestCompiledOrder,
  type AutoOrderOptions,
  type OrderCandidate,
  type OrderChoice,
} from '../compile/choose.js';
export { annealCompiledOrder, type CompiledAnnealOptions } from '../compile/anneal-compiled.js';
export { compiledCost, type CompiledCost } from '../compile/cost.js';
export {
  measureOpCosts,
  predictNanoseconds,
  programWork,
  type OpCosts,
  type Work,
} from '../compile/op-costs.js';
