import type { BinaryPrimitive, ComparisonPrimitive, UnaryPrimitive } from '../graph/primitive.js';
import { erf } from './erf.js';

/** A scalar function and its derivative; `out` is the function's value at x, reused where cheaper. */
export interface UnaryMath {
  value(x: number, y: number): number;
  derivative(x: number, out: number, y: number): number;
}

/** `y` is integer_pow's exponent; the other unary primitives ignore it. */
export const unaryMath: { [P in UnaryPrimitive]: UnaryMath } = {
  neg: { value: (x) => -x, derivative: () => -1 },
  abs: { value: (x) => Math.abs(x), derivative: (x) => Math.sign(x) },
  exp: { value: (x) => Math.exp(x), derivative: (_x, out) => out },
  log: { value: (x) => Math.log(x), derivative: (x) => 1 / x },
  log1p: { value: (x) => Math.log1p(x), derivative: (x) => 1 / (1 + x) },
  sin: { value: (x) => Math.sin(x), derivative: (x) => Math.cos(x) },
  cos: { value: (x) => Math.cos(x), derivative: (x) => -Math.sin(x) },
  tan: { value: (x) => Math.tan(x), derivative: (_x, out) => 1 + out * out },
  asin: { value: (x) => Math.asin(x), derivative: (x) => 1 / Math.sqrt(1 - x * x) },
  acos: { value: (x) => Math.acos(x), derivative: (x) => -1 / Math.sqrt(1 - x * x) },
  atan: { value: (x) => Math.atan(x), derivative: (x) => 1 / (1 + x * x) },
  sinh: { value: (x) => Math.sinh(x), derivative: (x) => Math.cosh(x) },
  cosh: { value: (x) => Math.cosh(x), derivative: (x) => Math.sinh(x) },
  tanh: { value: (x) => Math.tanh(x), derivative: (_x, out) => 1 - out * out },
  // Graphax uses √(1+x²) here, a known bug; the true derivative is its reciprocal.
  asinh: { value: (x) => Math.asinh(x), derivative: (x) => 1 / Math.sqrt(x * x + 1) },
  acosh: { value: (x) => Math.acosh(x), derivative: (x) => 1 / (Math.sqrt(x - 1) * Math.sqrt(x + 1)) },
  atanh: { value: (x) => Math.atanh(x), derivative: (x) => 1 / (1 - x * x) },
  sqrt: { value: (x) => Math.sqrt(x), derivative: (_x, out) => 0.5 / out },
  rsqrt: { value: (x) => 1 / Math.sqrt(x), derivative: (x, out) => (-0.5 * out) / x },
  logistic: { value: (x) => 1 / (1 + Math.exp(-x)), derivative: (_x, out) => out * (1 - out) },
  erf: { value: (x) => erf(x), derivative: (x) => (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) },
  square: { value: (x) => x * x, derivative: (x) => 2 * x },
  integer_pow: { value: (x, y) => x ** y, derivative: (x, _out, y) => (y === 0 ? 0 : y * x ** (y - 1)) },
};

export interface BinaryMath {
  value(x: number, y: number): number;
  /** ∂out/∂x and ∂out/∂y. */
  dx(x: number, y: number, out: number): number;
  dy(x: number, y: number, out: number): number;
}

// Ties split the derivative evenly, as JAX's max/min do.
const tieSplit = (wins: boolean, tie: boolean): number => (tie ? 0.5 : wins ? 1 : 0);

export const binaryMath: { [P in BinaryPrimitive]: BinaryMath } = {
  add: { value: (x, y) => x + y, dx: () => 1, dy: () => 1 },
  add_any: { value: (x, y) => x + y, dx: () => 1, dy: () => 1 },
  sub: { value: (x, y) => x - y, dx: () => 1, dy: () => -1 },
  mul: { value: (x, y) => x * y, dx: (_x, y) => y, dy: (x) => x },
  div: { value: (x, y) => x / y, dx: (_x, y) => 1 / y, dy: (_x, y, out) => -out / y },
  pow: {
    value: (x, y) => x ** y,
    dx: (x, y) => (y === 0 ? 0 : y * x ** (y - 1)),
    // As in JAX: the log is taken of 1 where x = 0, so 0^y contributes 0 instead of NaN.
    dy: (x, _y, out) => (x === 0 ? 0 : Math.log(x) * out),
  },
  atan2: {
    value: (x, y) => Math.atan2(x, y),
    dx: (x, y) => y / (x * x + y * y),
    dy: (x, y) => -x / (x * x + y * y),
  },
  max: {
    value: (x, y) => Math.max(x, y),
    dx: (x, y) => tieSplit(x > y, x === y),
    dy: (x, y) => tieSplit(y > x, x === y),
  },
  min: {
    value: (x, y) => Math.min(x, y),
    dx: (x, y) => tieSplit(x < y, x === y),
    dy: (x, y) => tieSplit(y < x, x === y),
  },
};

export const comparisonMath: { [P in ComparisonPrimitive]: (x: number, y: number) => boolean } = {
  eq: (x, y) => x === y,
  ne: (x, y) => x !== y,
  lt: (x, y) => x < y,
  le: (x, y) => x <= y,
  gt: (x, y) => x > y,
  ge: (x, y) => x >= y,
};
