import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ALL_PRIMITIVES, compileGraphJacobian, emitStandaloneModule } from '../src/index.js';
import { CASES, graphOf, pointOf } from './primitive-cases.js';

/**
 * Every primitive written out as a standalone module (no imports: imported here from a data: URL) gives
 * bit for bit the in-process compiled Jacobian and outputs, at edge values (0, −0, negative, large, ties),
 * so no primitive's code form or helper function is missing from emitted files. erf is the exception: a
 * module cannot import stdlib's erf and carries its own, within 1.2e-15 of it (test/standalone.test.ts).
 */

interface Emitted {
  jacobian(inputs: Float64Array[], batch: number): { outputs: Float64Array[]; jacobian: Float64Array[][] };
}

const same = (a: number, b: number, tol = 0): boolean =>
  Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= tol * Math.abs(b);

describe('standalone modules for every primitive', () => {
  for (const primitive of ALL_PRIMITIVES) {
    test(primitive, async () => {
      assert.ok(CASES[primitive].length > 0, `${primitive} has no case`);
      const tol = primitive === 'erf' ? 4e-15 : 0;
      for (const c of CASES[primitive]) {
        const graph = graphOf(c);
        const module = emitStandaloneModule(graph, { order: 'reverse', name: c.label });
        assert.doesNotMatch(module.source, /^\s*import\s/m, `${c.label}: the module imports something`);
        const m = (await import(
          `data:text/javascript;base64,${Buffer.from(module.source).toString('base64')}`
        )) as Emitted;
        const inputs = pointOf(c, 'edge').map((t) => Float64Array.from(t.data));
        const got = m.jacobian(inputs, 1);
        const want = compileGraphJacobian(graph, 'reverse')(inputs);
        want.outputs.forEach((o, i) =>
          o.forEach((v, k) =>
            assert.ok(
              same(got.outputs[i][k], v, tol),
              `${c.label} output ${i}[${k}]: ${got.outputs[i][k]} vs ${v}`,
            ),
          ),
        );
        want.jacobian.forEach((row, i) =>
          row.forEach((block, j) =>
            block.forEach((v, k) =>
              assert.ok(
                same(got.jacobian[i][j][k], v, tol),
                `${c.label} J[${i}][${j}][${k}]: ${got.jacobian[i][j][k]} vs ${v}`,
              ),
            ),
          ),
        );
      }
    });
  }
});
