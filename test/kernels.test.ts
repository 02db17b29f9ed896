import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  compileGraphJacobian,
  countOrder,
  KERNEL_MULTIPLICATIONS,
  np,
  resolveOrder,
  tapeReverseJacobian,
  trace,
  type Graph,
  type Tensor,
  type Traced,
} from '../src/index.js';
import { TASKS, taskGraph } from '../src/tasks/index.js';
import { randomTensorGraph } from '../src/tasks/random-graphs.js';
import { Rng } from '../src/util/random.js';
import { pack } from './batch-helpers.js';

const close = (a: number, b: number): boolean =>
  Math.abs(a - b) <= 1e-11 * Math.max(1, Math.abs(a), Math.abs(b));

function randomPoint(graph: Graph, rng: Rng): Tensor[] {
  return graph.inputs.map((x) => ({
    shape: x.shape,
    data: Float64Array.from({ length: x.shape.reduce((a, b) => a * b, 1) }, () => rng.float() - 0.5),
  }));
}

/** A tanh MLP of the given width, Jacobian w.r.t. its input and all weights and biases. */
function mlp(width: number): Graph {
  const layer = (W: Traced, b: Traced, x: Traced): Traced => np.tanh(np.add(np.matmul(W, x), b));
  const w = [width, width];
  return trace((x, W1, b1, W2, b2) => layer(W2, b2, layer(W1, b1, x)), [[width], w, [width], w, [width]]);
}

/** The kernels' result in every format equals the tape reference (dense sweeps, a second method). */
function checkKernels(name: string, graph: Graph, order: number[], points: Tensor[][]): void {
  const blocks = compileGraphJacobian(graph, order, { backend: 'kernels' });
  const dense = compileGraphJacobian(graph, order, { backend: 'kernels', format: 'dense' });
  const sparse = compileGraphJacobian(graph, order, { backend: 'kernels', format: 'sparse' });
  assert.equal(blocks.backend, 'kernels');
  assert.equal(blocks.multiplications, countOrder(graph, order).multiplications, name);
  const inputs = pack(points);
  const rb = blocks(inputs);
  const rd = dense(inputs);
  const rs = sparse(inputs);
  // Reused result arrays are overwritten with the same values.
  const again = blocks(inputs, rb);
  assert.equal(again.jacobian, rb.jacobian);
  const { rowPtr, colIdx, rowOffsets, colOffsets } = rs.pattern;
  const nnz = colIdx.length;
  points.forEach((point, b) => {
    const ref = tapeReverseJacobian(graph, point);
    ref.outputs.forEach((t, i) =>
      t.data.forEach((x, k) => assert.ok(close(x, rb.outputs[i][b * t.data.length + k]), `${name} output`)),
    );
    ref.jacobian.forEach((row, i) =>
      row.forEach((block, j) => {
        const n = block.data.length / (rowOffsets[i + 1] - rowOffsets[i]);
        block.data.forEach((x, k) => {
          const r = rowOffsets[i] + Math.floor(k / n);
          const c = colOffsets[j] + (k % n);
          assert.ok(close(x, rb.jacobian[i][j][b * block.data.length + k]), `${name} blocks ${i},${j},${k}`);
          assert.ok(close(x, rd.jacobian[b * rd.rows * rd.cols + r * rd.cols + c]), `${name} dense`);
          let p = rowPtr[r];
          while (p < rowPtr[r + 1] && colIdx[p] < c) p++;
          const y = p < rowPtr[r + 1] && colIdx[p] === c ? rs.values[b * nnz + p] : 0;
          assert.ok(close(x, y), `${name} sparse ${r},${c}: ${y} vs ${x}`);
        });
      }),
    );
  });
  // The pattern is the graph's structural pattern.
  assert.deepEqual(Array.from(rowPtr), Array.from(blocks.sparsity.rowPtr));
  assert.deepEqual(Array.from(colIdx), Array.from(blocks.sparsity.colIdx));
}

describe('block kernels backend', () => {
  test('every paper task, in three orders and three formats, equals the tape reference', () => {
    for (const task of TASKS) {
      const graph = taskGraph(task, 'ts');
      const rng = new Rng(5);
      const points = [task.samplePoint(rng), task.samplePoint(rng)];
      for (const spec of ['forward', 'reverse', 'markowitz'] as const)
        checkKernels(`${task.name} ${spec}`, graph, resolveOrder(graph, spec), points);
    }
  });

  test('random tensor graphs and an MLP w.r.t. its weights agree too', () => {
    const rng = new Rng(9);
    for (let seed = 1; seed <= 6; seed++) {
      const graph = randomTensorGraph({ numInputs: 3, numVertices: 25, numOutputs: 2, seed });
      const order = rng.shuffle(resolveOrder(graph, 'forward'));
      checkKernels(`random tensor ${seed}`, graph, order, [randomPoint(graph, rng), randomPoint(graph, rng)]);
    }
    const net = mlp(6);
    for (const spec of ['forward', 'reverse'] as const)
      checkKernels(`mlp ${spec}`, net, resolveOrder(net, spec), [randomPoint(net, rng)]);
  });

  test('auto runs large tensor programs on the kernels and small ones as generated code', () => {
    const small = mlp(4);
    assert.equal(compileGraphJacobian(small, 'reverse').backend, 'generated');
    const large = mlp(64);
    const J = compileGraphJacobian(large, 'reverse');
    assert.ok(J.multiplications > KERNEL_MULTIPLICATIONS);
    assert.equal(J.backend, 'kernels');
    const rng = new Rng(2);
    const point = randomPoint(large, rng);
    const ref = tapeReverseJacobian(large, point);
    const result = J(pack([point]));
    ref.jacobian[0].forEach((block, j) =>
      block.data.forEach((x, k) => assert.ok(close(x, result.jacobian[0][j][k]), `mlp 64 d/d input ${j}`)),
    );
  });
});
