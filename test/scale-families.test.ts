import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { FAMILIES } from '../bench/scale/members.js';
import { compileGraphJacobian, tapeReverseJacobian, type Graph, type Tensor } from '../src/index.js';
import { Rng } from '../src/util/random.js';

function randomPoint(graph: Graph, rng: Rng): Tensor[] {
  return graph.inputs.map((x) => ({
    shape: x.shape,
    data: Float64Array.from({ length: x.shape.reduce((a, b) => a * b, 1) }, () => rng.float() - 0.5),
  }));
}

const close = (a: number, b: number): boolean =>
  Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

// The scale benchmark's families at their smallest size, through the default path a user takes.
describe('scale families, small', () => {
  for (const family of FAMILIES) {
    test(`${family.name} ${family.sizes[0]}: the default Jacobian equals the tape reference`, () => {
      const graph = family.build(family.sizes[0]);
      const rng = new Rng(3);
      const point = randomPoint(graph, rng);
      const J = compileGraphJacobian(graph, 'auto', { format: 'dense' });
      const result = J(point.map((t) => t.data));
      const ref = tapeReverseJacobian(graph, point);
      const cols = result.cols;
      let row = 0;
      let nonzero = 0;
      ref.jacobian.forEach((blocks) => {
        let col = 0;
        const rows = blocks[0].data.length / graph.inputs[0].shape.reduce((a, b) => a * b, 1);
        blocks.forEach((block, j) => {
          const n = graph.inputs[j].shape.reduce((a, b) => a * b, 1);
          block.data.forEach((x, k) => {
            const y = result.jacobian[(row + Math.floor(k / n)) * cols + col + (k % n)];
            assert.ok(close(x, y), `${family.name}: ${y} vs ${x}`);
            if (x !== 0) nonzero++;
          });
          col += n;
        });
        row += rows;
      });
      assert.ok(nonzero > 0, 'the Jacobian is not all zeros');
    });
  }

  test('the 16-wide MLP w.r.t. its weights runs on the kernels when forced, with the same result', () => {
    const family = FAMILIES.find((f) => f.name === 'mlp-weights');
    assert.ok(family);
    const graph = family.build(16);
    const point = randomPoint(graph, new Rng(4)).map((t) => t.data);
    const generated = compileGraphJacobian(graph, 'reverse', { backend: 'generated' })(point);
    const kernels = compileGraphJacobian(graph, 'reverse', { backend: 'kernels' })(point);
    generated.jacobian.forEach((row, i) =>
      row.forEach((a, j) => a.forEach((x, k) => assert.ok(close(x, kernels.jacobian[i][j][k])))),
    );
  });
});
