import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  finiteDifferenceJacobian,
  jacfwd,
  jacrev,
  jvp,
  jvpOfGraph,
  np,
  tapeForwardJacobian,
  tapeReverseJacobian,
  vjp,
  vjpOfGraph,
  type Tensor,
  trace,
  type Traced,
} from '../src/index.js';
import { TASKS, taskGraph } from '../src/tasks/index.js';
import { Rng } from '../src/util/random.js';

const randomLike = (t: Tensor, rng: Rng): Tensor => ({
  shape: [...t.shape],
  data: Float64Array.from(t.data, () => rng.float() * 2 - 1),
});

function close(a: Float64Array, b: Float64Array, what: string, tol = 1e-10): void {
  assert.equal(a.length, b.length, what);
  const scale = Math.max(1, ...Array.from(b, Math.abs));
  a.forEach((x, k) => assert.ok(Math.abs(x - b[k]) <= tol * scale, `${what}[${k}]: ${x} vs ${b[k]}`));
}

describe('jvp and vjp from the graph', () => {
  test('agree with J·v and uᵀ·J of the tape references on all 10 paper tasks (scalar and tensor)', () => {
    for (const task of TASKS) {
      const graph = taskGraph(task, 'ts');
      const rng = new Rng(11);
      const point = task.samplePoint(rng);
      const J = tapeForwardJacobian(graph, point).jacobian;
      const v = point.map((x) => randomLike(x, rng));
      const { tangents } = jvpOfGraph(graph, point, v);
      tangents.forEach((t, i) => {
        const expected = new Float64Array(t.data.length);
        v.forEach((vj, j) => {
          const n = vj.data.length;
          for (let o = 0; o < expected.length; o++)
            for (let c = 0; c < n; c++) expected[o] += J[i][j].data[o * n + c] * vj.data[c];
        });
        close(t.data, expected, `${task.name} jvp output ${i + 1}`);
      });
      const R = tapeReverseJacobian(graph, point);
      const u = R.outputs.map((y) => randomLike(y, rng));
      const cot = vjpOfGraph(graph, point).pullback(u);
      cot.forEach((g, j) => {
        const n = g.data.length;
        const expected = new Float64Array(n);
        u.forEach((ui, i) => {
          for (let o = 0; o < ui.data.length; o++)
            for (let c = 0; c < n; c++) expected[c] += ui.data[o] * R.jacobian[i][j].data[o * n + c];
        });
        close(g.data, expected, `${task.name} vjp input ${j + 1}`);
      });
    }
  });

  test('jvp(fn, primals, tangents) and vjp(fn, primals) agree with central differences', () => {
    // f(x, W) = [tanh(W·x), Σ x²]: a tensor function with shapes taken from the primals.
    const fn = (x: Traced, W: Traced) => [np.tanh(np.matmul(W, x)), np.sum(np.mul(x, x))];
    const x = [0.3, -0.5, 0.8];
    const W = [
      [0.2, -0.1, 0.4],
      [0.7, 0.3, -0.6],
    ];
    const dx = [0.1, 0.2, -0.3];
    const dW = [
      [0.05, 0, -0.1],
      [0, 0.2, 0.1],
    ];
    const [outputs, tangents] = jvp(fn, [x, W], [dx, dW]) as [Tensor[], Tensor[]];
    const h = 1e-6;
    const shift = (s: number) => [
      x.map((v, k) => v + s * dx[k]),
      W.map((row, r) => row.map((v, c) => v + s * dW[r][c])),
    ];
    const [plus] = jvp(fn, shift(h), [dx, dW]) as [Tensor[], Tensor[]];
    const [minus] = jvp(fn, shift(-h), [dx, dW]) as [Tensor[], Tensor[]];
    tangents.forEach((t, i) =>
      close(
        t.data,
        Float64Array.from(plus[i].data, (p, k) => (p - minus[i].data[k]) / (2 * h)),
        `jvp ${i + 1}`,
        1e-7,
      ),
    );
    assert.deepEqual(outputs[0].shape, [2]);
    // vjp: uᵀ·J·v must equal u·(J·v), for the same linearisation.
    const [, pullback] = vjp(fn, [x, W]);
    const u = [[0.4, -0.9], 1.5];
    const [gx, gW] = pullback(u) as Tensor[];
    const uJv = 0.4 * tangents[0].data[0] - 0.9 * tangents[0].data[1] + 1.5 * tangents[1].data[0];
    const gv =
      gx.data.reduce((s, g, k) => s + g * dx[k], 0) +
      gW.data.reduce((s, g, k) => s + g * dW[Math.floor(k / 3)][k % 3], 0);
    assert.ok(Math.abs(uJv - gv) < 1e-12, `${uJv} vs ${gv}`);
  });

  test('wrong tangent or cotangent shapes are one-line ShapeErrors', () => {
    const fn = (x: Traced) => [np.sin(x)];
    assert.throws(() => jvp(fn, [[1, 2]], [[1]]), /tangent 1 has shape \[1\], expected \[2\]/);
    const [, pullback] = vjp(fn, [[1, 2]]);
    assert.throws(() => pullback([1]), /cotangent 1 has shape \[\], expected \[2\]/);
    assert.throws(() => jvp(fn, ['a' as never], [1]), /primal 1: the string "a" is neither a tensor/);
  });

  test('jacfwd and jacrev give nested out.shape ++ in.shape Jacobians, with argnums and hasAux', () => {
    const fn = (x: Traced, W: Traced) => [np.tanh(np.matmul(W, x)), np.sum(np.mul(x, x))];
    const x = [0.3, -0.5, 0.8];
    const W = [
      [0.2, -0.1, 0.4],
      [0.7, 0.3, -0.6],
    ];
    const graph = trace(fn, [[3], [2, 3]]);
    const point: Tensor[] = [
      { shape: [3], data: Float64Array.from(x) },
      { shape: [2, 3], data: Float64Array.from(W.flat()) },
    ];
    const fd = finiteDifferenceJacobian(graph, point).jacobian;
    const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
    for (const jac of [jacfwd, jacrev]) {
      // Both arguments: per output, per argument.
      const both = jac(fn, { argnums: [0, 1] })(x, W) as unknown[][];
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 2; j++)
          close(Float64Array.from(flat(both[i][j])), fd[i][j].data, `${jac.name} J[${i}][${j}]`, 1e-6);
      // One argument (a number, not a list): the W block only, shaped [2, 2, 3] for the first output.
      const dW = jac(fn, { argnums: 1 })(x, W) as unknown[];
      assert.equal((dW[0] as unknown[][][]).length, 2);
      assert.equal((dW[0] as unknown[][][])[0].length, 2);
      assert.equal((dW[0] as unknown[][][])[0][0].length, 3);
      close(Float64Array.from(flat(dW[0])), fd[0][1].data, `${jac.name} dW`, 1e-6);
      // hasAux: fn returns [output, aux]; aux is returned, not differentiated.
      const withAux = (v: Traced) => [np.sin(v), np.mul(v, 2)];
      const [dsin, aux] = jac(withAux, { hasAux: true })([0.1, 0.2]) as [number[][], number[]];
      assert.deepEqual(aux, [0.2, 0.4]);
      close(
        Float64Array.from(flat(dsin)),
        Float64Array.of(Math.cos(0.1), 0, 0, Math.cos(0.2)),
        'dsin',
        1e-15,
      );
    }
    assert.throws(() => jacfwd(fn, { argnums: 2 })(x, W), /argnums 2 is not an argument index/);
  });
});
