import { CrosscountryError, ShapeError, TracerError } from '../graph/errors.js';
import type { Operand } from '../graph/graph.js';
import type { DotDimensionNumbers, ParamsOf, Primitive } from '../graph/primitive.js';
import { broadcastShapes, formatShape, shapesEqual, type Shape } from '../graph/shape.js';
import { scalarTensor } from '../graph/tensor.js';
import type { GraphBuilder } from '../primitives/builder.js';

/** Registered (Symbol.for), so copies of this module loaded twice recognise each other's traced values. */
const TRACED: unique symbol = Symbol.for('crosscountry.traced') as never;

/**
 * The numpy-like tensor API of traced functions. Every operation records one primitive (sometimes a
 * broadcast first) in the active GraphBuilder; nothing is computed while tracing.
 */
export class Traced {
  readonly [TRACED] = true;
  /** @internal Created by trace() and by operations; not by users. */
  constructor(
    readonly builder: GraphBuilder,
    readonly operand: Operand,
  ) {}

  get shape(): Shape {
    return this.builder.shapeOf(this.operand);
  }

  /**
   * JavaScript converts objects to primitives for operators (`x * y`, `x + 1`, `x > 0`, `x == 0`), template
   * strings and Number(x); a traced value has no number yet, so each of these is an error, as JAX's
   * concretization error. (Truthiness, as in `if (x)` or `x && y`, cannot be intercepted in JavaScript:
   * every object is true; branch with np.where.)
   */
  [Symbol.toPrimitive](hint: string): never {
    throw new TracerError(
      hint === 'string'
        ? `a traced value was converted to a string (template string or String()); it has no value while tracing: print x.shape, or pprintGraph the traced graph`
        : `a traced value was used as a number (a JavaScript operator such as * + - / < > ==, or Number()); use np.mul, np.add, np.sub, np.div, np.less, np.greater, np.equal and np.where instead`,
    );
  }
  get ndim(): number {
    return this.shape.length;
  }
  /** Transpose (all axes reversed). */
  get T(): Traced {
    return transpose(this);
  }

  add(y: TensorLike): Traced {
    return add(this, y);
  }
  sub(y: TensorLike): Traced {
    return sub(this, y);
  }
  mul(y: TensorLike): Traced {
    return mul(this, y);
  }
  div(y: TensorLike): Traced {
    return div(this, y);
  }
  pow(y: TensorLike): Traced {
    return pow(this, y);
  }
  neg(): Traced {
    return neg(this);
  }
  matmul(y: Traced): Traced {
    return matmul(this, y);
  }
  sum(axes?: number | readonly number[]): Traced {
    return sum(this, axes);
  }
  reshape(shape: Shape): Traced {
    return reshape(this, shape);
  }
  transpose(permutation?: readonly number[]): Traced {
    return transpose(this, permutation);
  }
}

/** A traced tensor or a plain number (recorded as a rank-0 literal). */
export type TensorLike = Traced | number;

/**
 * The active trace lives on globalThis and traced values are recognised by a registered symbol, so a user
 * module that imports another copy of crosscountry (src vs dist, or a nested install) still traces.
 */
const ACTIVE = Symbol.for('crosscountry.activeBuilder');
const registry = globalThis as unknown as Record<symbol, GraphBuilder | null | undefined>;

function isTraced(v: unknown): v is Traced {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[TRACED] === true;
}

/** Runs `fn` with `builder` as the target of operations whose operands are all numbers. */
export function withActiveBuilder<T>(builder: GraphBuilder, fn: () => T): T {
  const previous = registry[ACTIVE] ?? null;
  registry[ACTIVE] = builder;
  try {
    return fn();
  } finally {
    registry[ACTIVE] = previous;
  }
}

function builderOf(values: readonly TensorLike[]): GraphBuilder {
  let found: GraphBuilder | null = null;
  for (const v of values) {
    if (isTraced(v)) {
      if (found && found !== v.builder) throw new CrosscountryError('operands come from different traces');
      found = v.builder;
    }
  }
  const b = found ?? registry[ACTIVE] ?? null;
  if (!b) throw new CrosscountryError('tensor operations need a traced value or an active trace()');
  return b;
}

export function operandOf(v: TensorLike): Operand {
  if (isTraced(v)) return v.operand;
  if (typeof v !== 'number')
    throw new CrosscountryError(`expected a traced tensor or a number, got ${typeof v}`);
  if (Number.isNaN(v))
    throw new TracerError(
      'a constant is NaN (often the result of a JavaScript operator applied to a traced value); use np functions on traced values',
    );
  return { kind: 'literal', value: scalarTensor(v) };
}

/** Records one primitive application and returns its result. */
export function bind<P extends Primitive>(
  primitive: P,
  args: readonly TensorLike[],
  params: ParamsOf<P>,
): Traced {
  const b = builderOf(args);
  return new Traced(b, b.addVertex(primitive, args.map(operandOf), params));
}

const none = {} as Record<string, never>;
const shapeOf = (x: TensorLike): Shape => (isTraced(x) ? x.shape : []);
const normAxes = (rank: number, axes: number | readonly number[] | undefined): number[] =>
  axes === undefined
    ? [...Array(rank).keys()]
    : (typeof axes === 'number' ? [axes] : [...axes]).map((a) => (a < 0 ? a + rank : a));

// ---- element-wise ----------------------------------------------------------------------------------

export const neg = (x: TensorLike): Traced => bind('neg', [x], none);
export const abs = (x: TensorLike): Traced => bind('abs', [x], none);
export const exp = (x: TensorLike): Traced => bind('exp', [x], none);
export const log = (x: TensorLike): Traced => bind('log', [x], none);
export const log1p = (x: TensorLike): Traced => bind('log1p', [x], none);
export const sin = (x: TensorLike): Traced => bind('sin', [x], none);
export const cos = (x: TensorLike): Traced => bind('cos', [x], none);
export const tan = (x: TensorLike): Traced => bind('tan', [x], none);
export const asin = (x: TensorLike): Traced => bind('asin', [x], none);
export const acos = (x: TensorLike): Traced => bind('acos', [x], none);
export const atan = (x: TensorLike): Traced => bind('atan', [x], none);
export const sinh = (x: TensorLike): Traced => bind('sinh', [x], none);
export const cosh = (x: TensorLike): Traced => bind('cosh', [x], none);
export const tanh = (x: TensorLike): Traced => bind('tanh', [x], none);
export const asinh = (x: TensorLike): Traced => bind('asinh', [x], none);
export const acosh = (x: TensorLike): Traced => bind('acosh', [x], none);
export const atanh = (x: TensorLike): Traced => bind('atanh', [x], none);
export const sqrt = (x: TensorLike): Traced => bind('sqrt', [x], none);
export const rsqrt = (x: TensorLike): Traced => bind('rsqrt', [x], none);
export const sigmoid = (x: TensorLike): Traced => bind('logistic', [x], none);
export const erf = (x: TensorLike): Traced => bind('erf', [x], none);
export const square = (x: TensorLike): Traced => bind('square', [x], none);
export const integerPow = (x: TensorLike, y: number): Traced => bind('integer_pow', [x], { y });
export const stopGradient = (x: TensorLike): Traced => bind('stop_gradient', [x], none);

// Binary operations broadcast NumPy-style inside the primitive, as JAX's size-1 broadcasting does.
export const add = (x: TensorLike, y: TensorLike): Traced => bind('add', [x, y], none);
export const sub = (x: TensorLike, y: TensorLike): Traced => bind('sub', [x, y], none);
export const mul = (x: TensorLike, y: TensorLike): Traced => bind('mul', [x, y], none);
export const div = (x: TensorLike, y: TensorLike): Traced => bind('div', [x, y], none);
export const atan2 = (x: TensorLike, y: TensorLike): Traced => bind('atan2', [x, y], none);
export const maximum = (x: TensorLike, y: TensorLike): Traced => bind('max', [x, y], none);
export const minimum = (x: TensorLike, y: TensorLike): Traced => bind('min', [x, y], none);
/** x ** y; an integer constant exponent records integer_pow, as JAX does for `x ** 2`. */
export const pow = (x: TensorLike, y: TensorLike): Traced =>
  typeof y === 'number' && Number.isInteger(y) ? integerPow(x, y) : bind('pow', [x, y], none);

export const equal = (x: TensorLike, y: TensorLike): Traced => bind('eq', [x, y], none);
export const notEqual = (x: TensorLike, y: TensorLike): Traced => bind('ne', [x, y], none);
export const less = (x: TensorLike, y: TensorLike): Traced => bind('lt', [x, y], none);
export const lessEqual = (x: TensorLike, y: TensorLike): Traced => bind('le', [x, y], none);
export const greater = (x: TensorLike, y: TensorLike): Traced => bind('gt', [x, y], none);
export const greaterEqual = (x: TensorLike, y: TensorLike): Traced => bind('ge', [x, y], none);

/** cond ? x : y element-wise (select_n with cases [y, x], as JAX lowers jnp.where). */
export function where(cond: TensorLike, x: TensorLike, y: TensorLike): Traced {
  const target = broadcastShapes([shapeOf(x), shapeOf(y)]);
  if (target === null)
    throw new ShapeError(`where: ${formatShape(shapeOf(x))} and ${formatShape(shapeOf(y))} do not broadcast`);
  const c = shapeOf(cond).length === 0 ? cond : broadcastLike(cond, target);
  return bind('select_n', [c, broadcastLike(y, target), broadcastLike(x, target)], none);
}

// ---- shapes ----------------------------------------------------------------------------------------

/** NumPy broadcast to `shape` (broadcast_in_dim); returns `x` itself when its shape already matches. */
export function broadcastTo(x: TensorLike, shape: Shape): Traced {
  if (isTraced(x) && shapesEqual(x.shape, shape)) return x;
  const s = shapeOf(x);
  const offset = shape.length - s.length;
  if (offset < 0)
    throw new ShapeError(`broadcastTo: cannot broadcast ${formatShape(s)} to ${formatShape(shape)}`);
  return bind('broadcast_in_dim', [x], {
    shape: [...shape],
    broadcast_dimensions: s.map((_d, i) => i + offset),
  });
}

/** Like broadcastTo, but leaves a matching value (or a scalar constant for a scalar target) as it is. */
const broadcastLike = (x: TensorLike, shape: Shape): TensorLike =>
  shapesEqual(shapeOf(x), shape) ? x : broadcastTo(x, shape);

export const reshape = (x: TensorLike, shape: Shape): Traced =>
  bind('reshape', [x], { new_sizes: [...shape] });

export function transpose(x: TensorLike, permutation?: readonly number[]): Traced {
  const rank = shapeOf(x).length;
  return bind('transpose', [x], {
    permutation: permutation ? [...permutation] : [...Array(rank).keys()].reverse(),
  });
}

export function squeeze(x: TensorLike, axes?: number | readonly number[]): Traced {
  const s = shapeOf(x);
  const dims = axes === undefined ? s.flatMap((d, i) => (d === 1 ? [i] : [])) : normAxes(s.length, axes);
  return bind('squeeze', [x], { dimensions: dims });
}

export function expandDims(x: TensorLike, axis: number): Traced {
  const s = [...shapeOf(x)];
  s.splice(axis < 0 ? axis + s.length + 1 : axis, 0, 1);
  return reshape(x, s);
}

/** x[start:limit:strides] per axis. */
export const slice = (
  x: TensorLike,
  start: readonly number[],
  limit: readonly number[],
  strides?: readonly number[],
): Traced =>
  bind('slice', [x], {
    start_indices: [...start],
    limit_indices: [...limit],
    strides: strides ? [...strides] : null,
  });

export const concatenate = (xs: readonly TensorLike[], axis = 0): Traced =>
  bind('concatenate', xs, { dimension: axis });

// ---- reductions and contractions -----------------------------------------------------------------

export const sum = (x: TensorLike, axes?: number | readonly number[]): Traced =>
  bind('reduce_sum', [x], { axes: normAxes(shapeOf(x).length, axes) });
export const max = (x: TensorLike, axes?: number | readonly number[]): Traced =>
  bind('reduce_max', [x], { axes: normAxes(shapeOf(x).length, axes) });
export const min = (x: TensorLike, axes?: number | readonly number[]): Traced =>
  bind('reduce_min', [x], { axes: normAxes(shapeOf(x).length, axes) });

export const dotGeneral = (x: Traced, y: Traced, dimensionNumbers: DotDimensionNumbers): Traced =>
  bind('dot_general', [x, y], { dimension_numbers: dimensionNumbers });

/** NumPy matmul for ranks 1 and 2, and batched over leading axes when both ranks are equal and > 2. */
export function matmul(x: Traced, y: Traced): Traced {
  const a = x.ndim;
  const b = y.ndim;
  if (a === 0 || b === 0) throw new ShapeError('matmul: operands must have rank >= 1');
  if (a <= 2 && b <= 2)
    return dotGeneral(x, y, [
      [[a - 1], [b === 1 ? 0 : b - 2]],
      [[], []],
    ]);
  if (a !== b) throw new ShapeError(`matmul: batched operands need equal ranks, got ${a} and ${b}`);
  const batch = [...Array(a - 2).keys()];
  return dotGeneral(x, y, [
    [[a - 1], [b - 2]],
    [batch, batch],
  ]);
}

/** Inner product over the last axis of x and the first of y (np.dot for ranks 1 and 2). */
export const dot = (x: Traced, y: Traced): Traced =>
  dotGeneral(x, y, [
    [[x.ndim - 1], [0]],
    [[], []],
  ]);
