import type { BinaryPrimitive, ComparisonPrimitive, UnaryPrimitive } from '../graph/primitive.js';
import { numberLiteral } from '../util/number-literal.js';
import { erf } from './erf.js';

/**
 * One record per element-wise primitive: its value and derivatives as functions (the interpreter) and the
 * same formulas as JavaScript expressions (code generation), side by side so they cannot drift apart. The
 * expressions must compute exactly what the functions compute, so compiled and interpreted Jacobians agree
 * to the last bit (test/primitive-table.test.ts compares them for every primitive).
 */

/**
 * How generated code writes a unary primitive's derivative: an expression over ($0 = x, $1 = out, $2 = y);
 * `sameAsValue` when it is the value itself (exp); `twin` when it is another primitive's value, negated or
 * not (sin' = cos), so the call is shared with that primal value where both occur. Absent: a real call of
 * the derivative function.
 */
export type DerivativeCode =
  string | { readonly sameAsValue: true } | { readonly twin: UnaryPrimitive; readonly negate: boolean };

export type UnaryCode =
  /** −x as a negated sum term; its partial is the constant −1, which folding removes from every product. */
  | { readonly kind: 'negation' }
  /** A call of the value function, written in place as `value` ($0 = x) when given. */
  | { readonly kind: 'call'; readonly value?: string; readonly derivative?: DerivativeCode };

/** A scalar function and its derivative; `out` is the function's value at x, reused where cheaper. */
export interface UnaryDef {
  value(x: number, y: number): number;
  derivative(x: number, out: number, y: number): number;
  /** The code forms for exponent `y` (integer_pow's; the other unary primitives ignore it). */
  code(y: number): UnaryCode;
}

const inline = (value: string, derivative?: DerivativeCode) => (): UnaryCode =>
  derivative === undefined ? { kind: 'call', value } : { kind: 'call', value, derivative };
const twin = (value: string, of: UnaryPrimitive, negate = false) => inline(value, { twin: of, negate });

/**
 * x**n for a literal n with |n| ≤ 4 as multiplications: V8 turns x**2 into x*x but calls its general pow
 * (about 35 ns, 70 multiplications' worth) for any other exponent. Same value to within an ulp or two.
 */
function power(x: string, n: number): string {
  const m = Math.abs(n);
  if (m === 0) return '1';
  if (m > 4) return `${x}**${n}`;
  const product = m === 4 ? `(${x}*${x})*(${x}*${x})` : Array.from({ length: m }, () => x).join('*');
  return n < 0 ? `1/(${product})` : `(${product})`;
}

/** `y` is integer_pow's exponent; the other unary primitives ignore it. */
export const UNARY: { readonly [P in UnaryPrimitive]: UnaryDef } = {
  neg: { value: (x) => -x, derivative: () => -1, code: () => ({ kind: 'negation' }) },
  abs: {
    value: (x) => Math.abs(x),
    derivative: (x) => Math.sign(x),
    code: inline('Math.abs($0)', 'Math.sign($0)'),
  },
  exp: {
    value: (x) => Math.exp(x),
    derivative: (_x, out) => out,
    code: inline('Math.exp($0)', { sameAsValue: true }),
  },
  log: { value: (x) => Math.log(x), derivative: (x) => 1 / x, code: inline('Math.log($0)', '1/$0') },
  log1p: {
    value: (x) => Math.log1p(x),
    derivative: (x) => 1 / (1 + x),
    code: inline('Math.log1p($0)', '1/(1+$0)'),
  },
  sin: { value: (x) => Math.sin(x), derivative: (x) => Math.cos(x), code: twin('Math.sin($0)', 'cos') },
  cos: {
    value: (x) => Math.cos(x),
    derivative: (x) => -Math.sin(x),
    code: twin('Math.cos($0)', 'sin', true),
  },
  tan: {
    value: (x) => Math.tan(x),
    derivative: (_x, out) => 1 + out * out,
    code: inline('Math.tan($0)', '1+$1*$1'),
  },
  asin: {
    value: (x) => Math.asin(x),
    derivative: (x) => 1 / Math.sqrt(1 - x * x),
    code: inline('Math.asin($0)', '1/Math.sqrt(1-$0*$0)'),
  },
  acos: {
    value: (x) => Math.acos(x),
    derivative: (x) => -1 / Math.sqrt(1 - x * x),
    code: inline('Math.acos($0)', '-1/Math.sqrt(1-$0*$0)'),
  },
  atan: {
    value: (x) => Math.atan(x),
    derivative: (x) => 1 / (1 + x * x),
    code: inline('Math.atan($0)', '1/(1+$0*$0)'),
  },
  sinh: { value: (x) => Math.sinh(x), derivative: (x) => Math.cosh(x), code: twin('Math.sinh($0)', 'cosh') },
  cosh: { value: (x) => Math.cosh(x), derivative: (x) => Math.sinh(x), code: twin('Math.cosh($0)', 'sinh') },
  tanh: {
    value: (x) => Math.tanh(x),
    derivative: (_x, out) => 1 - out * out,
    code: inline('Math.tanh($0)', '1-$1*$1'),
  },
  // Graphax uses √(1+x²) here, a known bug; the true derivative is its reciprocal.
  asinh: {
    value: (x) => Math.asinh(x),
    derivative: (x) => 1 / Math.sqrt(x * x + 1),
    code: inline('Math.asinh($0)', '1/Math.sqrt($0*$0+1)'),
  },
  acosh: {
    value: (x) => Math.acosh(x),
    derivative: (x) => 1 / (Math.sqrt(x - 1) * Math.sqrt(x + 1)),
    code: inline('Math.acosh($0)', '1/(Math.sqrt($0-1)*Math.sqrt($0+1))'),
  },
  atanh: {
    value: (x) => Math.atanh(x),
    derivative: (x) => 1 / (1 - x * x),
    code: inline('Math.atanh($0)', '1/(1-$0*$0)'),
  },
  sqrt: {
    value: (x) => Math.sqrt(x),
    derivative: (_x, out) => 0.5 / out,
    code: inline('Math.sqrt($0)', '0.5/$1'),
  },
  rsqrt: {
    value: (x) => 1 / Math.sqrt(x),
    derivative: (x, out) => (-0.5 * out) / x,
    code: inline('1/Math.sqrt($0)', '(-0.5*$1)/$0'),
  },
  logistic: {
    value: (x) => 1 / (1 + Math.exp(-x)),
    derivative: (_x, out) => out * (1 - out),
    code: inline('1/(1+Math.exp(-$0))', '$1*(1-$1)'),
  },
  // No expression: stdlib's erf stays a call.
  erf: {
    value: (x) => erf(x),
    derivative: (x) => (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x),
    code: () => ({ kind: 'call' }),
  },
  square: { value: (x) => x * x, derivative: (x) => 2 * x, code: inline('$0*$0', '2*$0') },
  integer_pow: {
    value: (x, y) => x ** y,
    derivative: (x, _out, y) => (y === 0 ? 0 : y * x ** (y - 1)),
    code: (n) => ({
      kind: 'call',
      value: power('$0', n),
      derivative: n === 0 ? '0' : `${numberLiteral(n)}*${power('$0', n - 1)}`,
    }),
  },
};

export type BinaryCode =
  /** x ± y as a sum; the partials are the constants 1 and ±1. */
  | { readonly kind: 'sum'; readonly sign: 1 | -1 }
  /** x·y as one product; each partial is the other operand's slot. */
  | { readonly kind: 'product' }
  /** Calls of the functions, written in place as expressions over ($0 = x, $1 = y, $2 = out). */
  | { readonly kind: 'call'; readonly value: string; readonly dx: string; readonly dy: string };

export interface BinaryDef {
  value(x: number, y: number): number;
  /** ∂out/∂x and ∂out/∂y. */
  dx(x: number, y: number, out: number): number;
  dy(x: number, y: number, out: number): number;
  readonly code: BinaryCode;
}

// Ties split the derivative evenly, as JAX's max/min do.
const tieSplit = (wins: boolean, tie: boolean): number => (tie ? 0.5 : wins ? 1 : 0);

export const BINARY: { readonly [P in BinaryPrimitive]: BinaryDef } = {
  add: { value: (x, y) => x + y, dx: () => 1, dy: () => 1, code: { kind: 'sum', sign: 1 } },
  add_any: { value: (x, y) => x + y, dx: () => 1, dy: () => 1, code: { kind: 'sum', sign: 1 } },
  sub: { value: (x, y) => x - y, dx: () => 1, dy: () => -1, code: { kind: 'sum', sign: -1 } },
  mul: { value: (x, y) => x * y, dx: (_x, y) => y, dy: (x) => x, code: { kind: 'product' } },
  div: {
    value: (x, y) => x / y,
    dx: (_x, y) => 1 / y,
    dy: (_x, y, out) => -out / y,
    code: { kind: 'call', value: '$0/$1', dx: '1/$1', dy: '-$2/$1' },
  },
  pow: {
    value: (x, y) => x ** y,
    dx: (x, y) => (y === 0 ? 0 : y * x ** (y - 1)),
    // As in JAX: the log is taken of 1 where x = 0, so 0^y contributes 0 instead of NaN.
    dy: (x, _y, out) => (x === 0 ? 0 : Math.log(x) * out),
    code: {
      kind: 'call',
      value: '$0**$1',
      // ∂/∂x = y·x^(y−1) is computed as y·(out/x), which saves a second pow (about 35 ns in V8, the most
      // expensive operation of most programs); where out is 0, subnormal or not finite the quotient would
      // lose accuracy, so there it falls back to the pow.
      dx: '($1===0?0:($2>1e-300||$2<-1e-300)&&$2<1e300&&$2>-1e300?$1*($2/$0):$1*$0**($1-1))',
      dy: '($0===0?0:Math.log($0)*$2)',
    },
  },
  atan2: {
    value: (x, y) => Math.atan2(x, y),
    dx: (x, y) => y / (x * x + y * y),
    dy: (x, y) => -x / (x * x + y * y),
    code: { kind: 'call', value: 'Math.atan2($0,$1)', dx: '$1/($0*$0+$1*$1)', dy: '-$0/($0*$0+$1*$1)' },
  },
  max: {
    value: (x, y) => Math.max(x, y),
    dx: (x, y) => tieSplit(x > y, x === y),
    dy: (x, y) => tieSplit(y > x, x === y),
    code: {
      kind: 'call',
      value: 'Math.max($0,$1)',
      dx: '($0===$1?0.5:$0>$1?1:0)',
      dy: '($0===$1?0.5:$1>$0?1:0)',
    },
  },
  min: {
    value: (x, y) => Math.min(x, y),
    dx: (x, y) => tieSplit(x < y, x === y),
    dy: (x, y) => tieSplit(y < x, x === y),
    code: {
      kind: 'call',
      value: 'Math.min($0,$1)',
      dx: '($0===$1?0.5:$0<$1?1:0)',
      dy: '($0===$1?0.5:$1<$0?1:0)',
    },
  },
};

/** A comparison's 0/1 value, as a function and as an expression over ($0 = x, $1 = y). */
export interface ComparisonDef {
  value(x: number, y: number): number;
  readonly code: string;
}

export const COMPARISON: { readonly [P in ComparisonPrimitive]: ComparisonDef } = {
  eq: { value: (x, y) => (x === y ? 1 : 0), code: '($0===$1?1:0)' },
  ne: { value: (x, y) => (x !== y ? 1 : 0), code: '($0!==$1?1:0)' },
  lt: { value: (x, y) => (x < y ? 1 : 0), code: '($0<$1?1:0)' },
  le: { value: (x, y) => (x <= y ? 1 : 0), code: '($0<=$1?1:0)' },
  gt: { value: (x, y) => (x > y ? 1 : 0), code: '($0>$1?1:0)' },
  ge: { value: (x, y) => (x >= y ? 1 : 0), code: '($0>=$1?1:0)' },
};
