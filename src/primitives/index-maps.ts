import { forEachIndex, sizeOf, stridesOf, type Shape } from '../graph/shape.js';

/**
 * Index maps for data-movement primitives: for every output element, the flat index of the operand
 * element it copies (−1: none). The same map evaluates the primitive and is its 0/1 local Jacobian.
 */

export function transposeMap(inShape: Shape, permutation: readonly number[]): Int32Array {
  const outShape = permutation.map((p) => inShape[p]);
  const inStrides = stridesOf(inShape);
  const map = new Int32Array(sizeOf(outShape));
  forEachIndex(outShape, (flat, index) => {
    let k = 0;
    for (let i = 0; i < permutation.length; i++) k += index[i] * inStrides[permutation[i]];
    map[flat] = k;
  });
  return map;
}

export function broadcastInDimMap(inShape: Shape, outShape: Shape, dims: readonly number[]): Int32Array {
  const inStrides = stridesOf(inShape);
  const map = new Int32Array(sizeOf(outShape));
  forEachIndex(outShape, (flat, index) => {
    let k = 0;
    for (let i = 0; i < dims.length; i++) if (inShape[i] !== 1) k += index[dims[i]] * inStrides[i];
    map[flat] = k;
  });
  return map;
}

export function sliceMap(
  inShape: Shape,
  outShape: Shape,
  start: readonly number[],
  strides: readonly number[] | null,
): Int32Array {
  const inStrides = stridesOf(inShape);
  const map = new Int32Array(sizeOf(outShape));
  forEachIndex(outShape, (flat, index) => {
    let k = 0;
    for (let i = 0; i < index.length; i++)
      k += (start[i] + index[i] * (strides ? strides[i] : 1)) * inStrides[i];
    map[flat] = k;
  });
  return map;
}

/** For operand `which` of a concatenation: the operand index of each output element, or −1. */
export function concatenateMap(
  shapes: readonly Shape[],
  outShape: Shape,
  axis: number,
  which: number,
): Int32Array {
  let begin = 0;
  for (let k = 0; k < which; k++) begin += shapes[k][axis];
  const own = shapes[which];
  const end = begin + own[axis];
  const ownStrides = stridesOf(own);
  const map = new Int32Array(sizeOf(outShape));
  forEachIndex(outShape, (flat, index) => {
    if (index[axis] < begin || index[axis] >= end) {
      map[flat] = -1;
      return;
    }
    let k = 0;
    for (let i = 0; i < index.length; i++) k += (i === axis ? index[i] - begin : index[i]) * ownStrides[i];
    map[flat] = k;
  });
  return map;
}

export function identityMap(n: number): Int32Array {
  const map = new Int32Array(n);
  for (let i = 0; i < n; i++) map[i] = i;
  return map;
}

/** Flat-offset contributions of every multi-index over `axes` of `shape` (row-major over those axes). */
export function axisOffsets(shape: Shape, axes: readonly number[]): Int32Array {
  const strides = stridesOf(shape);
  const sub = axes.map((a) => shape[a]);
  const out = new Int32Array(sizeOf(sub));
  forEachIndex(sub, (flat, index) => {
    let k = 0;
    for (let i = 0; i < axes.length; i++) k += index[i] * strides[axes[i]];
    out[flat] = k;
  });
  return out;
}

export function complementAxes(rank: number, axes: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < rank; i++) if (!axes.includes(i)) out.push(i);
  return out;
}
