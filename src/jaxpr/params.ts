import { UnsupportedPrimitiveError } from '../graph/errors.js';
import type { DotDimensionNumbers, ParamsOf, Primitive } from '../graph/primitive.js';
import { JaxprParseError } from './tokenize.js';

/** A parsed parameter value: numbers, names (`float32`, `True`), None, tuples and lists. */
export type JaxprValue = number | string | null | JaxprValue[];

const intList = (v: JaxprValue, what: string): number[] => {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isInteger(x))) {
    throw new JaxprParseError(`parameter ${what} must be a tuple of integers, got ${JSON.stringify(v)}`);
  }
  return v as number[];
};

const int = (v: JaxprValue, what: string): number => {
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new JaxprParseError(`parameter ${what} must be an integer, got ${JSON.stringify(v)}`);
  return v;
};

function need(raw: Record<string, JaxprValue>, key: string, primitive: string): JaxprValue {
  if (!(key in raw)) throw new JaxprParseError(`${primitive} needs parameter ${key}`);
  return raw[key];
}

/**
 * Maps JAX's equation parameters onto the IR's. Parameters that do not change values or derivatives
 * (sharding, dtypes, accuracy) are dropped; ones that would (reshape's `dimensions`) are refused.
 */
export function paramsFromJaxpr<P extends Primitive>(
  primitive: P,
  raw: Record<string, JaxprValue>,
  outShape: readonly number[],
): ParamsOf<P> {
  return convertParams(primitive, raw, outShape) as unknown as ParamsOf<P>;
}

function convertParams(p: Primitive, raw: Record<string, JaxprValue>, outShape: readonly number[]): object {
  switch (p) {
    case 'integer_pow':
      return { y: int(need(raw, 'y', p), 'y') };
    case 'reduce_sum':
    case 'reduce_max':
    case 'reduce_min':
      return { axes: intList(need(raw, 'axes', p), 'axes') };
    case 'transpose':
      return { permutation: intList(need(raw, 'permutation', p), 'permutation') };
    case 'broadcast_in_dim':
      return {
        // JAX omits `shape` when printing: it is the declared result type.
        shape: raw.shape === undefined ? [...outShape] : intList(raw.shape, 'shape'),
        // Printed without parameters for a scalar operand (`broadcast_in_dim 1.0:f32[]`).
        broadcast_dimensions:
          raw.broadcast_dimensions === undefined
            ? []
            : intList(raw.broadcast_dimensions, 'broadcast_dimensions'),
      };
    case 'reshape':
      if (raw.dimensions !== undefined && raw.dimensions !== null) {
        throw new UnsupportedPrimitiveError(
          `reshape with dimensions=${JSON.stringify(raw.dimensions)} is not supported`,
        );
      }
      return { new_sizes: intList(need(raw, 'new_sizes', p), 'new_sizes') };
    case 'squeeze':
      return { dimensions: intList(need(raw, 'dimensions', p), 'dimensions') };
    case 'slice': {
      const strides = raw.strides ?? null;
      return {
        start_indices: intList(need(raw, 'start_indices', p), 'start_indices'),
        limit_indices: intList(need(raw, 'limit_indices', p), 'limit_indices'),
        strides: strides === null ? null : intList(strides, 'strides'),
      };
    }
    case 'concatenate':
      return { dimension: int(need(raw, 'dimension', p), 'dimension') };
    case 'dot_general': {
      const dn = need(raw, 'dimension_numbers', p);
      const bad = (): never => {
        throw new JaxprParseError(
          `dot_general dimension_numbers ${JSON.stringify(dn)} is not ((lc, rc), (lb, rb))`,
        );
      };
      if (!Array.isArray(dn) || dn.length !== 2) bad();
      const [c, b] = dn as JaxprValue[];
      if (!Array.isArray(c) || !Array.isArray(b) || c.length !== 2 || b.length !== 2) bad();
      const [lc, rc] = c as JaxprValue[];
      const [lb, rb] = b as JaxprValue[];
      const numbers: DotDimensionNumbers = [
        [intList(lc, 'lhs_contracting'), intList(rc, 'rhs_contracting')],
        [intList(lb, 'lhs_batch'), intList(rb, 'rhs_batch')],
      ];
      return { dimension_numbers: numbers };
    }
    default:
      return {};
  }
}
