import { ShapeError } from '../graph/errors.js';
import type {
  BinaryPrimitive,
  ComparisonPrimitive,
  ParamsOf,
  Primitive,
  UnaryPrimitive,
} from '../graph/primitive.js';
import {
  broadcastIndexMap,
  broadcastShapes,
  formatShape,
  shapesEqual,
  sizeOf,
  type Shape,
} from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';
import { csrBlock, rowMapBlock, selectionBlock, type Block } from '../sparse/block.js';
import { BINARY, COMPARISON, UNARY } from './elementwise.js';
import {
  axisOffsets,
  broadcastInDimMap,
  complementAxes,
  concatenateMap,
  identityMap,
  sliceMap,
  transposeMap,
} from './index-maps.js';

/** What a partial rule sees. Values are null in structure-only (symbolic) use. */
export interface PartialContext<P extends Primitive> {
  readonly params: ParamsOf<P>;
  readonly operandShapes: readonly Shape[];
  readonly shape: Shape;
  readonly operands: readonly Tensor[] | null;
  readonly out: Tensor | null;
  /** Which operands need a partial (literals do not). */
  readonly wants: readonly boolean[];
}

/**
 * Everything crosscountry knows about a primitive: its output shape (validating operands), its value, and
 * its local partials ∂out/∂operand as structured blocks (null = identically zero, no edge).
 */
export interface PrimitiveRule<P extends Primitive> {
  readonly arity: number | 'variadic';
  shape(operandShapes: readonly Shape[], params: ParamsOf<P>): Shape;
  evaluate(operands: readonly Tensor[], params: ParamsOf<P>, shape: Shape): Tensor;
  partials(ctx: PartialContext<P>): (Block | null)[];
}

function fail(primitive: string, message: string): never {
  throw new ShapeError(`${primitive}: ${message}`);
}

function checkAxes(primitive: string, rank: number, axes: readonly number[], what: string): void {
  const seen = new Set<number>();
  for (const a of axes) {
    if (!Number.isInteger(a) || a < 0 || a >= rank || seen.has(a)) {
      fail(primitive, `${what} ${JSON.stringify(axes)} are not distinct axes of a rank-${rank} operand`);
    }
    seen.add(a);
  }
}

function gather(input: Tensor, map: Int32Array, shape: Shape): Tensor {
  const data = new Float64Array(map.length);
  for (let i = 0; i < map.length; i++) data[i] = input.data[map[i]];
  return { shape: [...shape], data };
}

// ---- element-wise ---------------------------------------------------------------------------------

export function unaryRule<P extends UnaryPrimitive>(p: P): PrimitiveRule<P> {
  const math = UNARY[p];
  const exponent = (params: ParamsOf<P>): number => ('y' in params ? (params.y as number) : 0);
  return {
    arity: 1,
    shape: (shapes, params) => {
      if (p === 'integer_pow' && !Number.isInteger(exponent(params)))
        fail(p, 'exponent y must be an integer');
      return shapes[0];
    },
    evaluate: ([x], params, shape) => {
      const y = exponent(params);
      return { shape: [...shape], data: x.data.map((v) => math.value(v, y)) };
    },
    partials: ({ operands, out, shape, params }) => {
      const n = sizeOf(shape);
      let values: Float64Array | null = null;
      if (operands && out) {
        const y = exponent(params);
        const x = operands[0].data;
        values = new Float64Array(n);
        for (let i = 0; i < n; i++) values[i] = math.derivative(x[i], out.data[i], y);
      }
      return [rowMapBlock(n, identityMap(n), values)];
    },
  };
}

function broadcastBinaryShape(p: string, shapes: readonly Shape[]): Shape {
  const out = broadcastShapes(shapes);
  if (out === null) fail(p, `operand shapes ${shapes.map(formatShape).join(' and ')} do not broadcast`);
  return out;
}

export function binaryRule<P extends BinaryPrimitive>(p: P): PrimitiveRule<P> {
  const math = BINARY[p];
  return {
    arity: 2,
    shape: (shapes) => broadcastBinaryShape(p, shapes),
    evaluate: ([a, b], _params, shape) => {
      const ia = broadcastIndexMap(a.shape, shape);
      const ib = broadcastIndexMap(b.shape, shape);
      const data = new Float64Array(ia.length);
      for (let i = 0; i < data.length; i++) data[i] = math.value(a.data[ia[i]], b.data[ib[i]]);
      return { shape: [...shape], data };
    },
    partials: ({ operandShapes, shape, operands, out, wants }) => {
      const maps = operandShapes.map((s) => broadcastIndexMap(s, shape));
      return [0, 1].map((k) => {
        if (!wants[k]) return null;
        let values: Float64Array | null = null;
        if (operands && out) {
          const [ia, ib] = maps;
          const [a, b] = operands;
          const d = k === 0 ? math.dx : math.dy;
          values = new Float64Array(ia.length);
          for (let i = 0; i < ia.length; i++) values[i] = d(a.data[ia[i]], b.data[ib[i]], out.data[i]);
        }
        return rowMapBlock(sizeOf(operandShapes[k]), maps[k], values);
      });
    },
  };
}

export function comparisonRule<P extends ComparisonPrimitive>(p: P): PrimitiveRule<P> {
  const { value } = COMPARISON[p];
  return {
    arity: 2,
    shape: (shapes) => broadcastBinaryShape(p, shapes),
    evaluate: ([a, b], _params, shape) => {
      const ia = broadcastIndexMap(a.shape, shape);
      const ib = broadcastIndexMap(b.shape, shape);
      const data = new Float64Array(ia.length);
      for (let i = 0; i < data.length; i++) data[i] = value(a.data[ia[i]], b.data[ib[i]]);
      return { shape: [...shape], data };
    },
    partials: () => [null, null],
  };
}

// ---- data movement (structural) ------------------------------------------------------------------

/** A one-operand data-movement primitive defined by its index map. */
function movementRule<P extends Primitive>(
  shapeOf: (shapes: readonly Shape[], params: ParamsOf<P>) => Shape,
  mapOf: (inShape: Shape, outShape: Shape, params: ParamsOf<P>) => Int32Array,
): PrimitiveRule<P> {
  return {
    arity: 1,
    shape: shapeOf,
    evaluate: ([x], params, shape) => gather(x, mapOf(x.shape, shape, params), shape),
    partials: ({ operandShapes, shape, params }) => [
      selectionBlock(sizeOf(operandShapes[0]), mapOf(operandShapes[0], shape, params)),
    ],
  };
}

export const sameShapeCopy = <P extends Primitive>(): PrimitiveRule<P> =>
  movementRule<P>(
    (shapes) => shapes[0],
    (inShape) => identityMap(sizeOf(inShape)),
  );

export const reshapeRule = movementRule<'reshape'>(
  ([s], { new_sizes }) => {
    if (new_sizes.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(new_sizes) !== sizeOf(s)) {
      fail('reshape', `cannot reshape ${formatShape(s)} to ${formatShape(new_sizes)}`);
    }
    return new_sizes;
  },
  (inShape) => identityMap(sizeOf(inShape)),
);

export const squeezeRule = movementRule<'squeeze'>(
  ([s], { dimensions }) => {
    checkAxes('squeeze', s.length, dimensions, 'dimensions');
    for (const d of dimensions)
      if (s[d] !== 1) fail('squeeze', `axis ${d} of ${formatShape(s)} has size ${s[d]}, not 1`);
    return s.filter((_d, i) => !dimensions.includes(i));
  },
  (inShape) => identityMap(sizeOf(inShape)),
);

export const transposeRule = movementRule<'transpose'>(
  ([s], { permutation }) => {
    if (permutation.length !== s.length)
      fail('transpose', `permutation ${JSON.stringify(permutation)} for rank ${s.length}`);
    checkAxes('transpose', s.length, permutation, 'permutation');
    return permutation.map((p) => s[p]);
  },
  (inShape, _out, { permutation }) => transposeMap(inShape, permutation),
);

export const broadcastInDimRule = movementRule<'broadcast_in_dim'>(
  ([s], { shape, broadcast_dimensions: dims }) => {
    if (dims.length !== s.length)
      fail('broadcast_in_dim', `broadcast_dimensions ${JSON.stringify(dims)} for rank ${s.length}`);
    checkAxes('broadcast_in_dim', shape.length, dims, 'broadcast_dimensions');
    dims.forEach((d, i) => {
      if (s[i] !== 1 && s[i] !== shape[d]) {
        fail('broadcast_in_dim', `operand ${formatShape(s)} does not broadcast to ${formatShape(shape)}`);
      }
    });
    return shape;
  },
  (inShape, outShape, { broadcast_dimensions }) => broadcastInDimMap(inShape, outShape, broadcast_dimensions),
);

export const sliceRule = movementRule<'slice'>(
  ([s], { start_indices: start, limit_indices: limit, strides }) => {
    if (start.length !== s.length || limit.length !== s.length || (strides && strides.length !== s.length)) {
      fail('slice', `indices do not match rank ${s.length}`);
    }
    return s.map((d, i) => {
      const step = strides ? strides[i] : 1;
      if (!(start[i] >= 0 && start[i] <= limit[i] && limit[i] <= d && step >= 1)) {
        fail('slice', `[${start[i]}:${limit[i]}:${step}] out of range on axis ${i} of ${formatShape(s)}`);
      }
      return Math.ceil((limit[i] - start[i]) / step);
    });
  },
  (inShape, outShape, { start_indices, strides }) => sliceMap(inShape, outShape, start_indices, strides),
);

export const concatenateRule: PrimitiveRule<'concatenate'> = {
  arity: 'variadic',
  shape: (shapes, { dimension }) => {
    if (shapes.length === 0) fail('concatenate', 'needs at least one operand');
    const first = shapes[0];
    if (!(dimension >= 0 && dimension < first.length))
      fail('concatenate', `dimension ${dimension} for rank ${first.length}`);
    let total = 0;
    for (const s of shapes) {
      if (s.length !== first.length || s.some((d, i) => i !== dimension && d !== first[i])) {
        fail(
          'concatenate',
          `operand shapes ${shapes.map(formatShape).join(', ')} differ off axis ${dimension}`,
        );
      }
      total += s[dimension];
    }
    return first.map((d, i) => (i === dimension ? total : d));
  },
  evaluate: (operands, { dimension }, shape) => {
    const data = new Float64Array(sizeOf(shape));
    const shapes = operands.map((o) => o.shape);
    operands.forEach((op, k) => {
      const map = concatenateMap(shapes, shape, dimension, k);
      for (let i = 0; i < map.length; i++) if (map[i] >= 0) data[i] = op.data[map[i]];
    });
    return { shape: [...shape], data };
  },
  partials: ({ operandShapes, shape, params, wants }) =>
    operandShapes.map((s, k) =>
      wants[k] ? selectionBlock(sizeOf(s), concatenateMap(operandShapes, shape, params.dimension, k)) : null,
    ),
};

// ---- selection, contraction, reduction -------------------------------------------------------------

export const selectNRule: PrimitiveRule<'select_n'> = {
  arity: 'variadic',
  shape: (shapes) => {
    if (shapes.length < 2) fail('select_n', 'needs a predicate and at least one case');
    const [which, ...cases] = shapes;
    if (cases.some((c) => !shapesEqual(c, cases[0])))
      fail('select_n', `case shapes ${cases.map(formatShape).join(', ')} differ`);
    if (which.length !== 0 && !shapesEqual(which, cases[0])) {
      fail('select_n', `predicate ${formatShape(which)} does not match cases ${formatShape(cases[0])}`);
    }
    return cases[0];
  },
  evaluate: ([which, ...cases], _params, shape) => {
    const n = sizeOf(shape);
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = cases[caseIndex(which, i, cases.length)].data[i];
    return { shape: [...shape], data };
  },
  // The chosen case's partial is a 0/1 mask that depends on values, so it is a valued diagonal.
  partials: ({ shape, operands, wants }) =>
    wants.map((want, k) => {
      if (k === 0 || !want) return null;
      const n = sizeOf(shape);
      let values: Float64Array | null = null;
      if (operands) {
        values = new Float64Array(n);
        for (let i = 0; i < n; i++)
          values[i] = caseIndex(operands[0], i, operands.length - 1) === k - 1 ? 1 : 0;
      }
      return rowMapBlock(n, identityMap(n), values);
    }),
};

function caseIndex(which: Tensor, i: number, numCases: number): number {
  return caseOf(which.data[which.data.length === 1 ? 0 : i], numCases);
}

/** select_n's case for predicate value w: truncated, then clamped to the cases (shared with generated code). */
export const caseOf = (w: number, n: number): number => Math.min(n - 1, Math.max(0, Math.trunc(w)));

/** Offsets of lhs/rhs elements by batch, free and contracting index, shared by value and partials. */
export function dotLayout(lhs: Shape, rhs: Shape, params: ParamsOf<'dot_general'>) {
  const [[lc, rc], [lb, rb]] = params.dimension_numbers;
  const lf = complementAxes(lhs.length, [...lc, ...lb]);
  const rf = complementAxes(rhs.length, [...rc, ...rb]);
  return {
    lhsB: axisOffsets(lhs, lb),
    lhsF: axisOffsets(lhs, lf),
    lhsC: axisOffsets(lhs, lc),
    rhsB: axisOffsets(rhs, rb),
    rhsG: axisOffsets(rhs, rf),
    rhsC: axisOffsets(rhs, rc),
  };
}

export const dotGeneralRule: PrimitiveRule<'dot_general'> = {
  arity: 2,
  shape: ([lhs, rhs], { dimension_numbers }) => {
    const [[lc, rc], [lb, rb]] = dimension_numbers;
    if (lc.length !== rc.length || lb.length !== rb.length) fail('dot_general', 'unpaired dimension numbers');
    checkAxes('dot_general', lhs.length, [...lc, ...lb], 'lhs dimensions');
    checkAxes('dot_general', rhs.length, [...rc, ...rb], 'rhs dimensions');
    lc.forEach((a, i) => {
      if (lhs[a] !== rhs[rc[i]])
        fail(
          'dot_general',
          `contracting sizes differ: ${formatShape(lhs)} axis ${a} vs ${formatShape(rhs)} axis ${rc[i]}`,
        );
    });
    lb.forEach((a, i) => {
      if (lhs[a] !== rhs[rb[i]])
        fail(
          'dot_general',
          `batch sizes differ: ${formatShape(lhs)} axis ${a} vs ${formatShape(rhs)} axis ${rb[i]}`,
        );
    });
    const lf = complementAxes(lhs.length, [...lc, ...lb]);
    const rf = complementAxes(rhs.length, [...rc, ...rb]);
    return [...lb.map((a) => lhs[a]), ...lf.map((a) => lhs[a]), ...rf.map((a) => rhs[a])];
  },
  evaluate: ([lhs, rhs], params, shape) => {
    const L = dotLayout(lhs.shape, rhs.shape, params);
    const data = new Float64Array(sizeOf(shape));
    let o = 0;
    for (let b = 0; b < L.lhsB.length; b++)
      for (let f = 0; f < L.lhsF.length; f++)
        for (let g = 0; g < L.rhsG.length; g++) {
          let s = 0;
          for (let c = 0; c < L.lhsC.length; c++) {
            s += lhs.data[L.lhsB[b] + L.lhsF[f] + L.lhsC[c]] * rhs.data[L.rhsB[b] + L.rhsC[c] + L.rhsG[g]];
          }
          data[o++] = s;
        }
    return { shape: [...shape], data };
  },
  // ∂out[b,f,g]/∂lhs[b,f,c] = rhs[b,c,g] and ∂out[b,f,g]/∂rhs[b,c,g] = lhs[b,f,c]: |C| entries per row.
  partials: ({ operandShapes: [ls, rs], shape, params, operands, wants }) => {
    const L = dotLayout(ls, rs, params);
    const rows = sizeOf(shape);
    const C = L.lhsC.length;
    return [0, 1].map((k) => {
      if (!wants[k]) return null;
      const rowPtr = new Int32Array(rows + 1);
      const colIdx = new Int32Array(rows * C);
      const values = operands ? new Float64Array(rows * C) : null;
      let r = 0;
      let e = 0;
      for (let b = 0; b < L.lhsB.length; b++)
        for (let f = 0; f < L.lhsF.length; f++)
          for (let g = 0; g < L.rhsG.length; g++) {
            for (let c = 0; c < C; c++) {
              const li = L.lhsB[b] + L.lhsF[f] + L.lhsC[c];
              const ri = L.rhsB[b] + L.rhsC[c] + L.rhsG[g];
              colIdx[e] = k === 0 ? li : ri;
              if (values && operands) values[e] = k === 0 ? operands[1].data[ri] : operands[0].data[li];
              e++;
            }
            rowPtr[++r] = e;
          }
      return csrBlock(rows, sizeOf(k === 0 ? ls : rs), rowPtr, colIdx, values);
    });
  },
};

/** reduce_max/min's partial for element x of a slice whose extremum `out` is taken t times (shared with generated code). */
export const tieShare = (x: number, out: number, t: number): number => (x === out ? 1 / t : 0);

export type ReducePrimitive = 'reduce_sum' | 'reduce_max' | 'reduce_min';

export function reduceRule<P extends ReducePrimitive>(p: P): PrimitiveRule<P> {
  const layout = (s: Shape, axes: readonly number[]) => ({
    kept: axisOffsets(s, complementAxes(s.length, axes)),
    reduced: axisOffsets(s, axes),
  });
  const combine =
    p === 'reduce_sum' ? (a: number, b: number) => a + b : p === 'reduce_max' ? Math.max : Math.min;
  const init = p === 'reduce_sum' ? 0 : p === 'reduce_max' ? -Infinity : Infinity;
  return {
    arity: 1,
    shape: ([s], { axes }) => {
      checkAxes(p, s.length, axes, 'axes');
      return s.filter((_d, i) => !axes.includes(i));
    },
    evaluate: ([x], { axes }, shape) => {
      const { kept, reduced } = layout(x.shape, axes);
      const data = new Float64Array(kept.length);
      for (let o = 0; o < kept.length; o++) {
        let acc = init;
        for (let j = 0; j < reduced.length; j++) acc = combine(acc, x.data[kept[o] + reduced[j]]);
        data[o] = acc;
      }
      return { shape: [...shape], data };
    },
    // Every output row touches its whole reduced slice. For max/min the values are the arg-max indicator
    // split over ties (as JAX does); the pattern stays the whole slice so structure never depends on values.
    partials: ({ operandShapes: [s], params, operands, out }) => {
      const { kept, reduced } = layout(s, params.axes);
      const R = reduced.length;
      const rowPtr = new Int32Array(kept.length + 1);
      const colIdx = new Int32Array(kept.length * R);
      const values = operands && out ? new Float64Array(kept.length * R) : null;
      for (let o = 0; o < kept.length; o++) {
        let ties = 0;
        if (values && operands && out && p !== 'reduce_sum') {
          for (let j = 0; j < R; j++) if (operands[0].data[kept[o] + reduced[j]] === out.data[o]) ties++;
        }
        for (let j = 0; j < R; j++) {
          const e = o * R + j;
          colIdx[e] = kept[o] + reduced[j];
          if (values && operands && out) {
            values[e] = p === 'reduce_sum' ? 1 : tieShare(operands[0].data[colIdx[e]], out.data[o], ties);
          }
        }
        rowPtr[o + 1] = (o + 1) * R;
      }
      return [csrBlock(kept.length, sizeOf(s), rowPtr, colIdx, values)];
    },
  };
}

export const stopGradientRule: PrimitiveRule<'stop_gradient'> = {
  arity: 1,
  shape: ([s]) => s,
  evaluate: ([x], _params, shape) => ({ shape: [...shape], data: Float64Array.from(x.data) }),
  partials: () => [null],
};
