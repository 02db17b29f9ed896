import type { Tensor } from '../src/index.js';

/** Packs points ([point][input] tensors) into the compiled function's batch layout. */
export function pack(points: Tensor[][]): Float64Array[] {
  return points[0].map((_t, j) => {
    const n = points[0][j].data.length;
    const out = new Float64Array(points.length * n);
    points.forEach((p, b) => out.set(p[j].data, b * n));
    return out;
  });
}
