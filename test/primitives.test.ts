import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { evaluateGraph, np, outputValues, tensor, trace, type Tensor } from '../src/index.js';

/** Values of a traced function at concrete inputs. */
function run(fn: Parameters<typeof trace>[0], inputs: Tensor[]): Tensor[] {
  const g = trace(
    fn,
    inputs.map((t) => t.shape),
  );
  return outputValues(g, evaluateGraph(g, inputs));
}

const iota = (shape: number[], scale = 1): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(
    shape,
    Array.from({ length: n }, (_v, i) => (i + 1) * scale),
  );
};

describe('primitive values against direct loops', () => {
  test('batched matmul pairs batch b of lhs with batch b of rhs', () => {
    const a = iota([2, 2, 3], 0.5);
    const b = iota([2, 3, 2], 0.25);
    const [out] = run((x, y) => np.matmul(x, y), [a, b]);
    assert.deepEqual(out.shape, [2, 2, 2]);
    for (let bb = 0; bb < 2; bb++)
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 2; j++) {
          let s = 0;
          for (let k = 0; k < 3; k++) s += a.data[bb * 6 + i * 3 + k] * b.data[bb * 6 + k * 2 + j];
          assert.equal(out.data[bb * 4 + i * 2 + j], s);
        }
  });

  test('dot_general with a non-leading batch axis and two contracted axes', () => {
    // out[b, i] = Σ_{k,l} x[k, b, l, i] · y[l, k, b]
    const x = iota([2, 3, 2, 2]);
    const y = iota([2, 2, 3], -1);
    const [out] = run(
      (p, q) =>
        np.dotGeneral(p, q, [
          [
            [0, 2],
            [1, 0],
          ],
          [[1], [2]],
        ]),
      [x, y],
    );
    assert.deepEqual(out.shape, [3, 2]);
    const xi = (k: number, b: number, l: number, i: number): number => x.data[((k * 3 + b) * 2 + l) * 2 + i];
    const yi = (l: number, k: number, b: number): number => y.data[(l * 2 + k) * 3 + b];
    for (let b = 0; b < 3; b++)
      for (let i = 0; i < 2; i++) {
        let s = 0;
        for (let k = 0; k < 2; k++) for (let l = 0; l < 2; l++) s += xi(k, b, l, i) * yi(l, k, b);
        assert.equal(out.data[b * 2 + i], s);
      }
  });

  test('transpose, strided slice, concatenate and broadcast move the right elements', () => {
    const x = iota([2, 3]);
    const [t, s, c, bc] = run(
      (v) => [
        np.transpose(v),
        np.slice(v, [0, 0], [2, 3], [1, 2]),
        np.concatenate([v, v], 1),
        np.broadcastTo(np.slice(v, [0, 0], [1, 3]), [2, 2, 3]),
      ],
      [x],
    );
    assert.deepEqual([...t.data], [1, 4, 2, 5, 3, 6]);
    assert.deepEqual([...s.data], [1, 3, 4, 6]);
    assert.deepEqual([...c.data], [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6]);
    assert.deepEqual([...bc.data], [1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]);
  });

  test('reductions and select', () => {
    const x = tensor([2, 3], [3, -1, 2, 0, 5, 5]);
    const [sum0, max1, min, sel] = run(
      (v) => [np.sum(v, 0), np.max(v, 1), np.min(v), np.where(np.greater(v, 1), v, np.neg(v))],
      [x],
    );
    assert.deepEqual([...sum0.data], [3, 4, 7]);
    assert.deepEqual([...max1.data], [3, 5]);
    assert.deepEqual([...min.data], [-1]);
    assert.deepEqual([...sel.data], [3, 1, 2, -0, 5, 5]);
  });
});
