/**
 * crosscountry: cross-country (vertex) elimination for cheaper exact Jacobians.
 *
 * The core entry point: graphs, tracing, evaluation, orders and their costs, and compiled Jacobians. The
 * rest is in subpath entry points, each loaded only when imported: `crosscountry/search` (order search and
 * bounds), `crosscountry/rl` (learned orders; needs @tensorflow/tfjs and -backend-wasm),
 * `crosscountry/jaxpr` (JAX jaxpr import) and `crosscountry/tasks` (the paper's tasks, random graphs).
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
  OptionError,
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
export {
  HEURISTICS,
  heuristicOrder,
  bestHeuristicOrder,
  type HeuristicName,
} from './elimination/heuristics.js';

export {
  jacobianAtPoint,
  jacobianByElimination,
  type EliminationResult,
  type JacobianBlocks,
} from './jacobian/eliminate.js';
export { tapeForwardJacobian, tapeReverseJacobian, type ReferenceJacobian } from './jacobian/tape.js';
export {
  finiteDifferenceJacobian,
  freezeStopGradients,
  type FiniteDifferenceOptions,
} from './jacobian/finite-differences.js';

export {
  jacobian,
  compileGraphJacobian,
  compileCount,
  jacobianSparsity,
  type CompiledJacobian,
  type CompileOptions,
  type CompileTarget,
  type BatchInput,
  type BatchTree,
  type JacobianFormat,
  type JacobianFnOptions,
  type JacobianResultOf,
  type NestedJacobianBatch,
  JACOBIAN_FORMATS,
  type Backend,
  BACKENDS,
  BYTECODE_INSTRUCTIONS,
} from './compile/jacobian.js';
export { KERNEL_MULTIPLICATIONS } from './compile/kernel-program.js';
export {
  emitStandaloneModule,
  STANDALONE_LANGUAGES,
  STANDALONE_MAX_INSTRUCTIONS,
  type StandaloneLanguage,
  type StandaloneModule,
  type StandaloneOptions,
} from './compile/standalone.js';
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
export {
  jacfwd,
  jacrev,
  jvp,
  vjp,
  jvpOfGraph,
  vjpOfGraph,
  type JacobianOptions,
  type JacobianTree,
  type ProductOptions,
  type TensorTree,
  type TensorValue,
  type ValueTree,
} from './jacobian/transforms.js';
export type { Tree } from './trace/pytree.js';
export type { TreeFunction } from './trace/trace-tree.js';
