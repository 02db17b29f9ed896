import { ShapeError } from '../graph/errors.js';
import { nodeOfOperand, nodeSizes, operandShape, type Graph } from '../graph/graph.js';
import { shapesEqual, sizeOf, type Shape } from '../graph/shape.js';
import { fromNested, toNested, type NestedArray, type Tensor } from '../graph/tensor.js';
import { evaluateGraph, outputValues } from '../evaluate/evaluate.js';
import { localJacobians, type LocalEdge } from '../evaluate/linearize.js';
import type { Block } from '../sparse/block.js';
import { stopGradient, type TensorLike } from '../trace/tensor-api.js';
import { trace, type TracedFunction } from '../trace/trace.js';
import { resolveOrder } from '../elimination/resolve.js';
import { jacobianByElimination } from './eliminate.js';

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

/** A number, nested arrays of numbers, or a Tensor: what a primal, tangent or cotangent may be given as. */
export type TensorValue = number | NestedArray | Tensor;

function toTensor(v: TensorValue, what: string): Tensor {
  if (typeof v === 'number') return { shape: [], data: Float64Array.of(v) };
  if (Array.isArray(v)) return fromNested(v);
  if (v && typeof v === 'object' && 'shape' in v && (v as Tensor).data instanceof Float64Array)
    return v as Tensor;
  throw new ShapeError(`${what} must be a number, nested arrays of numbers or a Tensor`);
}

/**
 * JAX's `jvp(fn, primals, tangents)`: fn's outputs and its Jacobian applied to the tangents at the primals.
 * Shapes come from the primals (a number is a scalar); fn is traced once per call.
 */
export function jvp(
  fn: TracedFunction,
  primals: readonly TensorValue[],
  tangents: readonly TensorValue[],
): [outputs: Tensor[], tangents: Tensor[]] {
  const p = primals.map((v, i) => toTensor(v, `primal ${i + 1}`));
  const graph = trace(
    fn,
    p.map((t) => t.shape),
  );
  const r = jvpOfGraph(
    graph,
    p,
    tangents.map((v, i) => toTensor(v, `tangent ${i + 1}`)),
  );
  return [r.outputs, r.tangents];
}

/**
 * JAX's `vjp(fn, primals)`: fn's outputs and a pullback mapping output cotangents to input cotangents
 * (uᵀ·J); the linearisation is computed once and reused by every pullback call.
 */
export function vjp(
  fn: TracedFunction,
  primals: readonly TensorValue[],
): [outputs: Tensor[], pullback: (cotangents: readonly TensorValue[]) => Tensor[]] {
  const p = primals.map((v, i) => toTensor(v, `primal ${i + 1}`));
  const graph = trace(
    fn,
    p.map((t) => t.shape),
  );
  const r = vjpOfGraph(graph, p);
  return [r.outputs, (cotangents) => r.pullback(cotangents.map((v, i) => toTensor(v, `cotangent ${i + 1}`)))];
}

/** Options of `jacfwd`/`jacrev`, as JAX's: which arguments to differentiate, and whether fn returns aux. */
export interface JacobianOptions {
  /** An argument index, or several (then one Jacobian per index, in that order). Default 0. */
  readonly argnums?: number | readonly number[];
  /** fn returns [output(s), aux]: aux is evaluated and returned as it is, not differentiated. */
  readonly hasAux?: boolean;
}

/**
 * The Jacobian of fn at the primals, nested as JAX returns it: per output (a list when fn returns a list),
 * per argnum (a list when argnums is), an array of shape out.shape ++ in.shape.
 */
function nestedJacobian(
  fn: TracedFunction,
  options: JacobianOptions,
  mode: 'forward' | 'reverse',
  primals: readonly TensorValue[],
): NestedArray | NestedArray[] | [NestedArray | NestedArray[], NestedArray | NestedArray[]] {
  const p = primals.map((v, i) => toTensor(v, `primal ${i + 1}`));
  const many = Array.isArray(options.argnums);
  const argnums = (many ? options.argnums : [options.argnums ?? 0]) as readonly number[];
  for (const a of argnums)
    if (!Number.isInteger(a) || a < 0 || a >= p.length)
      throw new ShapeError(`argnums ${a} is not an argument index (fn has ${p.length} arguments)`);
  let outputCount = 0;
  let outputIsList = false;
  let auxIsList = false;
  const graph = trace(
    (...args) => {
      // Arguments not differentiated enter through stop_gradient: their Jacobian blocks are structurally zero.
      const result = fn(...args.map((a, i) => (argnums.includes(i) ? a : stopGradient(a))));
      const [out, aux] = options.hasAux
        ? (result as [TensorLike | TensorLike[], TensorLike | TensorLike[]])
        : [result, []];
      outputIsList = Array.isArray(out);
      auxIsList = Array.isArray(aux);
      const outs = (outputIsList ? out : [out]) as TensorLike[];
      outputCount = outs.length;
      return [...outs, ...((auxIsList ? aux : [aux]) as TensorLike[])];
    },
    p.map((t) => t.shape),
  );
  // Eliminated in forward or reverse order on the structured blocks (the JAX modes' accumulation orders).
  const blocks = jacobianByElimination(graph, p, resolveOrder(graph, mode));
  const perOutput = blocks.jacobian.slice(0, outputCount).map((row) => {
    const selected = argnums.map((a) => toNested(row[a]));
    return many ? selected : selected[0];
  });
  const jac = outputIsList ? perOutput : perOutput[0];
  if (!options.hasAux) return jac as NestedArray | NestedArray[];
  const aux = blocks.outputs.slice(outputCount).map(toNested);
  return [jac as NestedArray | NestedArray[], auxIsList ? aux : aux[0]];
}

/** JAX's `jacfwd(fn, argnums, has_aux)`: a function of the primals returning the Jacobian (forward sweeps). */
export function jacfwd(
  fn: TracedFunction,
  options: JacobianOptions = {},
): (...primals: TensorValue[]) => ReturnType<typeof nestedJacobian> {
  return (...primals) => nestedJacobian(fn, options, 'forward', primals);
}

/** JAX's `jacrev(fn, argnums, has_aux)`: the same Jacobian by reverse (adjoint) sweeps. */
export function jacrev(
  fn: TracedFunction,
  options: JacobianOptions = {},
): (...primals: TensorValue[]) => ReturnType<typeof nestedJacobian> {
  return (...primals) => nestedJacobian(fn, options, 'reverse', primals);
}
