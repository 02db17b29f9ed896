import type { Shape } from '../graph/shape.js';
import { tensor, type Tensor } from '../graph/tensor.js';
import type { Rng } from '../util/random.js';

/** A tensor of independent uniform values in [lo, hi). */
export function uniform(rng: Rng, shape: Shape, lo: number, hi: number): Tensor {
  const n = shape.reduce((a, d) => a * d, 1);
  return tensor(
    shape,
    Array.from({ length: n }, () => lo + (hi - lo) * rng.float()),
  );
}

/** Rows of positive weights summing to 1 (soft labels). */
export function probabilities(rng: Rng, rows: number, cols: number): Tensor {
  const data: number[] = [];
  for (let r = 0; r < rows; r++) {
    const w = Array.from({ length: cols }, () => 0.1 + rng.float());
    const total = w.reduce((a, b) => a + b, 0);
    data.push(...w.map((v) => v / total));
  }
  return tensor([rows, cols], data);
}
