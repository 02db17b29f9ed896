/**
 * crosscountry: cross-country (vertex) elimination for cheaper exact Jacobians.
 * The only public entry point; everything else is internal.
 */
export type { Graph, GraphInput, Operand, Vertex, VertexId } from './graph/graph.js';
export { eliminableVertices, isScalarGraph, outputVertexIds } from './graph/graph.js';
export type { Primitive, ParamsOf, DotDimensionNumbers } from './graph/primitive.js';
export { ALL_PRIMITIVES } from './graph/primitive.js';
export type { Shape } from './graph/shape.js';
export type { Tensor, NestedArray } from './graph/tensor.js';
export { tensor, scalarTensor, toNested, fromNested } from './graph/tensor.js';
export {
  CrosscountryError,
  ShapeError,
  UnsupportedPrimitiveError,
  InvalidOrderError,
  NonFiniteError,
  GraphValidationError,
  TracerError,
} from './graph/errors.js';
export { graphToJson, graphFromJson, type GraphJson } from './graph/serialize.js';
export { pprintGraph } from './graph/print.js';

export { GraphBuilder, validateGraph } from './primitives/builder.js';

export { trace, type InputSpec, type TracedFunction } from './trace/trace.js';
export { Traced, type TensorLike } from './trace/tensor-api.js';
/** The numpy-like tensor API for traced functions: `np.sin(x)`, `np.matmul(W, x)`, `np.sum(x, 0)`, … */
export * as np from './trace/tensor-api.js';

export { evaluateGraph, outputValues, type Evaluation } from './evaluate/evaluate.js';
export { localJacobians, type LocalEdge } from './evaluate/linearize.js';

export type { Block } from './sparse/block.js';
export { describeBlock } from './sparse/block.js';

export { forwardOrder, reverseOrder, validateOrder } from './elimination/order.js';
export { markowitzOrder } from './elimination/markowitz.js';
export { resolveOrder, type OrderSpec, type OrderName } from './elimination/resolve.js';
export {
  COST_MODELS,
  countOrderWith,
  markowitzOrderWith,
  parseCostModel,
  type CostModelName,
} from './elimination/cost-model.js';
export { countOrder, type OrderCost, type EliminationStep } from './elimination/count.js';
export { EdgeGraph } from './elimination/edge-graph.js';
export { ScalarCostEngine } from './elimination/scalar-engine.js';
export { SparseScalarEngine } from './elimination/sparse-engine.js';
export {
  HEURISTICS,
  heuristicOrder,
  bestHeuristicOrder,
  type HeuristicName,
} from './elimination/heuristics.js';

export { jacobianByElimination, type EliminationResult, type JacobianBlocks } from './jacobian/eliminate.js';
export { tapeForwardJacobian, tapeReverseJacobian, type ReferenceJacobian } from './jacobian/tape.js';
export {
  finiteDifferenceJacobian,
  freezeStopGradients,
  type FiniteDifferenceOptions,
} from './jacobian/finite-differences.js';

export {
  importJaxpr,
  JaxprParseError,
  importPaperGraph,
  isPaperGraphJson,
  type PaperGraphJson,
} from './jaxpr/index.js';
export { alphagradEdges, type AlphagradEdge } from './alphagrad/encode.js';
export { AlphagradEngine, alphagradMarkowitzOrder } from './alphagrad/engine.js';

export {
  optimizeOrder,
  quickOptimize,
  OPTIMIZE_METHODS,
  type SearchWork,
  type OptimizeMethod,
  type OptimizeOptions,
  type OptimizeResult,
} from './search/portfolio.js';
export { exactSearch, canSolveExactly, type ExactOptions } from './search/exact.js';
export { anneal, type AnnealOptions } from './search/anneal.js';
export { greedyOrder, type GreedyOptions } from './search/greedy.js';
export { searchProblem, type SearchProblem, type CostState, type Game } from './search/problem.js';
export {
  largeGraphSearch,
  isLargeSearchGraph,
  permanentLowerBound,
  LARGE_GRAPH_VERTICES,
  type LargeSearchOptions,
  type LargeSearchResult,
} from './search/large.js';
export {
  windowedSearch,
  localityOrder,
  type WindowedOptions,
  type WindowedResult,
} from './search/windowed.js';
export { autoOrder, AUTO_WORK, AUTO_WINDOWS, type AutoOrderOptions } from './compile/choose.js';
export type { Certificate, SearchResult } from './search/result.js';

export {
  jacobian,
  compileGraphJacobian,
  compileCount,
  jacobianSparsity,
  type CompiledJacobian,
  type CompileOptions,
  type CompileTarget,
  type BatchInput,
  type Backend,
  BACKENDS,
  BYTECODE_INSTRUCTIONS,
} from './compile/jacobian.js';
export { KERNEL_MULTIPLICATIONS } from './compile/kernel-program.js';
export { LAYOUTS, type Layout } from './compile/emit.js';
export {
  RESULT_FORMATS,
  type ResultFormat,
  type JacobianBatch,
  type DenseJacobianBatch,
  type SparseJacobianBatch,
  type SparsityPattern,
} from './compile/result-format.js';
export { jacobianPattern } from './elimination/sparsity.js';
export { graphFingerprint } from './graph/fingerprint.js';
export { compiledCost, type CompiledCost } from './compile/cost.js';
export { median } from './util/stats.js';
export { cheapestCompiledOrder, type OrderCandidate, type OrderChoice } from './compile/choose.js';
export { annealCompiledOrder, type CompiledAnnealOptions } from './compile/anneal-compiled.js';
export {
  measureOpCosts,
  predictNanoseconds,
  programWork,
  type OpCosts,
  type Work,
} from './compile/op-costs.js';

export {
  TASKS,
  TASK_NAMES,
  FAITHFUL_TASKS,
  findTask,
  taskGraph,
  type TaskDefinition,
  type TaskSource,
} from './tasks/index.js';
export { randomScalarGraph, randomTensorGraph } from './tasks/random-graphs.js';
export { vertexLowerBounds, vertexCutBounds } from './search/lower-bound.js';
export { paperTable, type PaperTableRow } from './report/paper-table.js';
export { paperTableMarkdown } from './report/paper-table-markdown.js';
export {
  runtimeBenchmark,
  type RuntimeBenchOptions,
  type RuntimeBenchResult,
} from './report/runtime-bench.js';
export { runtimeMarkdown, type RuntimeReportContext } from './report/runtime-markdown.js';
export type { BestOrderChoice } from './report/runtime.js';
export { renderPng, groupedBarSpec, facetedLineSpec } from './report/charts.js';

export { EliminationGame, GameState, type Baselines } from './rl/game.js';
export { observe } from './rl/observation.js';
export {
  gumbelSearch,
  consideredVisitSequence,
  DEFAULT_GUMBEL,
  type GumbelConfig,
  type BatchEvaluator,
  type Evaluation as SearchEvaluation,
  type SearchOutcome,
} from './rl/gumbel.js';
export { selfPlay, type Trajectory } from './rl/self-play.js';
export { uniformEvaluator, networkEvaluator } from './rl/evaluators.js';
export {
  AlphaZeroTrainer,
  DEFAULT_ALPHAZERO,
  type AlphaZeroConfig,
  type AlphaZeroCheckpoint,
} from './rl/alphazero.js';
export { PpoTrainer, DEFAULT_PPO, type PpoConfig, type PpoCheckpoint } from './rl/ppo.js';
export { AgentBase, BestTracker, type BestOrder, type CurvePoint, type EpisodeReport } from './rl/agent.js';
export {
  createAgent,
  resumeAgent,
  RL_METHODS,
  type RlMethod,
  type AgentOptions,
  type AgentCheckpoint,
} from './rl/agents.js';
export { runAgent, type RunLimits, type RunSummary } from './rl/run.js';
export { curveCsv, curveRows } from './rl/curve.js';
export { learningCurveSpec, type LearningCurveRow } from './report/learning-curve.js';
export { transformValue, inverseTransformValue, type ValueTransformName } from './rl/value-transform.js';
export type { Architecture, NetworkConfig, Observation, PolicyValueNet } from './nn/network.js';
