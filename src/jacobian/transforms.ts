import { ShapeError } from '../graph/errors.js';
import { nodeOfOperand, nodeSizes, operandShape, type Graph } from '../graph/graph.js';
import { shapesEqual, sizeOf, type Shape } from '../graph/shape.js';
import { fromNested, toNested, type NestedArray, type Tensor } from '../graph/tensor.js';
import { evaluateGraph, outputValues } from '../evaluate/evaluate.js';
import { localJacobians, type LocalEdge } from '../evaluate/linearize.js';
import type { Block } from '../sparse/block.js';
import type { Traced } from '../trace/tensor-api.js';
import {
  argName,
  checkArgnums,
  traceTree,
  type FlatSignature,
  type TracedTree,
  type TreeFunction,
} from '../trace/trace-tree.js';
import {
  flattenAlong,
  flattenTree,
  leafCount,
  mapTreeDef,
  unflattenTree,
  type Tree,
} from '../trace/pytree.js';
import { resolveOrder } from '../elimination/resolve.js';
import { jacobianAtPoint } from './eliminate.js';

/**
 * Jacobian-vector and vector-Jacobian products straight from the graph, as JAX's `jvp` and `vjp`: one
 * tangent (or cotangent) sweep through the local partials, each a structured block applied to a vector,
 * so the cost is that of the program's edges, never the full Jacobian's.
 */

/** y += B·x for a local partial block (structural blocks are 0/1, full blocks row-major). */
function addBlockTimes(block: Block, x: Float64Array, y: Float64Array): void {
  const { rows, cols, values } = block;
  if (block.full === true && values) {
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += values[r * cols + c] * x[c];
      y[r] += s;
    }
    return;
  }
  const { rowPtr, colIdx } = block;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let k = rowPtr[r]; k < rowPtr[r + 1]; k++) s += (values ? values[k] : 1) * x[colIdx[k]];
    y[r] += s;
  }
}

/** x += Bᵀ·y. */
function addBlockTransposeTimes(block: Block, y: Float64Array, x: Float64Array): void {
  const { rows, cols, values } = block;
  if (block.full === true && values) {
    for (let r = 0; r < rows; r++) {
      const yr = y[r];
      for (let c = 0; c < cols; c++) x[c] += values[r * cols + c] * yr;
    }
    return;
  }
  const { rowPtr, colIdx } = block;
  for (let r = 0; r < rows; r++) {
    const yr = y[r];
    for (let k = rowPtr[r]; k < rowPtr[r + 1]; k++) x[colIdx[k]] += (values ? values[k] : 1) * yr;
  }
}

function checkTensors(what: string, given: readonly Tensor[], shapes: readonly Shape[]): void {
  if (given.length !== shapes.length)
    throw new ShapeError(`${what}: expected ${shapes.length} tensors, got ${given.length}`);
  given.forEach((t, i) => {
    if (!shapesEqual(t.shape, shapes[i]))
      throw new ShapeError(`${what} ${i + 1} has shape [${t.shape}], expected [${shapes[i]}]`);
  });
}

interface Linearized {
  readonly outputs: Tensor[];
  readonly edges: LocalEdge[][];
  readonly sizes: number[];
}

function linearize(graph: Graph, primals: readonly Tensor[]): Linearized {
  const ev = evaluateGraph(graph, primals);
  const sizes = nodeSizes(graph);
  return { outputs: outputValues(graph, ev), edges: localJacobians(graph, ev), sizes };
}

/** Outputs and J·tangents at `primals` (one tangent per input, of its shape). */
export function jvpOfGraph(
  graph: Graph,
  primals: readonly Tensor[],
  tangents: readonly Tensor[],
): { outputs: Tensor[]; tangents: Tensor[] } {
  const shapes = graph.inputs.map((x) => x.shape);
  checkTensors('tangent', tangents, shapes);
  const { outputs, edges, sizes } = linearize(graph, primals);
  const numInputs = graph.inputs.length;
  const t = sizes.map((n, k) => (k < numInputs ? Float64Array.from(tangents[k].data) : new Float64Array(n)));
  // Program order: every source's tangent is complete before a later vertex reads it.
  edges.forEach((local, k) => {
    for (const e of local) addBlockTimes(e.block, t[e.source], t[numInputs + k]);
  });
  const out = graph.outputs.map((op) => {
    const node = nodeOfOperand(graph, op);
    const shape = operandShape(graph, op);
    return {
      shape: [...shape],
      data: node === null ? new Float64Array(sizeOf(shape)) : Float64Array.from(t[node]),
    };
  });
  return { outputs, tangents: out };
}

/** Outputs and the pullback: cotangents of the outputs → uᵀ·J, one cotangent per input. */
export function vjpOfGraph(
  graph: Graph,
  primals: readonly Tensor[],
): { outputs: Tensor[]; pullback: (cotangents: readonly Tensor[]) => Tensor[] } {
  const { outputs, edges, sizes } = linearize(graph, primals);
  const numInputs = graph.inputs.length;
  const pullback = (cotangents: readonly Tensor[]): Tensor[] => {
    checkTensors(
      'cotangent',
      cotangents,
      graph.outputs.map((op) => operandShape(graph, op)),
    );
    const a = sizes.map((n) => new Float64Array(n));
    graph.outputs.forEach((op, i) => {
      const node = nodeOfOperand(graph, op);
      if (node === null) return;
      const c = cotangents[i].data;
      for (let e = 0; e < c.length; e++) a[node][e] += c[e];
    });
    // Reverse program order: a vertex's adjoint is complete once every later reader has pushed into it.
    for (let k = edges.length - 1; k >= 0; k--)
      for (const e of edges[k]) addBlockTransposeTimes(e.block, a[numInputs + k], a[e.source]);
    return graph.inputs.map((x, j) => ({ shape: [...x.shape], data: a[j] }));
  };
  return { outputs, pullback };
}

/**
 * A tensor as a transform takes it: a number (a scalar), nested arrays of numbers (one tensor, its shape
 * from the nesting), a Float64Array (a vector) or a Tensor.
 */
export type TensorValue = number | NestedArray | Float64Array | Tensor;

/** Arguments may be pytrees: arrays and plain objects of tensors (nested number arrays are one tensor). */
export type ValueTree = Tree<TensorValue>;
/** Results are pytrees of Tensors of the same structure as fn's results. */
export type TensorTree = Tree<Tensor>;
/** Jacobians are pytrees of nested arrays of shape out.shape ++ in.shape. */
export type JacobianTree = Tree<NestedArray>;

function isTensorObject(v: unknown): v is Tensor {
  return v !== null && typeof v === 'object' && 'shape' in v && (v as Tensor).data instanceof Float64Array;
}

/** Only numbers below: a tensor given as nested arrays (a ragged one is rejected when converted). */
function isNumberArray(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' || isNumberArray(x));
}

function isTensorValue(v: unknown): v is TensorValue {
  return typeof v === 'number' || v instanceof Float64Array || isTensorObject(v) || isNumberArray(v);
}

function toTensor(v: TensorValue, what: string): Tensor {
  if (typeof v === 'number') return { shape: [], data: Float64Array.of(v) };
  if (v instanceof Float64Array) return { shape: [v.length], data: v };
  if (Array.isArray(v)) {
    try {
      return fromNested(v);
    } catch {
      throw new ShapeError(`${what} is a ragged nested array`);
    }
  }
  if (isTensorObject(v)) return v;
  throw new ShapeError(`${what} must be a number, nested arrays of numbers or a Tensor`);
}

/** The primals flattened to tensors, and the signature fn is traced with. */
interface FlatArgs extends FlatSignature {
  readonly tensors: Tensor[];
}

function flattenArgs(args: readonly unknown[], what: string): FlatArgs {
  if (!Array.isArray(args)) throw new ShapeError(`the ${what}s must be an array, one per argument of fn`);
  const flat: FlatArgs = { tensors: [], shapes: [], names: [], defs: [], start: [] };
  args.forEach((arg, i) => {
    const tree = flattenTree(arg, isTensorValue, `${what} ${i + 1}`);
    flat.start.push(flat.tensors.length);
    flat.defs.push(tree.def);
    tree.leaves.forEach((leaf, k) => {
      const t = toTensor(leaf, `${what} ${i + 1}${tree.paths[k]}`);
      flat.tensors.push(t);
      flat.shapes.push(t.shape);
      flat.names.push(`${argName(i)}${tree.paths[k]}`);
    });
  });
  return flat;
}

/** Tangents flattened along the primals' structure, one list per argument. */
function flattenTangents(primals: FlatArgs, tangents: readonly unknown[]): Tensor[] {
  if (!Array.isArray(tangents) || tangents.length !== primals.defs.length)
    throw new ShapeError(`expected ${primals.defs.length} tangents (one per primal)`);
  return primals.defs.flatMap((def, i) => {
    const flat = flattenAlong(def, tangents[i], `tangent ${i + 1}`);
    return flat.leaves.map((v, k) => toTensor(v as TensorValue, `tangent ${i + 1}${flat.paths[k]}`));
  });
}

function auxTree(traced: TracedTree, outputs: readonly Tensor[]): TensorTree {
  return unflattenTree(traced.auxDef ?? { kind: 'list', children: [] }, outputs.slice(traced.outCount));
}

/** Options of jvp and vjp, as JAX's. */
export interface ProductOptions {
  /** fn returns [result, aux]: aux is evaluated and returned as it is, not differentiated. */
  readonly hasAux?: boolean;
}

/**
 * JAX's `jvp(fn, primals, tangents)`: fn's results and its Jacobian applied to the tangents at the
 * primals, as pytrees of fn's result structure. Tangents have the primals' structure and shapes; fn is
 * traced once per call. With hasAux, returns [results, tangents, aux].
 */
export function jvp<A extends unknown[] = Traced[]>(
  fn: TreeFunction<A>,
  primals: readonly ValueTree[],
  tangents: readonly ValueTree[],
  options: ProductOptions = {},
): [outputs: TensorTree, tangents: TensorTree, aux?: TensorTree] {
  const p = flattenArgs(primals, 'primal');
  const traced = traceTree(fn, p, options.hasAux === true);
  const r = jvpOfGraph(traced.graph, p.tensors, flattenTangents(p, tangents));
  const outs = unflattenTree(traced.outDef, r.outputs.slice(0, traced.outCount));
  const tans = unflattenTree(traced.outDef, r.tangents.slice(0, traced.outCount));
  return options.hasAux ? [outs, tans, auxTree(traced, r.outputs)] : [outs, tans];
}

/**
 * JAX's `vjp(fn, primals)`: fn's results and a pullback mapping cotangents (a pytree of the results'
 * structure) to one cotangent per primal (uᵀ·J, in the primal's structure). The linearisation is computed
 * once and reused by every pullback call. With hasAux, returns [results, pullback, aux].
 */
export function vjp<A extends unknown[] = Traced[]>(
  fn: TreeFunction<A>,
  primals: readonly ValueTree[],
  options: ProductOptions = {},
): [outputs: TensorTree, pullback: (cotangents: ValueTree) => TensorTree[], aux?: TensorTree] {
  const p = flattenArgs(primals, 'primal');
  const traced = traceTree(fn, p, options.hasAux === true);
  const r = vjpOfGraph(traced.graph, p.tensors);
  const outs = unflattenTree(traced.outDef, r.outputs.slice(0, traced.outCount));
  const auxCount = r.outputs.length - traced.outCount;
  const pullback = (cotangents: ValueTree): TensorTree[] => {
    const c = flattenAlong(traced.outDef, cotangents, 'cotangent');
    const leaves = c.leaves.map((v, k) => toTensor(v as TensorValue, `cotangent${c.paths[k]}`));
    // Aux outputs are not differentiated: they get zero cotangents.
    for (let k = 0; k < auxCount; k++) {
      const shape = r.outputs[traced.outCount + k].shape;
      leaves.push({ shape: [...shape], data: new Float64Array(sizeOf(shape)) });
    }
    const grads = r.pullback(leaves);
    return p.defs.map((def, a) => unflattenTree(def, grads.slice(p.start[a], p.start[a] + leafCount(def))));
  };
  return options.hasAux ? [outs, pullback, auxTree(traced, r.outputs)] : [outs, pullback];
}

/** Options of `jacfwd`/`jacrev`, as JAX's: which arguments to differentiate, and whether fn returns aux. */
export interface JacobianOptions {
  /** An argument index, or several (then one Jacobian per index, in that order). Default 0. */
  readonly argnums?: number | readonly number[];
  /** fn returns [result, aux]: aux is evaluated and returned as it is, not differentiated. */
  readonly hasAux?: boolean;
}

/**
 * The Jacobian of fn at the primals, nested as JAX returns it: fn's result structure, each leaf holding
 * (per argnum, a list when argnums is one) the argument's structure, each of its leaves an array of shape
 * out.shape ++ in.shape.
 */
function treeJacobian<A extends unknown[] = Traced[]>(
  fn: TreeFunction<A>,
  options: JacobianOptions,
  mode: 'forward' | 'reverse',
  primals: readonly ValueTree[],
): JacobianTree | [JacobianTree, JacobianTree] {
  const p = flattenArgs(primals, 'primal');
  const many = Array.isArray(options.argnums);
  const argnums = checkArgnums(options.argnums, p.defs.length);
  const traced = traceTree(fn, p, options.hasAux === true, argnums);
  // Eliminated in forward or reverse order on the structured blocks (the JAX modes' accumulation orders).
  const blocks = jacobianAtPoint(traced.graph, p.tensors, resolveOrder(traced.graph, mode));
  const jac = mapTreeDef<NestedArray>(traced.outDef, (o) => {
    const perArg = argnums.map((a) =>
      mapTreeDef<NestedArray>(p.defs[a], (l) => toNested(blocks.jacobian[o][p.start[a] + l])),
    );
    return many ? perArg : perArg[0];
  });
  if (!options.hasAux) return jac;
  return [jac, mapTreeDef<NestedArray>(traced.auxDef!, (k) => toNested(blocks.outputs[traced.outCount + k]))];
}

/** JAX's `jacfwd(fn, argnums, has_aux)`: a function of the primals returning the Jacobian (forward sweeps). */
export function jacfwd<A extends unknown[] = Traced[]>(
  fn: TreeFunction<A>,
  options: JacobianOptions = {},
): (...primals: ValueTree[]) => JacobianTree | [JacobianTree, JacobianTree] {
  return (...primals) => treeJacobian(fn, options, 'forward', primals);
}

/** JAX's `jacrev(fn, argnums, has_aux)`: the same Jacobian by reverse (adjoint) sweeps. */
export function jacrev<A extends unknown[] = Traced[]>(
  fn: TreeFunction<A>,
  options: JacobianOptions = {},
): (...primals: ValueTree[]) => JacobianTree | [JacobianTree, JacobianTree] {
  return (...primals) => treeJacobian(fn, options, 'reverse', primals);
}
