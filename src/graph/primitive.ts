/**
 * Primitive names are JAX's, so the tracer, the jaxpr importer, the printer and the rule tables agree.
 * Parameter names are JAX's too (snake_case), for the same reason.
 */
export const UNARY_PRIMITIVES = [
  'neg',
  'abs',
  'exp',
  'log',
  'log1p',
  'sin',
  'cos',
  'tan',
  'asin',
  'acos',
  'atan',
  'sinh',
  'cosh',
  'tanh',
  'asinh',
  'acosh',
  'atanh',
  'sqrt',
  'rsqrt',
  'logistic',
  'erf',
  'square',
  'integer_pow',
] as const;

export const BINARY_PRIMITIVES = [
  'add',
  'add_any',
  'sub',
  'mul',
  'div',
  'pow',
  'atan2',
  'max',
  'min',
] as const;

/** Comparisons give 0/1 values and carry no derivative. */
export const COMPARISON_PRIMITIVES = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;

/** Pure data movement: their local Jacobians are 0/1 selections and cost no multiplication. */
export const STRUCTURAL_PRIMITIVES = [
  'convert_element_type',
  'copy',
  'reshape',
  'squeeze',
  'transpose',
  'broadcast_in_dim',
  'slice',
  'concatenate',
] as const;

export const OTHER_PRIMITIVES = [
  'stop_gradient',
  'select_n',
  'dot_general',
  'reduce_sum',
  'reduce_max',
  'reduce_min',
] as const;

export type UnaryPrimitive = (typeof UNARY_PRIMITIVES)[number];
export type BinaryPrimitive = (typeof BINARY_PRIMITIVES)[number];
export type ComparisonPrimitive = (typeof COMPARISON_PRIMITIVES)[number];
export type StructuralPrimitive = (typeof STRUCTURAL_PRIMITIVES)[number];
export type Primitive =
  | UnaryPrimitive
  | BinaryPrimitive
  | ComparisonPrimitive
  | StructuralPrimitive
  | (typeof OTHER_PRIMITIVES)[number];

export const ALL_PRIMITIVES: readonly Primitive[] = [
  ...UNARY_PRIMITIVES,
  ...BINARY_PRIMITIVES,
  ...COMPARISON_PRIMITIVES,
  ...STRUCTURAL_PRIMITIVES,
  ...OTHER_PRIMITIVES,
];

export function isPrimitive(name: string): name is Primitive {
  return (ALL_PRIMITIVES as readonly string[]).includes(name);
}

/** ((lhs_contracting, rhs_contracting), (lhs_batch, rhs_batch)), as in JAX. */
export type DotDimensionNumbers = readonly [
  readonly [readonly number[], readonly number[]],
  readonly [readonly number[], readonly number[]],
];

type NoParams = Record<string, never>;

interface SpecialParams {
  integer_pow: { readonly y: number };
  reduce_sum: { readonly axes: readonly number[] };
  reduce_max: { readonly axes: readonly number[] };
  reduce_min: { readonly axes: readonly number[] };
  transpose: { readonly permutation: readonly number[] };
  broadcast_in_dim: { readonly shape: readonly number[]; readonly broadcast_dimensions: readonly number[] };
  reshape: { readonly new_sizes: readonly number[] };
  squeeze: { readonly dimensions: readonly number[] };
  slice: {
    readonly start_indices: readonly number[];
    readonly limit_indices: readonly number[];
    readonly strides: readonly number[] | null;
  };
  concatenate: { readonly dimension: number };
  dot_general: { readonly dimension_numbers: DotDimensionNumbers };
}

/** The parameters each primitive takes; primitives not listed take none. */
export type ParamsOf<P extends Primitive> = P extends keyof SpecialParams ? SpecialParams[P] : NoParams;
