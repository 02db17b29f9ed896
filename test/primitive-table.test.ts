import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  ALL_PRIMITIVES,
  compileGraphJacobian,
  jacobianByElimination,
  tapeReverseJacobian,
  type Tensor,
} from '../src/index.js';
import type { Backend, CompileTarget } from '../src/compile/jacobian.js';
import type { Primitive } from '../src/graph/primitive.js';
import { eliminableVertices } from '../src/graph/graph.js';
import { finiteDifferenceJacobian } from '../src/jacobian/finite-differences.js';
import { CASES, graphOf, pointOf, type Case } from './primitive-cases.js';

/**
 * Every primitive, compiled by every backend, against the interpreter, the tape reference, finite
 * differences and values written out independently (primitive-cases.ts: Math functions, loops, a table of
 * erf values). Edge values (0, −0,
 * negative, large, domain boundaries, ties) are compared exactly where the derivative is not defined by
 * limits; finite differences use smooth points only.
 */

// ---- comparison helpers ---------------------------------------------------------------------------

/** Equal to ~1e-12 relative, NaN with NaN and each infinity with itself. */
function close(actual: number, expected: number, rel = 1e-12): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= rel * Math.max(1e-300, Math.abs(expected));
}

function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what: string,
  rel = 1e-12,
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let k = 0; k < expected.length; k++)
    assert.ok(close(actual[k], expected[k], rel), `${what}[${k}]: ${actual[k]} vs ${expected[k]}`);
}

/**
 * Central differences at h ≈ 6e-6·max(1, |x|): truncation O(h²) relative to the derivative, plus rounding
 * O(ε·|f|/h) relative to the value `f` of the row.
 */
function assertFiniteDifferences(
  exact: ArrayLike<number>,
  fd: ArrayLike<number>,
  values: ArrayLike<number>,
  what: string,
): void {
  const cols = exact.length / values.length;
  for (let k = 0; k < exact.length; k++) {
    const tol = 1e-5 * (1 + Math.abs(exact[k])) + 1e-9 * Math.abs(values[Math.floor(k / cols)]);
    assert.ok(
      Math.abs(fd[k] - exact[k]) <= tol,
      `${what}[${k}]: exact ${exact[k]}, finite differences ${fd[k]}`,
    );
  }
}

// ---- the checks -------------------------------------------------------------------------------------

function forEachBlock(
  J: readonly (readonly Tensor[])[],
  f: (block: Float64Array, i: number, j: number) => void,
): void {
  J.forEach((row, i) => row.forEach((block, j) => f(block.data, i, j)));
}

const VARIANTS: readonly { target: CompileTarget; backend: Backend; fold?: boolean }[] = [
  { target: 'markowitz', backend: 'generated' },
  { target: 'markowitz', backend: 'generated', fold: false },
  { target: 'reverse', backend: 'bytecode' },
  { target: 'forward', backend: 'kernels' },
  { target: 'tape-reverse', backend: 'generated' },
  { target: 'tape-forward', backend: 'bytecode' },
];

function checkCase(p: Primitive, c: Case): void {
  const graph = graphOf(c);
  assert.ok(
    graph.vertices.some((v) => v.primitive === p),
    `${c.label}: the graph has a ${p} vertex`,
  );
  const order = eliminableVertices(graph);
  for (const which of ['edge', 'smooth'] as const) {
    const point = pointOf(c, which);
    const interpreted = jacobianByElimination(graph, point, order);
    // Dense sweeps multiply structural zeros by infinite partials (NaN), so they are compared at smooth points.
    const dense = which === 'smooth';
    const expected = c.value(point.map((t) => t.data));
    assertClose(interpreted.outputs[0].data, expected, `${c.label} (${which}) interpreted value`);
    if (dense) {
      const tape = tapeReverseJacobian(graph, point);
      forEachBlock(interpreted.jacobian, (block, i, j) =>
        assertClose(tape.jacobian[i][j].data, block, `${c.label} (${which}) tape ∂y${i}/∂x${j}`),
      );
    }
    for (const { target, backend, fold } of VARIANTS) {
      if (!dense && (target === 'tape-forward' || target === 'tape-reverse')) continue;
      const compiled = compileGraphJacobian(graph, target, { backend, fold });
      assert.equal(compiled.backend, backend);
      const result = compiled(point.map((t) => t.data));
      const where = `${c.label} (${which}) ${backend} ${String(target)}${fold === false ? ' unfolded' : ''}`;
      assertClose(result.outputs[0], expected, `${where} value`);
      forEachBlock(interpreted.jacobian, (block, i, j) =>
        assertClose(result.jacobian[i][j], block, `${where} ∂y${i}/∂x${j}`),
      );
    }
    if (which === 'smooth' && c.finiteDifferences !== false) {
      // The first output only: the second, sin of it, oscillates too fast at large values.
      const fd = finiteDifferenceJacobian(graph, point);
      interpreted.jacobian[0].forEach((block, j) =>
        assertFiniteDifferences(
          block.data,
          fd.jacobian[0][j].data,
          interpreted.outputs[0].data,
          `${c.label} finite differences ∂/∂x${j}`,
        ),
      );
    }
  }
}

describe('every primitive compiled by every backend agrees with the interpreter and finite differences', () => {
  for (const p of ALL_PRIMITIVES) {
    test(p, () => {
      const cases = (CASES as Partial<Record<string, Case[]>>)[p];
      assert.ok(cases && cases.length > 0, `no test case for primitive '${p}'`);
      for (const c of cases) checkCase(p, c);
    });
  }
});

describe('primitives without a derivative', () => {
  for (const p of ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const) {
    test(`${p} has a zero Jacobian`, () => {
      for (const c of CASES[p]) {
        const graph = graphOf(c);
        const J = jacobianByElimination(graph, pointOf(c, 'edge'), eliminableVertices(graph)).jacobian[0];
        for (const block of J)
          assert.ok(
            block.data.every((x) => x === 0),
            c.label,
          );
      }
    });
  }

  test('select_n has no partial for its predicate; stop_gradient passes none', () => {
    const [select] = CASES.select_n;
    const J = jacobianByElimination(
      graphOf(select),
      pointOf(select, 'edge'),
      eliminableVertices(graphOf(select)),
    ).jacobian[0];
    assert.ok(J[0].data.every((x) => x === 0));
    const [stop] = CASES.stop_gradient;
    const point = pointOf(stop, 'edge');
    // d(sg(x)·x)/dx = sg(x): the stopped operand contributes nothing.
    const Js = jacobianByElimination(graphOf(stop), point, eliminableVertices(graphOf(stop))).jacobian[0][0]
      .data;
    const expected = Array.from({ length: 36 }, (_v, e) => (e % 7 === 0 ? point[0].data[e / 7] : 0));
    assertClose(Js, expected, 'd(sg(x)·x)/dx');
  });
});
