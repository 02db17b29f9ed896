import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import {
  countOrder,
  evaluateGraph,
  finiteDifferenceJacobian,
  freezeStopGradients,
  jacobianAtPoint,
  outputValues,
  pprintGraph,
  resolveOrder,
  trace,
  type Graph,
  type Operand,
  type Tensor,
} from '../src/index.js';
import { importJaxpr } from '../src/jaxpr/parse.js';
import { BlackScholes_Jacobian } from '../src/tasks/black-scholes-jacobian.js';
import { Encoder } from '../src/tasks/encoder.js';
import { Perceptron } from '../src/tasks/perceptron.js';
import { f } from '../src/tasks/random-f.js';
import { g } from '../src/tasks/random-g.js';
import type { TaskDefinition } from '../src/tasks/task.js';
import { Rng } from '../src/util/random.js';

const jaxprPath = (name: string): string =>
  fileURLToPath(new URL(`../data/paper/jaxpr/${name}.jaxpr`, import.meta.url));

const TASKS: readonly TaskDefinition[] = [BlackScholes_Jacobian, f, g, Perceptron, Encoder];
const POINTS = 5;
const SEED = 20240605;
const RTOL = 1e-6;

/**
 * |a − b| ≤ rtol·max(|a|, |b|) + atol elementwise; NaN never passes. The jaxpr/TS comparison is relative
 * (atol 1e-12 only for exact zeros); finite differences get an absolute floor too.
 */
function assertClose(actual: Tensor, expected: Tensor, what: string, rtol = RTOL, atol = 1e-12): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  for (let k = 0; k < actual.data.length; k++) {
    const a = actual.data[k];
    const b = expected.data[k];
    assert.ok(
      Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b)) + atol,
      `${what}[${k}]: ${a} vs ${b}`,
    );
  }
}

/** One operand as a comparable value: inputs and vertices by index, literals to float32 precision. */
function describeOperand(op: Operand): string {
  switch (op.kind) {
    case 'input':
      return `input ${op.index}`;
    case 'vertex':
      return `vertex ${op.id}`;
    case 'literal':
      return `literal [${op.value.shape.join(',')}] ${[...op.value.data].map((x) => Math.fround(x)).join(',')}`;
  }
}

/** Per vertex: primitive, operands, shape and parameters, as a comparable record. */
const equations = (graph: Graph) =>
  graph.vertices.map((v) => ({
    vertex: v.id,
    primitive: v.primitive,
    operands: v.operands.map(describeOperand),
    shape: [...v.shape],
    params: JSON.parse(JSON.stringify(v.params)) as unknown,
  }));

for (const task of TASKS) {
  describe(`task ${task.name}`, () => {
    const ts = trace(task.fn, task.inputs);
    const jx = importJaxpr(readFileSync(jaxprPath(task.paperName), 'utf8'));

    test('inputs and outputs have the jaxpr shapes and order', () => {
      assert.equal(task.paperName, task.name);
      assert.deepEqual(
        ts.inputs.map((i) => i.shape),
        jx.inputs.map((i) => i.shape),
      );
      assert.deepEqual(ts.outputs.map(describeOperand), jx.outputs.map(describeOperand));
    });

    test('the equation sequence is identical to the jaxpr (primitive, operands, shape, params)', () => {
      const a = equations(ts);
      const b = equations(jx);
      for (let k = 0; k < Math.max(a.length, b.length); k++) {
        if (!isDeepStrictEqual(a[k], b[k]))
          assert.deepEqual(a[k], b[k], `vertex ${k + 1}\nTS:\n${pprintGraph(ts)}`);
      }
    });

    test(`outputs and reverse-mode Jacobian agree with the jaxpr graph at ${POINTS} random points`, () => {
      const rng = new Rng(SEED);
      const revTs = resolveOrder(ts, 'reverse');
      const revJx = resolveOrder(jx, 'reverse');
      for (let p = 0; p < POINTS; p++) {
        const point = task.samplePoint(rng);
        const a = jacobianAtPoint(ts, point, revTs);
        const b = jacobianAtPoint(jx, point, revJx);
        a.outputs.forEach((out, i) => assertClose(out, b.outputs[i], `point ${p} output ${i}`));
        a.jacobian.forEach((row, i) =>
          row.forEach((block, j) =>
            assertClose(block, b.jacobian[i][j], `point ${p} d(out ${i})/d(in ${j})`),
          ),
        );
      }
    });

    test('forward, reverse and Markowitz counts equal the jaxpr graph', () => {
      for (const order of ['forward', 'reverse', 'markowitz'] as const) {
        assert.equal(
          countOrder(ts, resolveOrder(ts, order)).multiplications,
          countOrder(jx, resolveOrder(jx, order)).multiplications,
          order,
        );
      }
    });

    test('samplePoint gives finite values and partials; the Jacobian matches finite differences (stop_gradient frozen)', () => {
      const rng = new Rng(SEED + 1);
      for (let p = 0; p < POINTS; p++) {
        const point = task.samplePoint(rng);
        const exact = jacobianAtPoint(ts, point, resolveOrder(ts, 'markowitz'));
        const approx = finiteDifferenceJacobian(freezeStopGradients(ts, point), point);
        exact.jacobian.forEach((row, i) =>
          row.forEach((block, j) =>
            assertClose(block, approx.jacobian[i][j], `point ${p} J[${i}][${j}]`, 1e-4, 1e-6),
          ),
        );
        assert.ok(outputValues(ts, evaluateGraph(ts, point)).every((t) => t.data.every(Number.isFinite)));
      }
    });
  });
}
