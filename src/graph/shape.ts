import { ShapeError } from './errors.js';

/** Shapes are row-major extents; `[]` is a scalar. Every tensor in crosscountry is stored flat. */
export type Shape = readonly number[];

/** Elements a tensor may have: typed arrays (and index arrays over them) stop at 2^31. */
export const MAX_ELEMENTS = 2 ** 30;

/** `value` as a shape: an array of whole extents ≥ 0 with at most MAX_ELEMENTS elements, or a ShapeError. */
export function checkShape(value: unknown, where: string): number[] {
  if (!Array.isArray(value))
    throw new ShapeError(
      `${where}: a shape must be an array of extents, not ${JSON.stringify(value) ?? typeof value}`,
    );
  for (const d of value)
    if (!(Number.isSafeInteger(d) && d >= 0))
      throw new ShapeError(
        `${where}: shape [${value.map(String).join(', ')}] has an extent that is not a whole number ≥ 0`,
      );
  if (sizeOf(value) > MAX_ELEMENTS)
    throw new ShapeError(`${where}: shape [${value.join(', ')}] has more than 2^30 elements`);
  return [...value];
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/** Calls `visit(flatIndex, multiIndex)` for every element in row-major order. */
export function forEachIndex(shape: Shape, visit: (flat: number, index: readonly number[]) => void): void {
  const n = sizeOf(shape);
  const index = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < n; flat++) {
    visit(flat, index);
    for (let ax = shape.length - 1; ax >= 0; ax--) {
      if (++index[ax] < shape[ax]) break;
      index[ax] = 0;
    }
  }
}

/** NumPy broadcasting of several shapes (aligned on the right); null when incompatible. */
export function broadcastShapes(shapes: readonly Shape[]): number[] | null {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const ax = rank - s.length + i;
      const d = s[i];
      if (out[ax] === 1) out[ax] = d;
      else if (d !== 1 && d !== out[ax]) return null;
    }
  }
  return out;
}

/**
 * For an operand broadcast (NumPy rules) to `outShape`, the operand's flat index of every output element.
 * This one map drives the value, the partial and the structure of every element-wise primitive.
 */
export function broadcastIndexMap(operandShape: Shape, outShape: Shape): Int32Array {
  const map = new Int32Array(sizeOf(outShape));
  const offset = outShape.length - operandShape.length;
  const opStrides = stridesOf(operandShape);
  forEachIndex(outShape, (flat, index) => {
    let k = 0;
    for (let i = 0; i < operandShape.length; i++) {
      if (operandShape[i] !== 1) k += index[offset + i] * opStrides[i];
    }
    map[flat] = k;
  });
  return map;
}
