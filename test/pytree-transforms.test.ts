import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { jacfwd, jacrev, jvp, np, vjp, type Tensor, type Traced } from '../src/index.js';
import { CASES, type Case } from './pytree-cases.js';
import { Rng } from '../src/util/random.js';

/**
 * The transforms on pytrees (arrays and objects of tensors) against central differences of the function
 * itself: every Jacobian entry, J·t and uᵀ·J, on ten functions, scalar and tensor.
 */

function isTensor(v: unknown): v is Tensor {
  return v !== null && typeof v === 'object' && 'shape' in v && (v as Tensor).data instanceof Float64Array;
}

/** Leaves of a result tree (Tensors), depth first, object keys in order. */
function tensorLeaves(tree: unknown): Tensor[] {
  if (isTensor(tree)) return [tree];
  if (Array.isArray(tree)) return tree.flatMap(tensorLeaves);
  return Object.values(tree as object).flatMap(tensorLeaves);
}

/** A primal leaf is a number, nested numbers or a Tensor; anything else is a container. */
function isPrimalLeaf(v: unknown): boolean {
  const numbers = (x: unknown): boolean => typeof x === 'number' || (Array.isArray(x) && x.every(numbers));
  return isTensor(v) || numbers(v);
}

function primalLeaves(tree: unknown): Float64Array[] {
  if (isPrimalLeaf(tree)) {
    if (isTensor(tree)) return [tree.data];
    const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);
    return [Float64Array.from(flat(tree))];
  }
  if (Array.isArray(tree)) return tree.flatMap(primalLeaves);
  return Object.values(tree as object).flatMap(primalLeaves);
}

/** The same tree with its leaves' values replaced (in leaf order) by `values`. */
function withLeaves(tree: unknown, values: Float64Array[]): unknown {
  let next = 0;
  const build = (v: unknown): unknown => {
    if (isPrimalLeaf(v)) {
      const data = values[next++];
      if (isTensor(v)) return { shape: v.shape, data };
      return typeof v === 'number' ? data[0] : nest(v, data);
    }
    if (Array.isArray(v)) return v.map(build);
    return Object.fromEntries(Object.entries(v as object).map(([k, c]) => [k, build(c)]));
  };
  return build(tree);
}

function nest(like: unknown, data: Float64Array): unknown {
  let k = 0;
  const build = (v: unknown): unknown => (Array.isArray(v) ? v.map(build) : data[k++]);
  return build(like);
}

const flatNumbers = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flatNumbers) : [x as number]);

/** Evaluates fn's results (flattened leaves) at primals given as leaf values. */
function evaluate(c: Case, leafValues: Float64Array[]): Float64Array[] {
  const primals = c.primals.map((p, a) => {
    const start = c.primals.slice(0, a).reduce<number>((n, q) => n + primalLeaves(q).length, 0);
    return withLeaves(p, leafValues.slice(start, start + primalLeaves(p).length));
  });
  const [outputs] = jvp(c.fn as never, primals as never, primals as never);
  return tensorLeaves(outputs).map((o) => o.data);
}

/** Central differences: fd[o][l] is a flat [outSize × leafSize] block. */
function centralDifferences(c: Case): Float64Array[][] {
  const base = c.primals.flatMap(primalLeaves);
  const h = 1e-6;
  const outSizes = evaluate(c, base).map((o) => o.length);
  return outSizes.map((m, o) =>
    base.map((leaf, l) => {
      const block = new Float64Array(m * leaf.length);
      for (let e = 0; e < leaf.length; e++) {
        const shifted = (s: number) =>
          base.map((b, k) => (k === l ? b.map((v, i) => (i === e ? v + s : v)) : b));
        const plus = evaluate(c, shifted(h))[o];
        const minus = evaluate(c, shifted(-h))[o];
        for (let r = 0; r < m; r++) block[r * leaf.length + e] = (plus[r] - minus[r]) / (2 * h);
      }
      return block;
    }),
  );
}

/**
 * The Jacobian tree's blocks, flat as fd's: walks fn's result structure (from its outputs) and, inside
 * each result leaf, the list over argnums and each argument's structure.
 */
function jacobianBlocks(c: Case, jac: unknown, outputs: unknown): Float64Array[][] {
  const perOutput: unknown[] = [];
  const walk = (out: unknown, j: unknown): void => {
    if (isTensor(out)) perOutput.push(j);
    else if (Array.isArray(out)) out.forEach((o, i) => walk(o, (j as unknown[])[i]));
    else for (const k of Object.keys(out as object)) walk((out as never)[k], (j as never)[k]);
  };
  walk(outputs, jac);
  return perOutput.map((perArg) =>
    c.primals.flatMap((p, a) => {
      const blocks: Float64Array[] = [];
      const inner = (primal: unknown, j: unknown): void => {
        if (isPrimalLeaf(primal)) blocks.push(Float64Array.from(flatNumbers(j)));
        else if (Array.isArray(primal)) primal.forEach((q, i) => inner(q, (j as unknown[])[i]));
        else for (const k of Object.keys(primal as object)) inner((primal as never)[k], (j as never)[k]);
      };
      inner(p, (perArg as unknown[])[a]);
      return blocks;
    }),
  );
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, what: string, tol: number): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let k = 0; k < a.length; k++)
    assert.ok(
      Math.abs(a[k] - b[k]) <= tol * Math.max(1, Math.abs(b[k])),
      `${what}[${k}]: ${a[k]} vs ${b[k]}`,
    );
}

describe('transforms on pytrees', () => {
  for (const c of CASES) {
    test(`${c.name}: jacfwd, jacrev, jvp and vjp agree with central differences`, () => {
      const argnums = c.primals.map((_, a) => a);
      const fd = centralDifferences(c);
      const [outputs] = vjp(c.fn as never, c.primals as never);
      const fwd = jacobianBlocks(c, jacfwd(c.fn as never, { argnums })(...(c.primals as never[])), outputs);
      const rev = jacobianBlocks(c, jacrev(c.fn as never, { argnums })(...(c.primals as never[])), outputs);
      fd.forEach((row, o) =>
        row.forEach((block, l) => {
          close(fwd[o][l], block, `${c.name} jacfwd[${o}][${l}]`, 1e-6);
          close(rev[o][l], fwd[o][l], `${c.name} jacrev[${o}][${l}]`, 1e-12);
        }),
      );
      // J·t and uᵀ·J from the sweeps against the same blocks.
      const rng = new Rng(3);
      const leaves = c.primals.flatMap(primalLeaves);
      const tangentLeaves = leaves.map((x) => Float64Array.from(x, () => rng.float() - 0.5));
      const tangents = c.primals.map((p, a) => {
        const start = c.primals.slice(0, a).reduce<number>((n, q) => n + primalLeaves(q).length, 0);
        return withLeaves(p, tangentLeaves.slice(start, start + primalLeaves(p).length));
      });
      const [, dy] = jvp(c.fn as never, c.primals as never, tangents as never);
      const outLeaves = tensorLeaves(outputs);
      tensorLeaves(dy).forEach((d, o) => {
        const expected = new Float64Array(d.data.length);
        fd[o].forEach((block, l) => {
          const n = tangentLeaves[l].length;
          for (let r = 0; r < expected.length; r++)
            for (let e = 0; e < n; e++) expected[r] += block[r * n + e] * tangentLeaves[l][e];
        });
        close(d.data, expected, `${c.name} jvp[${o}]`, 1e-6);
      });
      const [, pullback] = vjp(c.fn as never, c.primals as never);
      const cot = outLeaves.map((o) => Float64Array.from(o.data, () => rng.float() - 0.5));
      const cotTree = (() => {
        let next = 0;
        const build = (v: unknown): unknown =>
          isTensor(v)
            ? { shape: v.shape, data: cot[next++] }
            : Array.isArray(v)
              ? v.map(build)
              : Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, build(x)]));
        return build(outputs);
      })();
      const grads = pullback(cotTree as never).flatMap(tensorLeaves);
      grads.forEach((g, l) => {
        const expected = new Float64Array(g.data.length);
        fd.forEach((row, o) => {
          const n = g.data.length;
          for (let r = 0; r < cot[o].length; r++)
            for (let e = 0; e < n; e++) expected[e] += cot[o][r] * row[l][r * n + e];
        });
        close(g.data, expected, `${c.name} vjp[${l}]`, 1e-6);
      });
    });
  }

  test('hasAux returns the aux tree undifferentiated and leaves the Jacobian as it was', () => {
    const fn = (p: { W: Traced; b: Traced }, x: Traced) => {
      const y = np.add(np.matmul(p.W, x), p.b);
      return [np.tanh(y), { pre: y, norm: np.sum(np.mul(y, y)) }];
    };
    const plain = (p: { W: Traced; b: Traced }, x: Traced) => np.tanh(np.add(np.matmul(p.W, x), p.b));
    const primals = CASES[1].primals as never[];
    const [jac, aux] = jacrev(fn, { hasAux: true })(...primals) as [unknown, { pre: number[]; norm: number }];
    assert.deepEqual(jac, jacrev(plain)(...primals));
    const pre = [0.2 * 0.3 + 0.4 * 0.5 + 0.1 * 0.8 + 0.1, 0.5 * 0.3 - 0.3 * 0.5 - 0.7 * 0.8 - 0.2];
    close(aux.pre, pre, 'aux.pre', 1e-12);
    close([aux.norm], [pre[0] ** 2 + pre[1] ** 2], 'aux.norm', 1e-12);
    const [outs, tangents, auxJvp] = jvp(fn, primals, primals, { hasAux: true });
    assert.ok(isTensor(outs) && isTensor(tangents));
    close(((auxJvp as { pre: Tensor }).pre as Tensor).data, pre, 'jvp aux', 1e-12);
    const [, pullback, auxVjp] = vjp(fn, primals, { hasAux: true });
    assert.ok(auxVjp !== undefined);
    const [gp] = pullback([1, 0]) as [{ W: Tensor; b: Tensor }];
    assert.deepEqual(gp.W.shape, [2, 3]);
  });

  test('structure mismatches are one-line ShapeErrors naming the place', () => {
    const fn = (p: { W: Traced; b: Traced }) => np.sum(np.add(np.sum(p.W, 0), p.b));
    const primals = [{ W: [[1, 2]], b: [1, 2] }];
    assert.throws(() => jvp(fn, primals, [{ W: [[1, 2]] }]), /tangent 1 must be an object with keys W, b/);
    assert.throws(() => jvp(fn, primals, [{ W: [[1, 2]], b: [1] }]), /tangent 1\.b has shape|shape \[1\]/);
    assert.throws(() => jacrev(fn, { argnums: [0, 0] })(...primals), /repeats an argument/);
    assert.throws(() => jacrev(fn, { argnums: [] })(...primals), /argnums is empty/);
    assert.throws(() => jacrev(fn)({ W: [[1, 2]], b: [[1], 2] }), /primal 1\.b is a ragged nested array/);
    assert.throws(() => jacrev(fn)({ W: new Map() as never, b: [1, 2] }), /primal 1\.W: a Map is neither/);
    const [, pullback] = vjp((x: Traced) => [np.sin(x), np.cos(x)], [[1, 2]]);
    assert.throws(() => pullback([[1, 2]]), /cotangent must be an array of 2/);
  });
});
