import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  compileGraphJacobian,
  CrosscountryError,
  jacobian,
  jacobianPattern,
  jacobianSparsity,
  np,
  ShapeError,
  trace,
  type Graph,
} from '../src/index.js';
import { fluxKernel, rk4Lorenz } from '../bench/scale/families.js';
import { finiteDifferenceJacobian } from '../src/jacobian/finite-differences.js';
import { tensor } from '../src/graph/tensor.js';
import { randomScalarGraph, randomTensorGraph } from '../src/tasks/random-graphs.js';
import { Rng } from '../src/util/random.js';

/** A random batch of inputs for a graph, [batch, ...shape] each. */
function randomInputs(graph: Graph, batch: number, seed: number): Float64Array[] {
  const rng = new Rng(seed);
  return graph.inputs.map((x) => {
    const n = x.shape.reduce((a, b) => a * b, 1);
    return Float64Array.from({ length: batch * n }, () => 1.8 * rng.float() - 0.9);
  });
}

/** Dense [batch, rows, cols] from the blocks result (the reference layout). */
function denseFromBlocks(graph: Graph, blocks: Float64Array[][], batch: number): Float64Array {
  const outSizes = graph.outputs.map((op) =>
    op.kind === 'vertex' ? graph.vertices[op.id - 1].shape.reduce((a, b) => a * b, 1) : 1,
  );
  const inSizes = graph.inputs.map((x) => x.shape.reduce((a, b) => a * b, 1));
  const rows = outSizes.reduce((a, b) => a + b, 0);
  const cols = inSizes.reduce((a, b) => a + b, 0);
  const dense = new Float64Array(batch * rows * cols);
  let r0 = 0;
  outSizes.forEach((m, i) => {
    let c0 = 0;
    inSizes.forEach((n, j) => {
      for (let b = 0; b < batch; b++)
        for (let r = 0; r < m; r++)
          for (let c = 0; c < n; c++)
            dense[b * rows * cols + (r0 + r) * cols + c0 + c] = blocks[i][j][b * m * n + r * n + c];
      c0 += n;
    });
    r0 += m;
  });
  return dense;
}

const graphs: [string, Graph][] = [
  ['random scalar', randomScalarGraph({ numInputs: 4, numVertices: 40, numOutputs: 3, seed: 3 })],
  ['random tensor', randomTensorGraph({ numInputs: 2, numVertices: 14, numOutputs: 2, seed: 5 })],
  ['rk4 (3 steps)', rk4Lorenz(3)],
  ['flux (12 cells)', fluxKernel(12)],
];

describe('Jacobian result formats', () => {
  for (const [name, graph] of graphs) {
    test(`${name}: dense and sparse equal the blocks result, pattern equals jacobianPattern`, () => {
      const batch = 3;
      const inputs = randomInputs(graph, batch, 11);
      const blocks = compileGraphJacobian(graph, 'reverse')(inputs);
      const dense = compileGraphJacobian(graph, 'reverse', { format: 'dense' })(inputs);
      const sparse = compileGraphJacobian(graph, 'forward', { format: 'sparse' })(inputs);
      const expected = denseFromBlocks(graph, blocks.jacobian, batch);
      assert.equal(dense.jacobian.length, expected.length);
      for (let k = 0; k < expected.length; k++)
        assert.ok(Math.abs(dense.jacobian[k] - expected[k]) <= 1e-12 * Math.max(1, Math.abs(expected[k])));
      const p = sparse.pattern;
      assert.deepEqual(p, jacobianPattern(graph));
      const nnz = p.colIdx.length;
      const { rows, cols } = dense;
      // Every structural non-zero is in the pattern, and every value outside it is zero.
      for (let b = 0; b < batch; b++) {
        let inPattern = 0;
        for (let r = 0; r < rows; r++)
          for (let q = p.rowPtr[r]; q < p.rowPtr[r + 1]; q++) {
            const x = expected[b * rows * cols + r * cols + p.colIdx[q]];
            assert.ok(Math.abs(sparse.values[b * nnz + q] - x) <= 1e-12 * Math.max(1, Math.abs(x)));
            inPattern += Math.abs(x);
          }
        const all = expected
          .slice(b * rows * cols, (b + 1) * rows * cols)
          .reduce((s, x) => s + Math.abs(x), 0);
        assert.ok(
          Math.abs(all - inPattern) <= 1e-9 * Math.max(1, all),
          `${name}: entries outside the pattern`,
        );
      }
    });
  }

  test('the flux kernel is banded: three entries per row, checked against finite differences', () => {
    const cells = 9;
    const graph = fluxKernel(cells);
    const p = jacobianSparsity((...u) => np.add(u[0], u[1]), { inputs: [[], []] });
    assert.deepEqual([...p.colIdx], [0, 1]);
    const sparse = compileGraphJacobian(graph, 'forward', { format: 'sparse' });
    assert.equal(sparse.sparsity.colIdx.length, 3 * cells);
    const x = randomInputs(graph, 1, 2);
    const r = sparse(x);
    const fd = finiteDifferenceJacobian(
      graph,
      x.map((v) => tensor([], [v[0]])),
    ).jacobian;
    for (let row = 0; row < cells; row++)
      for (let q = r.pattern.rowPtr[row]; q < r.pattern.rowPtr[row + 1]; q++)
        assert.ok(Math.abs(r.values[q] - fd[row][r.pattern.colIdx[q]].data[0]) < 1e-6);
  });

  test('results are reused with into, and a result of another format is a ShapeError', () => {
    const graph = fluxKernel(5);
    const J = compileGraphJacobian(graph, 'reverse', { format: 'sparse' });
    const x = randomInputs(graph, 2, 4);
    const first = J(x);
    const again = J(x, first);
    assert.equal(again.values, first.values);
    const dense = compileGraphJacobian(graph, 'reverse', { format: 'dense' })(x);
    assert.throws(() => J(x, dense as never), ShapeError);
  });

  test('blocks with more pairs than MAX_BLOCKS is one clear error naming the other formats', () => {
    const n = 400;
    const graph = trace(
      (...u) => u.map((x) => np.sin(x)),
      Array.from({ length: n }, () => []),
    );
    assert.throws(
      () => compileGraphJacobian(graph, 'forward'),
      (e: unknown) => {
        return e instanceof CrosscountryError && /format: 'dense' or 'sparse'/.test(e.message);
      },
    );
    const J = compileGraphJacobian(graph, 'forward', { format: 'sparse' });
    assert.equal(J(randomInputs(graph, 1, 1)).values.length, n);
  });

  test('the compile cache tells atan2(0, x) from atan2(-0, x)', () => {
    const plus = jacobian((x) => np.atan2(0, x), { inputs: [[]], order: 'forward' });
    const minus = jacobian((x) => np.atan2(-0, x), { inputs: [[]], order: 'forward' });
    assert.equal(plus([-1]).outputs[0][0], Math.PI);
    assert.equal(minus([-1]).outputs[0][0], -Math.PI);
  });
});
