import { ShapeError } from './errors.js';
import { sizeOf, type Shape } from './shape.js';

/** A dense Float64 tensor in row-major order. Booleans are stored as 0/1. */
export interface Tensor {
  readonly shape: Shape;
  readonly data: Float64Array;
}

export function tensor(shape: Shape, data: Float64Array | readonly number[]): Tensor {
  const arr = data instanceof Float64Array ? data : Float64Array.from(data);
  if (arr.length !== sizeOf(shape)) {
    throw new ShapeError(
      `tensor data has ${arr.length} elements, shape [${shape.join(',')}] needs ${sizeOf(shape)}`,
    );
  }
  return { shape: [...shape], data: arr };
}

export function scalarTensor(value: number): Tensor {
  return { shape: [], data: Float64Array.of(value) };
}

export function zerosTensor(shape: Shape): Tensor {
  return { shape: [...shape], data: new Float64Array(sizeOf(shape)) };
}

/** A JSON-like nested array (or number) for a tensor: what the CLI prints and reads. */
export type NestedArray = number | NestedArray[];

export function toNested(t: Tensor): NestedArray {
  return nestFlat(t.data, t.shape);
}

export function nestFlat(data: ArrayLike<number>, shape: Shape): NestedArray {
  if (shape.length === 0) return data[0];
  const build = (axis: number, offset: number, stride: number): NestedArray => {
    const n = shape[axis];
    const inner = stride / n;
    const out: NestedArray[] = [];
    for (let i = 0; i < n; i++) {
      out.push(axis === shape.length - 1 ? data[offset + i] : build(axis + 1, offset + i * inner, inner));
    }
    return out;
  };
  return build(0, 0, sizeOf(shape));
}

/** Shape of a nested array, or null when it is ragged or holds something other than numbers. */
export function nestedShape(value: unknown): number[] | null {
  if (typeof value === 'number') return [];
  if (!Array.isArray(value) || value.length === 0) return null;
  const inner = nestedShape(value[0]);
  if (inner === null) return null;
  for (const item of value) {
    const s = nestedShape(item);
    if (s === null || s.length !== inner.length || s.some((d, i) => d !== inner[i])) return null;
  }
  return [value.length, ...inner];
}

export function fromNested(value: NestedArray): Tensor {
  const shape = nestedShape(value);
  if (shape === null) throw new ShapeError('not a rectangular nested array of numbers');
  const flat: number[] = [];
  const walk = (v: NestedArray): void => {
    if (typeof v === 'number') flat.push(v);
    else v.forEach(walk);
  };
  walk(value);
  return tensor(shape, flat);
}
