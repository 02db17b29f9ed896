import type { Vertex } from '../graph/graph.js';
import {
  BINARY_PRIMITIVES,
  COMPARISON_PRIMITIVES,
  UNARY_PRIMITIVES,
  type BinaryPrimitive,
  type ComparisonPrimitive,
  type Primitive,
  type UnaryPrimitive,
} from '../graph/primitive.js';
import type { Shape } from '../graph/shape.js';
import type { Block } from '../sparse/block.js';
import {
  BINARY,
  COMPARISON,
  UNARY,
  type BinaryDef,
  type ComparisonDef,
  type UnaryDef,
} from './elementwise.js';
import {
  binaryRule,
  broadcastInDimRule,
  comparisonRule,
  concatenateRule,
  dotGeneralRule,
  reduceRule,
  reshapeRule,
  sameShapeCopy,
  selectNRule,
  sliceRule,
  squeezeRule,
  stopGradientRule,
  transposeRule,
  unaryRule,
  type PrimitiveRule,
} from './rules.js';

/**
 * How code generation (compile/lower.ts) computes a vertex's values and local partials. The element-wise
 * families carry their primitive's record (functions and code forms); the others are the few genuinely
 * structural cases, lowered from the same index maps as their partial rules.
 */
export type Emission =
  | { readonly kind: 'unary'; readonly def: UnaryDef }
  | { readonly kind: 'binary'; readonly def: BinaryDef }
  | { readonly kind: 'comparison'; readonly def: ComparisonDef }
  /** Data movement: every output element copies the operand element its 0/1 selection block names. */
  | { readonly kind: 'selection' }
  | { readonly kind: 'select_n' }
  | { readonly kind: 'dot_general' }
  | { readonly kind: 'reduce'; readonly combine: 'sum' | 'max' | 'min' }
  /** The operand's value, no partial. */
  | { readonly kind: 'stop_gradient' };

/**
 * Which of AlphaGrad's primitive-to-sparsity rules (alphagrad/encode.ts) types a primitive's edges:
 * `unsupported` where AlphaGrad's interpreter has none.
 */
export type AlphagradRule =
  | 'elementwise-unary'
  | 'elementwise-binary'
  | 'dot_general'
  | 'reduce'
  | 'transpose'
  | 'broadcast'
  | 'gather'
  | 'concatenate'
  | 'copy'
  | 'no-edge'
  | 'unsupported';

/**
 * Everything crosscountry knows about a primitive, in one record: shape rule, value and local partials
 * with their structure (the rule), how code generation emits them, and its AlphaGrad sparsity rule.
 */
export interface PrimitiveDef<P extends Primitive> extends PrimitiveRule<P> {
  readonly emit: Emission;
  readonly alphagrad: AlphagradRule;
}

const family = <F extends Primitive>(
  names: readonly F[],
  def: (p: F) => PrimitiveDef<F>,
): { [P in F]: PrimitiveDef<P> } =>
  Object.fromEntries(names.map((p) => [p, def(p)])) as { [P in F]: PrimitiveDef<P> };

const movement = <P extends Primitive>(
  rule: PrimitiveRule<P>,
  alphagrad: AlphagradRule,
): PrimitiveDef<P> => ({ ...rule, emit: { kind: 'selection' }, alphagrad });

/** The definition of every primitive; a primitive without one does not compile. */
export const PRIMITIVES: { readonly [P in Primitive]: PrimitiveDef<P> } = {
  ...family<UnaryPrimitive>(UNARY_PRIMITIVES, (p) => ({
    ...unaryRule(p),
    emit: { kind: 'unary', def: UNARY[p] },
    alphagrad: 'elementwise-unary',
  })),
  ...family<BinaryPrimitive>(BINARY_PRIMITIVES, (p) => ({
    ...binaryRule(p),
    emit: { kind: 'binary', def: BINARY[p] },
    alphagrad: 'elementwise-binary',
  })),
  ...family<ComparisonPrimitive>(COMPARISON_PRIMITIVES, (p) => ({
    ...comparisonRule(p),
    emit: { kind: 'comparison', def: COMPARISON[p] },
    alphagrad: 'elementwise-binary',
  })),
  convert_element_type: movement(sameShapeCopy(), 'copy'),
  copy: movement(sameShapeCopy(), 'copy'),
  reshape: movement(reshapeRule, 'gather'),
  squeeze: movement(squeezeRule, 'broadcast'),
  transpose: movement(transposeRule, 'transpose'),
  broadcast_in_dim: movement(broadcastInDimRule, 'broadcast'),
  slice: movement(sliceRule, 'gather'),
  concatenate: movement(concatenateRule, 'concatenate'),
  stop_gradient: { ...stopGradientRule, emit: { kind: 'stop_gradient' }, alphagrad: 'no-edge' },
  select_n: { ...selectNRule, emit: { kind: 'select_n' }, alphagrad: 'unsupported' },
  dot_general: { ...dotGeneralRule, emit: { kind: 'dot_general' }, alphagrad: 'dot_general' },
  reduce_sum: { ...reduceRule('reduce_sum'), emit: { kind: 'reduce', combine: 'sum' }, alphagrad: 'reduce' },
  reduce_max: { ...reduceRule('reduce_max'), emit: { kind: 'reduce', combine: 'max' }, alphagrad: 'reduce' },
  reduce_min: { ...reduceRule('reduce_min'), emit: { kind: 'reduce', combine: 'min' }, alphagrad: 'reduce' },
};

export function primitiveDef<P extends Primitive>(p: P): PrimitiveDef<P> {
  return PRIMITIVES[p] as PrimitiveDef<P>;
}

/**
 * The 0/1 selection blocks of a data-movement vertex (reshape, slice, concatenate, transpose, …): which
 * operand element each output element copies. They depend on shapes only, so no values are needed.
 */
export function selectionBlocks(v: Vertex, operandShapes: readonly Shape[]): (Block | null)[] {
  return primitiveDef(v.primitive).partials({
    params: v.params as never,
    operandShapes,
    shape: v.shape,
    operands: null,
    out: null,
    wants: operandShapes.map(() => true),
  });
}
