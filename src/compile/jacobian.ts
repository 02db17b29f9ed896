import { resolveOrder, type OrderSpec } from '../elimination/resolve.js';
import { CrosscountryError, NonFiniteError, ShapeError } from '../graph/errors.js';
import { eliminableVertices, isScalarGraph, type Graph, type VertexId } from '../graph/graph.js';
import { jacobianAtPoint } from '../jacobian/eliminate.js';
import { countOrder } from '../elimination/count.js';
import { KERNEL_MULTIPLICATIONS, kernelProgram } from './kernel-program.js';
import { bytecodeProgram } from './bytecode.js';
import { graphFingerprint } from '../graph/fingerprint.js';
import { jacobianPattern } from '../elimination/sparsity.js';
import { LruCache } from '../util/lru.js';
import { sizeOf } from '../graph/shape.js';
import { leafCount } from '../trace/pytree.js';
import type { NestedArray } from '../graph/tensor.js';
import { trace, type InputSpec, type TracedFunction } from '../trace/trace.js';
import type { Traced } from '../trace/tensor-api.js';
import { buildEliminationProgram, buildTapeProgram } from './build.js';
import { checkCompileOptions } from './check-options.js';
import { autoOrder } from './choose.js';
import { emitProgram, type CompiledProgram, type Layout } from './emit.js';
import {
  type AnyJacobianBatch,
  type JacobianFormat,
  type JacobianBatch,
  type ResultFormat,
  type ResultOf,
  type SparsityPattern,
} from './result-format.js';
import { flattenAlong, type Tree } from '../trace/pytree.js';
import { checkArgnums, flattenSpecs, traceTree, type TreeFunction } from '../trace/trace-tree.js';
import {
  graphStructure,
  isFlatStructure,
  nestResult,
  type CallStructure,
  type NestedJacobianBatch,
} from './nested-result.js';
import { programWork, type Work } from './op-costs.js';
import { FULL_FOLDING, NO_FOLDING, programStats, type ProgramStats } from './program.js';

/** What to compile: an elimination order (by name, 'auto' = searched, or a vertex list) or a tape baseline. */
export type CompileTarget = OrderSpec | 'auto' | 'tape-forward' | 'tape-reverse';

export { JACOBIAN_FORMATS, type JacobianFormat } from './result-format.js';

export interface CompileOptions<F extends JacobianFormat = JacobianFormat> {
  /**
   * How the Jacobian is returned: `blocks` (default; one typed array per output and input, shaped
   * [batch, ...out.shape, ...in.shape]), `dense` (one [batch, rows, cols] array over flattened outputs
   * and inputs), `sparse` (CSR values [batch, nnz] with a reusable pattern: only structural non-zeros are
   * computed and stored) or `nested` (plain nested arrays in fn's result and argument structure, as
   * `vmap(jacfwd(f))` returns them: convenient, slower for large results, no `into`).
   */
  readonly format?: F;
  /**
   * Per input (for `jacobian(fn)`: per argument), `0` when it has a batch axis first (default) or `null`
   * when one value is shared by every point of the batch, as JAX's `vmap(in_axes=…)`.
   */
  readonly inAxes?: readonly (0 | null)[];
  /** Default `point` (batch loop outermost): measured faster than `batch` on every task (results/runtime.md). */
  readonly layout?: Layout;
  /**
   * Work spent choosing the `auto` order, as a multiple of the default budget (AUTO_WORK, about 0.3 s on
   * the paper's graphs, ≤ 1 s at 10^4 vertices): a budget of work, not time, so the order is reproducible.
   * `auto` compiles the searched order or Markowitz, forward or reverse, whichever compiles to the fewest
   * operations; the choice is cached per graph and effort.
   */
  readonly searchEffort?: number;
  /**
   * Constant-fold products with ±1 and 0 while generating code (default true). Unfolded code performs
   * exactly the native cost model's multiplications.
   */
  readonly fold?: boolean;
  /** Source characters per generated function (default: the layout's, see emit.ts; for measurements). */
  readonly chunkChars?: number;
  /**
   * How the Jacobian is computed: `generated` JavaScript (one statement per scalar operation, fastest
   * for small programs), `bytecode` (the same program in typed arrays, run by one interpreter loop: for
   * programs too large for V8 to optimise soon), `kernels` (the order run on typed-array blocks each call,
   * memory of the blocks only), or `auto` (default): kernels for tensor graphs whose order performs more
   * than KERNEL_MULTIPLICATIONS multiplications, bytecode for programs of more than BYTECODE_INSTRUCTIONS
   * instructions in the point layout, generated code otherwise. Tape baselines never use the kernels.
   */
  readonly backend?: Backend | 'auto';
  /**
   * Throw NonFiniteError when an input, value, partial or Jacobian entry is NaN or infinite, with the
   * interpreter's message (vertex, primitive, point) and the point's index in the batch. Default false:
   * IEEE semantics, as JAX. The check scans the result once per call, outside the generated code.
   */
  readonly checkFinite?: boolean;
}

export type Backend = 'generated' | 'bytecode' | 'kernels';
export const BACKENDS: readonly Backend[] = ['generated', 'bytecode', 'kernels'];

/**
 * Above this many instructions `auto` runs a program as bytecode: generated functions that large are
 * optimised by V8 only after thousands of calls (compile/bytecode.ts), and generating and parsing their
 * source takes seconds. Measured on the flux kernel (bench:scale).
 */
export const BYTECODE_INSTRUCTIONS = 200_000;

/** One input of a batch: a flat typed array or array ([batch, ...shape]), nested arrays, or a number. */
export type BatchInput = Float64Array | readonly number[] | NestedArray;
/** An argument of a batch when fn takes pytrees: arrays and objects of BatchInputs, as the argument. */
export type BatchTree = Tree<BatchInput>;

export type { NestedJacobianBatch } from './nested-result.js';

export type JacobianResultOf<F extends JacobianFormat> = F extends 'nested'
  ? NestedJacobianBatch
  : ResultOf<Exclude<F, 'nested'>>;

/**
 * A compiled Jacobian: call it on a batch of points. Pass an earlier result of the same batch size as
 * `into` to have its arrays overwritten instead of new ones allocated (for repeated calls, e.g. Newton
 * steps, allocation can cost more than the Jacobian itself).
 */
export interface CompiledJacobian<F extends JacobianFormat = 'blocks'> {
  (
    inputs: readonly BatchTree[] | Readonly<Record<string, BatchInput>>,
    into?: JacobianResultOf<F>,
  ): JacobianResultOf<F> & { readonly batch: number };
  readonly graph: Graph;
  readonly format: F;
  /** The Jacobian's sparsity pattern over flattened outputs and inputs (the `sparse` result's pattern). */
  readonly sparsity: SparsityPattern;
  /** The elimination order (empty for the tape baselines). */
  readonly order: readonly VertexId[];
  /** Multiplications of the derivative part per point (unfolded: the native model's count for an order). */
  readonly multiplications: number;
  readonly fold: boolean;
  readonly layout: Layout;
  readonly target: string;
  /** Which backend runs it (see CompileOptions.backend). */
  readonly backend: Backend;
  /** Operation counts of the generated code per point (for `kernels`: the kernels' products and stores). */
  readonly stats: ProgramStats;
  /** The same per kind of operation (each math call kind apart), for priced run-time estimates. */
  readonly work: Work;
}

/** Bounded caches, keyed by graph content (graphFingerprint tells −0 from 0), so memory stays bounded. */
const programCache = new LruCache<
  string,
  CompiledProgram<AnyJacobianBatch> & {
    multiplications: number;
    order: VertexId[];
    stats: ProgramStats;
    work: Work;
    backend: Backend;
  }
>(64);
const autoOrders = new LruCache<string, VertexId[]>(256);
let compilations = 0;

/** How many programs were generated so far (cache hits do not count): for tests and diagnostics. */
export function compileCount(): number {
  return compilations;
}

/** Compiles a graph's Jacobian for an order (or a tape baseline) into JavaScript, once per (graph, target, layout). */
export function compileGraphJacobian<F extends JacobianFormat = 'blocks'>(
  graph: Graph,
  target: CompileTarget = 'markowitz',
  options: CompileOptions<F> = {},
): CompiledJacobian<F> {
  return compileWithStructure(graph, target, options, graphStructure(graph));
}

function compileWithStructure<F extends JacobianFormat>(
  graph: Graph,
  target: CompileTarget,
  options: CompileOptions<F>,
  structure: CallStructure,
): CompiledJacobian<F> {
  checkCompileOptions(options);
  const { layout = 'point', searchEffort = 1, fold = true, chunkChars, checkFinite = false } = options;
  const format = (options.format ?? 'blocks') as F;
  const programFormat: ResultFormat = format === 'nested' ? 'blocks' : (format as ResultFormat);
  const inAxes = checkInAxes(options.inAxes, structure);
  const folding = fold ? FULL_FOLDING : NO_FOLDING;
  const graphKey = graphFingerprint(graph);
  let order: VertexId[] = [];
  if (target === 'auto') {
    const autoKey = `${searchEffort}|${graphKey}`;
    let cached = autoOrders.get(autoKey);
    if (!cached) {
      cached = autoOrder(graph, { effort: searchEffort });
      autoOrders.set(autoKey, cached);
    }
    order = cached;
  } else if (target !== 'tape-forward' && target !== 'tape-reverse') {
    order = resolveOrder(graph, target);
  }
  const tape = target === 'tape-forward' || target === 'tape-reverse';
  const targetKey = tape ? target : `order:${order.join(',')}`;
  const requested = options.backend ?? 'auto';
  if (requested !== 'auto' && !BACKENDS.includes(requested))
    throw new CrosscountryError(
      `unknown backend '${String(requested)}' (use ${BACKENDS.join(', ')} or auto)`,
    );
  const kernels = !tape && chooseKernels(graph, order, requested);
  const key = `${kernels ? 'kernels' : requested}|${layout}|${fold}|${programFormat}|${chunkChars ?? 'default'}|${targetKey}|${graphKey}`;
  let compiled = programCache.get(key);
  if (!compiled && kernels) {
    compiled = { ...kernelProgram(graph, order, programFormat), backend: 'kernels' };
    programCache.set(key, compiled);
    compilations++;
  }
  if (!compiled) {
    const program =
      target === 'tape-forward'
        ? buildTapeProgram(graph, 'forward', folding)
        : target === 'tape-reverse'
          ? buildTapeProgram(graph, 'reverse', folding)
          : buildEliminationProgram(graph, order, folding);
    const backend: Backend =
      requested === 'auto' || requested === 'kernels'
        ? layout === 'point' && program.instrs.length > BYTECODE_INSTRUCTIONS
          ? 'bytecode'
          : 'generated'
        : requested;
    const runnable =
      backend === 'bytecode'
        ? bytecodeProgram(program, programFormat)
        : emitProgram<AnyJacobianBatch>(program, layout, { chunkChars, format: programFormat });
    compiled = Object.assign(runnable, {
      multiplications: program.multiplications,
      order,
      stats: programStats(program),
      work: programWork(program),
      backend,
    });
    programCache.set(key, compiled);
    compilations++;
  }
  const program = compiled;
  const sizes = graph.inputs.map((x) => sizeOf(x.shape));
  let sparsity: SparsityPattern | undefined;
  const flatCalls = isFlatStructure(structure);
  const run = (
    inputs: readonly BatchTree[] | Readonly<Record<string, BatchInput>>,
    into?: JacobianResultOf<F>,
  ): JacobianResultOf<F> & { readonly batch: number } => {
    const leaves = flatCalls ? inputs : flattenCall(structure, inputs);
    const { arrays, batch } = batchInputs(graph, sizes, leaves, inAxes, checkFinite);
    if (into !== undefined && (into === null || typeof into !== 'object' || format === 'nested'))
      throw new ShapeError(
        format === 'nested'
          ? "the 'nested' format builds new arrays each call: 'into' needs a typed-array format"
          : `'into' must be an earlier result of this function, not ${describeValue(into)}`,
      );
    const result = program.run(arrays, batch, into as AnyJacobianBatch | undefined);
    if (checkFinite) explainNonFinite(graph, program.order, sizes, arrays, result);
    const shaped =
      format === 'nested' ? nestResult(graph, structure, result as JacobianBatch, batch) : result;
    return { ...shaped, batch } as unknown as JacobianResultOf<F> & { readonly batch: number };
  };
  const compiledJ = Object.assign(run, {
    graph,
    format,
    order: program.order,
    multiplications: program.multiplications,
    fold,
    layout,
    target: typeof target === 'string' ? target : 'explicit',
    backend: program.backend,
    stats: program.stats,
    work: program.work,
  });
  // A getter, defined (Object.assign would evaluate it): the pattern is only computed when asked for.
  return Object.defineProperty(compiledJ, 'sparsity', {
    get: (): SparsityPattern => (sparsity ??= jacobianPattern(graph)),
    enumerable: true,
  }) as typeof compiledJ & { readonly sparsity: SparsityPattern };
}

/** inAxes per argument, expanded to one entry per graph input (true: shared by the batch). */
function checkInAxes(inAxes: readonly (0 | null)[] | undefined, s: CallStructure): boolean[] | null {
  if (inAxes === undefined) return null;
  if (
    !Array.isArray(inAxes) ||
    inAxes.length !== s.argDefs.length ||
    inAxes.some((a) => a !== 0 && a !== null)
  )
    throw new ShapeError(
      `inAxes must list 0 (batched) or null (shared) for each of the ${s.argDefs.length} arguments`,
    );
  const shared: boolean[] = [];
  s.argDefs.forEach((def, a) => {
    const count = a + 1 < s.argStart.length ? s.argStart[a + 1] - s.argStart[a] : leafCount(def);
    for (let k = 0; k < count; k++) shared.push(inAxes[a] === null);
  });
  return shared;
}

/** A call's arguments (pytrees of batch inputs) flattened to one batch input per graph input. */
function flattenCall(
  s: CallStructure,
  inputs: readonly BatchTree[] | Readonly<Record<string, BatchInput>>,
): BatchInput[] {
  if (!Array.isArray(inputs) || inputs.length !== s.argDefs.length)
    throw new ShapeError(`expected an array of ${s.argDefs.length} arguments, as fn takes them`);
  return s.argDefs.flatMap(
    (def, a) =>
      flattenAlong(def, (inputs as readonly BatchTree[])[a], `argument ${a + 1}`).leaves as BatchInput[],
  );
}

function chooseKernels(graph: Graph, order: readonly VertexId[], requested: Backend | 'auto'): boolean {
  if (requested !== 'auto') return requested === 'kernels';
  return !isScalarGraph(graph) && countOrder(graph, order).multiplications > KERNEL_MULTIPLICATIONS;
}

/** jacobian(fn)'s options: argument shapes (pytrees allowed), the order, and what to return. */
export type JacobianFnOptions<F extends JacobianFormat> = {
  /** One spec per argument of fn: a shape, `{ name, shape }`, or arrays and objects of them (pytrees). */
  readonly inputs: readonly unknown[];
  readonly order?: CompileTarget;
  /** Arguments to differentiate (default: all); the others enter through stop_gradient and cost nothing. */
  readonly argnums?: number | readonly number[];
  /** fn returns [result, aux]: aux is computed and returned (`nested`: in `aux`), not differentiated. */
  readonly hasAux?: boolean;
} & CompileOptions<F>;

/**
 * The compiled, batched Jacobian of fn: traces fn once and returns a function computing fn's results
 * and their full Jacobian for a batch of points (JAX's `vmap(jacfwd(f))` compiled). `order: 'auto'`
 * (default) uses the best order a short, work-bounded search finds (cached per program). The one-point
 * interpreter of the same elimination is `jacobianAtPoint`.
 *
 * With pytree arguments, calls take one tree per argument; `blocks`, `dense` and `sparse` results list
 * the leaves in flattening order, `nested` returns fn's structure. With `argnums`, the blocks of the
 * other arguments (and with `hasAux`, the rows of aux results) are structurally zero in the typed-array
 * formats and left out of `nested`.
 */
export function jacobian<F extends JacobianFormat = 'blocks', A extends unknown[] = Traced[]>(
  fn: TreeFunction<A>,
  options: JacobianFnOptions<F>,
): CompiledJacobian<F> {
  // Checked here, not left to trace: plain-JS callers get no type error for jacobian(fn, [[]]).
  if (!Array.isArray((options as { inputs?: unknown } | undefined)?.inputs))
    throw new CrosscountryError(
      'jacobian(fn, options) needs options.inputs, one shape per argument of fn: e.g. { inputs: [[], [3]] }',
    );
  const { inputs, order = 'auto', argnums, hasAux = false, ...rest } = options;
  const signature = flattenSpecs(inputs);
  const differentiated =
    argnums === undefined ? inputs.map((_, a) => a) : checkArgnums(argnums, inputs.length);
  const traced = traceTree(
    fn as TreeFunction<A>,
    signature,
    hasAux,
    argnums === undefined ? undefined : differentiated,
  );
  const structure: CallStructure = {
    argDefs: signature.defs,
    argStart: signature.start,
    argnums: differentiated,
    manyArgnums: argnums === undefined ? inputs.length !== 1 : typeof argnums === 'object',
    outDef: traced.outDef,
    outCount: traced.outCount,
    auxDef: traced.auxDef,
  };
  return compileWithStructure(traced.graph, order, rest, structure);
}

/**
 * The structural sparsity pattern of fn's Jacobian over its flattened outputs (rows) and inputs (cols),
 * without computing any derivative: the pattern a `format: 'sparse'` result uses.
 */
export function jacobianSparsity(
  fn: TracedFunction,
  options: { readonly inputs: readonly InputSpec[] },
): SparsityPattern {
  return jacobianPattern(trace(fn, options.inputs));
}

function flatten(value: BatchInput, out: number[], depth = 0): void {
  if (typeof value === 'number') out.push(value);
  else if (value instanceof Float64Array) for (const x of value) out.push(x);
  // Only arrays nest: a string is iterable too, and each of its characters would recurse forever.
  else if (Array.isArray(value) && depth < 32)
    for (const v of value) flatten(v as BatchInput, out, depth + 1);
  else
    throw new ShapeError(
      `an input value must be a number, a Float64Array or nested arrays of numbers, not ${describeValue(value)}`,
    );
}

/** A short description of a bad value for an error message. */
function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array nested too deeply';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v)}`;
  return typeof v === 'object' ? (v.constructor?.name ?? 'an object') : typeof v;
}

/** Index of the first NaN or ±Infinity, or -1; a plain loop (findIndex's callback costs more than a small Jacobian). */
function firstNonFinite(values: Float64Array): number {
  for (let i = 0; i < values.length; i++) if (values[i] - values[i] !== 0) return i;
  return -1;
}

/**
 * checkFinite after a call: if any output or Jacobian value of the batch is not finite, the interpreter
 * re-runs that point with the same check and throws its message (so both paths say the same thing).
 */
function explainNonFinite(
  graph: Graph,
  order: readonly VertexId[],
  sizes: readonly number[],
  inputs: readonly Float64Array[],
  result: AnyJacobianBatch,
): void {
  const arrays: Float64Array[] = [...result.outputs];
  if ('values' in result) arrays.push(result.values);
  else if (result.jacobian instanceof Float64Array) arrays.push(result.jacobian);
  else arrays.push(...result.jacobian.flat());
  const batch = inputs.length > 0 ? inputs[0].length / sizes[0] : 1;
  for (const a of arrays) {
    const bad = firstNonFinite(a);
    if (bad < 0) continue;
    const b = Math.floor(bad / (a.length / batch));
    const point = graph.inputs.map((x, j) => ({
      shape: x.shape,
      data: inputs[j].slice(b * sizes[j], (b + 1) * sizes[j]),
    }));
    const reference =
      order.length > 0 || eliminableVertices(graph).length === 0 ? order : resolveOrder(graph, 'forward');
    try {
      jacobianAtPoint(graph, point, reference, { checkFinite: true });
    } catch (e) {
      if (e instanceof NonFiniteError) throw new NonFiniteError(`${e.message}, point ${b + 1} of the batch`);
      throw e;
    }
    throw new NonFiniteError(`a result value is not finite: ${a[bad]} (point ${b + 1} of the batch)`);
  }
}

/** Normalises positional or named inputs into flat Float64Arrays and infers the batch size. */
function batchInputs(
  graph: Graph,
  sizes: number[],
  inputs: readonly BatchTree[] | Readonly<Record<string, BatchInput>>,
  shared: readonly boolean[] | null,
  checkFinite: boolean,
): { arrays: Float64Array[]; batch: number } {
  if (inputs === null || typeof inputs !== 'object')
    throw new ShapeError(
      `inputs must be an array (one per input) or an object keyed by input name, not ${describeValue(inputs)}`,
    );
  const list: BatchInput[] = Array.isArray(inputs)
    ? [...(inputs as BatchInput[])]
    : graph.inputs.map((x) => {
        const v = (inputs as Record<string, BatchInput>)[x.name];
        if (v === undefined) throw new ShapeError(`missing input '${x.name}'`);
        return v;
      });
  if (list.length !== graph.inputs.length)
    throw new ShapeError(`expected ${graph.inputs.length} inputs, got ${list.length}`);
  let batch = -1;
  const arrays = list.map((v, j) => {
    const flat = v instanceof Float64Array ? v : flatValues(v);
    const size = sizes[j];
    const name = `input ${j + 1} (${graph.inputs[j].name})`;
    const bad = checkFinite ? firstNonFinite(flat) : -1;
    if (bad >= 0) throw new NonFiniteError(`${name} is not finite at value ${bad}: ${flat[bad]}`);
    if (shared?.[j]) {
      if (flat.length !== size)
        throw new ShapeError(
          `${name} is shared by the batch (inAxes null): ${flat.length} values, not ${size}`,
        );
      return flat;
    }
    if (size === 0 || flat.length % size !== 0)
      throw new ShapeError(`${name} has ${flat.length} values, not a multiple of its size ${size}`);
    const b = flat.length / size;
    if (batch >= 0 && b !== batch) throw new ShapeError(`${name} has a batch of ${b}, the others ${batch}`);
    batch = b;
    return flat;
  });
  if (batch < 0) batch = 1; // every input shared: one point
  if (batch < 1) throw new CrosscountryError('empty batch');
  // Shared inputs are repeated per point: the programs read every input with the batch stride.
  if (shared && batch > 1)
    arrays.forEach((flat, j) => {
      if (!shared[j]) return;
      const tiled = new Float64Array(batch * flat.length);
      for (let b = 0; b < batch; b++) tiled.set(flat, b * flat.length);
      arrays[j] = tiled;
    });
  return { arrays, batch };
}

function flatValues(v: BatchInput): Float64Array {
  const out: number[] = [];
  flatten(v, out);
  return Float64Array.from(out);
}
