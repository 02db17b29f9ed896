import { resolveOrder, type OrderSpec } from '../elimination/resolve.js';
import { CrosscountryError, NonFiniteError, ShapeError } from '../graph/errors.js';
import { eliminableVertices, isScalarGraph, type Graph, type VertexId } from '../graph/graph.js';
import { jacobianByElimination } from '../jacobian/eliminate.js';
import { countOrder } from '../elimination/count.js';
import { KERNEL_MULTIPLICATIONS, kernelProgram } from './kernel-program.js';
import { bytecodeProgram } from './bytecode.js';
import { graphFingerprint } from '../graph/fingerprint.js';
import { jacobianPattern } from '../elimination/sparsity.js';
import { LruCache } from '../util/lru.js';
import { sizeOf } from '../graph/shape.js';
import type { NestedArray } from '../graph/tensor.js';
import { trace, type InputSpec, type TracedFunction } from '../trace/trace.js';
import { buildEliminationProgram, buildTapeProgram } from './build.js';
import { checkCompileOptions } from './check-options.js';
import { autoOrder } from './choose.js';
import { emitProgram, type CompiledProgram, type Layout } from './emit.js';
import type { AnyJacobianBatch, ResultFormat, ResultOf, SparsityPattern } from './result-format.js';
import { programWork, type Work } from './op-costs.js';
import { FULL_FOLDING, NO_FOLDING, programStats, type ProgramStats } from './program.js';

/** What to compile: an elimination order (by name, 'auto' = searched, or a vertex list) or a tape baseline. */
export type CompileTarget = OrderSpec | 'auto' | 'tape-forward' | 'tape-reverse';

export interface CompileOptions<F extends ResultFormat = ResultFormat> {
  /**
   * How the Jacobian is returned: `blocks` (default; one array per output and input, as JAX nests it),
   * `dense` (one [batch, rows, cols] array over flattened outputs and inputs) or `sparse` (CSR values
   * [batch, nnz] with a reusable pattern: only structural non-zeros are computed and stored).
   */
  readonly format?: F;
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

/**
 * A compiled Jacobian: call it on a batch of points. Pass an earlier result of the same batch size as
 * `into` to have its arrays overwritten instead of new ones allocated (for repeated calls, e.g. Newton
 * steps, allocation can cost more than the Jacobian itself).
 */
export interface CompiledJacobian<F extends ResultFormat = 'blocks'> {
  (
    inputs: readonly BatchInput[] | Readonly<Record<string, BatchInput>>,
    into?: ResultOf<F>,
  ): ResultOf<F> & { readonly batch: number };
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
export function compileGraphJacobian<F extends ResultFormat = 'blocks'>(
  graph: Graph,
  target: CompileTarget = 'markowitz',
  options: CompileOptions<F> = {},
): CompiledJacobian<F> {
  checkCompileOptions(options);
  const { layout = 'point', searchEffort = 1, fold = true, chunkChars, checkFinite = false } = options;
  const format = (options.format ?? 'blocks') as F;
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
  const key = `${kernels ? 'kernels' : requested}|${layout}|${fold}|${format}|${chunkChars ?? 'default'}|${targetKey}|${graphKey}`;
  let compiled = programCache.get(key);
  if (!compiled && kernels) {
    compiled = { ...kernelProgram(graph, order, format), backend: 'kernels' };
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
        ? bytecodeProgram(program, format)
        : emitProgram<AnyJacobianBatch>(program, layout, { chunkChars, format });
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
  const run = (
    inputs: readonly BatchInput[] | Readonly<Record<string, BatchInput>>,
    into?: ResultOf<F>,
  ): ResultOf<F> & { readonly batch: number } => {
    const { arrays, batch } = batchInputs(graph, sizes, inputs, checkFinite);
    if (into !== undefined && (into === null || typeof into !== 'object'))
      throw new ShapeError(`'into' must be an earlier result of this function, not ${describeValue(into)}`);
    const result = program.run(arrays, batch, into);
    if (checkFinite) explainNonFinite(graph, program.order, sizes, arrays, result);
    return { ...result, batch } as unknown as ResultOf<F> & { readonly batch: number };
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

function chooseKernels(graph: Graph, order: readonly VertexId[], requested: Backend | 'auto'): boolean {
  if (requested !== 'auto') return requested === 'kernels';
  return !isScalarGraph(graph) && countOrder(graph, order).multiplications > KERNEL_MULTIPLICATIONS;
}

/**
 * jacobian(fn, { inputs, order }): traces `fn` once and returns a compiled function that computes the
 * outputs and the full Jacobian for a batch of points. `order: 'auto'` uses the best order a short search
 * finds (cached per program).
 */
export function jacobian<F extends ResultFormat = 'blocks'>(
  fn: TracedFunction,
  options: { readonly inputs: readonly InputSpec[]; readonly order?: CompileTarget } & CompileOptions<F>,
): CompiledJacobian<F> {
  // Checked here, not left to trace: plain-JS callers get no type error for jacobian(fn, [[]]).
  if (!Array.isArray((options as { inputs?: unknown } | undefined)?.inputs))
    throw new CrosscountryError(
      'jacobian(fn, options) needs options.inputs, one shape per argument of fn: e.g. { inputs: [[], [3]] }',
    );
  const { inputs, order = 'auto', ...rest } = options;
  return compileGraphJacobian(trace(fn, inputs), order, rest);
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
      jacobianByElimination(graph, point, reference, { checkFinite: true });
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
  inputs: readonly BatchInput[] | Readonly<Record<string, BatchInput>>,
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
    const flat =
      v instanceof Float64Array
        ? v
        : Float64Array.from(
            (() => {
              const out: number[] = [];
              flatten(v, out);
              return out;
            })(),
          );
    const size = sizes[j];
    if (size === 0 || flat.length % size !== 0)
      throw new ShapeError(
        `input ${j + 1} (${graph.inputs[j].name}) has ${flat.length} values, not a multiple of its size ${size}`,
      );
    const b = flat.length / size;
    if (batch >= 0 && b !== batch)
      throw new ShapeError(
        `input ${j + 1} (${graph.inputs[j].name}) has a batch of ${b}, the others ${batch}`,
      );
    batch = b;
    const bad = checkFinite ? firstNonFinite(flat) : -1;
    if (bad >= 0)
      throw new NonFiniteError(
        `input ${j + 1} (${graph.inputs[j].name}) is not finite at value ${bad}: ${flat[bad]}`,
      );
    return flat;
  });
  if (batch < 1) throw new CrosscountryError('empty batch');
  return { arrays, batch };
}
