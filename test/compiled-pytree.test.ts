import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';

import { jacfwd, jacobian, np, vjp, type Tensor, type Traced } from '../src/index.js';
import { CASES, type Case } from './pytree-cases.js';

/**
 * The compiled, batched jacobian(fn) with pytree arguments, the `nested` format, argnums, hasAux and
 * inAxes, against the one-point transforms (jacfwd, themselves checked against central differences).
 */

function isTensor(v: unknown): v is Tensor {
  return v !== null && typeof v === 'object' && 'shape' in v && (v as Tensor).data instanceof Float64Array;
}
const numbers = (x: unknown): boolean => typeof x === 'number' || (Array.isArray(x) && x.every(numbers));
const isLeaf = (v: unknown): boolean => isTensor(v) || numbers(v);
const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);
const shapeOf = (x: unknown): number[] =>
  isTensor(x) ? [...x.shape] : Array.isArray(x) ? [x.length, ...shapeOf(x[0])] : [];

/** The same tree with every leaf mapped. */
function mapLeaves(tree: unknown, f: (leaf: unknown) => unknown): unknown {
  if (isLeaf(tree)) return f(tree);
  if (Array.isArray(tree)) return tree.map((t) => mapLeaves(t, f));
  return Object.fromEntries(Object.entries(tree as object).map(([k, t]) => [k, mapLeaves(t, f)]));
}

/** Two points of a case: the primals and a shifted copy; as a batch, each leaf [2, ...shape] flattened. */
function twoPoints(c: Case): { points: unknown[][]; batch: unknown[] } {
  const shifted = c.primals.map((p) =>
    mapLeaves(p, (leaf) => {
      const shift = (x: unknown): unknown => (Array.isArray(x) ? x.map(shift) : (x as number) * 0.9 + 0.05);
      return isTensor(leaf) ? { shape: leaf.shape, data: leaf.data.map((v) => v * 0.9 + 0.05) } : shift(leaf);
    }),
  );
  const points = [c.primals, shifted];
  const leafData = (leaf: unknown): number[] => (isTensor(leaf) ? [...leaf.data] : flat(leaf));
  const batch = c.primals.map((p, a) => {
    const second: unknown[] = [];
    mapLeaves(shifted[a], (leaf) => second.push(leaf));
    let k = 0;
    return mapLeaves(p, (leaf) => Float64Array.from([...leafData(leaf), ...leafData(second[k++])]));
  });
  return { points, batch };
}

/**
 * The leaves of a nested Jacobian, walked along known structures (nested number arrays alone are
 * ambiguous): fn's results (Tensor leaves), then the list over argnums when `many`, then each argument.
 */
function jacobianLeaves(
  jac: unknown,
  outputs: unknown,
  primals: readonly unknown[],
  argnums: number[],
  many: boolean,
): unknown[] {
  const leaves: unknown[] = [];
  const inArg = (primal: unknown, j: unknown): void => {
    if (isLeaf(primal)) leaves.push(j);
    else if (Array.isArray(primal)) primal.forEach((q, i) => inArg(q, (j as unknown[])[i]));
    else for (const k of Object.keys(primal as object)) inArg((primal as never)[k], (j as never)[k]);
  };
  const out = (o: unknown, j: unknown): void => {
    if (isTensor(o)) argnums.forEach((a, i) => inArg(primals[a], many ? (j as unknown[])[i] : j));
    else if (Array.isArray(o)) o.forEach((x, i) => out(x, (j as unknown[])[i]));
    else for (const k of Object.keys(o as object)) out((o as never)[k], (j as never)[k]);
  };
  out(outputs, jac);
  return leaves;
}

function close(a: unknown, b: unknown, what: string, tol = 1e-12): void {
  const x = flat(a);
  const y = flat(b);
  assert.equal(x.length, y.length, `${what}: length`);
  x.forEach((v, k) =>
    assert.ok(Math.abs(v - y[k]) <= tol * Math.max(1, Math.abs(y[k])), `${what}[${k}]: ${v} vs ${y[k]}`),
  );
}

describe('compiled jacobian(fn) on pytrees', () => {
  for (const c of CASES) {
    test(`${c.name}: the nested batch result equals jacfwd at each point`, () => {
      const inputs = c.primals.map((p) => mapLeaves(p, shapeOf));
      const J = jacobian(c.fn as never, { inputs, format: 'nested' });
      const { points, batch } = twoPoints(c);
      const result = J(batch as never);
      assert.equal(result.batch, 2);
      const all = c.primals.map((_, a) => a);
      const many = c.primals.length > 1;
      const [outputs] = vjp(c.fn as never, c.primals as never);
      const batched = jacobianLeaves(result.jacobian, outputs, c.primals, all, many);
      points.forEach((point, b) => {
        const expected = jacfwd(c.fn as never, { argnums: many ? all : 0 })(...(point as never[]));
        jacobianLeaves(expected, outputs, c.primals, all, many).forEach((leaf, k) =>
          close((batched[k] as unknown[])[b], leaf, `${c.name} point ${b} leaf ${k}`),
        );
      });
    });
  }

  test('the typed-array formats list pytree leaves in flattening order', () => {
    const fn = (p: { W: Traced; b: Traced }, x: Traced) => np.tanh(np.add(np.matmul(p.W, x), p.b));
    const J = jacobian(fn, { inputs: [{ W: [2, 3], b: [2] }, [3]], format: 'dense' });
    assert.deepEqual(
      J.graph.inputs.map((x) => x.name),
      ['a.W', 'a.b', 'b'],
    );
    const point = CASES[1].primals as [{ W: number[][]; b: number[] }, number[]];
    const r = J([{ W: point[0].W, b: point[0].b }, point[1]] as never);
    assert.equal(r.cols, 6 + 2 + 3);
    const expected = jacfwd(fn, { argnums: [0, 1] })(...(point as unknown as never[])) as [
      { W: number[]; b: number[] },
      number[],
    ];
    // Row 0 of the dense matrix: ∂y0/∂W (6), ∂y0/∂b (2), ∂y0/∂x (3).
    const row0 = [
      ...flat(expected[0].W).slice(0, 6),
      ...flat(expected[0].b).slice(0, 2),
      ...flat(expected[1]).slice(0, 3),
    ];
    close(Array.from(r.jacobian.subarray(0, 11)), row0, 'dense row 0');
  });

  test('argnums and hasAux: nested leaves out the rest; aux values come back undifferentiated', () => {
    const fn = (W: Traced, x: Traced) => {
      const y = np.matmul(W, x);
      return [np.sin(y), np.sum(np.mul(y, y))];
    };
    const W = [
      [0.5, -1, 0.2],
      [0.3, 0.8, -0.4],
    ];
    const x = [0.1, 0.7, -0.3];
    const J = jacobian(fn, { inputs: [[2, 3], [3]], argnums: 1, hasAux: true, format: 'nested' });
    const r = J([W.flat(), x]);
    const expected = jacfwd(fn, { argnums: 1, hasAux: true })(W, x) as [number[][], number];
    close((r.jacobian as unknown[])[0], expected[0], 'd sin(Wx)/dx');
    close((r.aux as number[])[0], expected[1], 'aux');
    assert.equal(flat(r.jacobian).length, 2 * 3);
    // In the blocks format the W block is structurally zero: stop_gradient, so nothing is computed for it.
    const B = jacobian(fn, { inputs: [[2, 3], [3]], argnums: 1, order: 'forward' });
    const cheaper = B.multiplications;
    assert.ok(cheaper < jacobian(fn, { inputs: [[2, 3], [3]], order: 'forward' }).multiplications);
    assert.ok(B([W.flat(), x]).jacobian[0][0].every((v) => v === 0));
  });

  test('inAxes null shares an input across the batch, as vmap(in_axes=(None, 0))', () => {
    const fn = (W: Traced, x: Traced) => np.tanh(np.matmul(W, x));
    const W = [0.5, -1, 0.2, 0.3, 0.8, -0.4];
    const xs = [0.1, 0.7, -0.3, 1.2, -0.5, 0.9];
    const shared = jacobian(fn, { inputs: [[2, 3], [3]], inAxes: [null, 0] });
    const tiled = jacobian(fn, { inputs: [[2, 3], [3]] });
    const a = shared([W, xs]);
    const b = tiled([[...W, ...W], xs]);
    assert.equal(a.batch, 2);
    a.jacobian.forEach((row, i) =>
      row.forEach((block, j) => close(Array.from(block), Array.from(b.jacobian[i][j]), `J[${i}][${j}]`)),
    );
    assert.throws(
      () => shared([[...W, ...W], xs]),
      /input 1 \(a\) is shared by the batch \(inAxes null\): 12 values, not 6/,
    );
    assert.throws(
      () => jacobian(fn, { inputs: [[2, 3], [3]], inAxes: [null] }),
      /inAxes must list 0 \(batched\) or null/,
    );
    // Every input shared: one point.
    assert.equal(jacobian(fn, { inputs: [[2, 3], [3]], inAxes: [null, null] })([W, xs.slice(0, 3)]).batch, 1);
  });

  test('bad calls are one-line errors', () => {
    const fn = (p: { W: Traced; b: Traced }) => np.sum(np.add(np.sum(p.W, 0), p.b));
    const J = jacobian(fn, { inputs: [{ W: [1, 2], b: [2] }], format: 'nested' });
    assert.throws(() => J([{ W: [1, 2] }] as never), /argument 1 must be an object with keys W, b/);
    assert.throws(() => J([1, 2] as never), /expected an array of 1 arguments/);
    const r = J([{ W: [1, 2], b: [3, 4] }]);
    assert.throws(() => J([{ W: [1, 2], b: [3, 4] }], r as never), /'nested' format builds new arrays/);
    assert.throws(
      () => jacobian(fn, { inputs: [{ W: [1, 2], b: [2] }], format: 'csv' as never }),
      /unknown format 'csv'/,
    );
  });

  test("the README's From-JAX example runs and prints JAX's shapes", () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'examples/from-jax.ts'], {
      encoding: 'utf8',
    });
    assert.match(out, /jacrev\(f\)\(p, x\)\.W shape \[ 2, 2, 3 \]/);
    assert.match(out, /batched nested d\/dW shape \[ 2, 2, 2, 3 \]/);
  });
});
