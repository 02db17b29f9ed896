import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { countOrder } from '../src/elimination/count.js';
import { resolveOrder, type OrderName } from '../src/elimination/resolve.js';
import type { Graph, Operand } from '../src/graph/graph.js';
import { tensor, type Tensor } from '../src/graph/tensor.js';
import { evaluateGraph, outputValues } from '../src/evaluate/evaluate.js';
import { jacobianAtPoint } from '../src/jacobian/eliminate.js';
import { finiteDifferenceJacobian } from '../src/jacobian/finite-differences.js';
import { importJaxpr } from '../src/jaxpr/parse.js';
import { HumanHeartDipole } from '../src/tasks/human-heart-dipole.js';
import { PropaneCombustion } from '../src/tasks/propane-combustion.js';
import { RobotArm_6DOF } from '../src/tasks/robot-arm-6dof.js';
import { RoeFlux_1d } from '../src/tasks/roe-flux-1d.js';
import { RoeFlux_3d } from '../src/tasks/roe-flux-3d.js';
import type { TaskDefinition } from '../src/tasks/task.js';
import { trace } from '../src/trace/trace.js';
import { Rng } from '../src/util/random.js';

interface PaperGraphJson {
  inputShapes: number[][];
  numVertices: number;
  outputsInReturnOrder: number[];
  expected: { forward: number; reverse: number; markowitz: number };
}

const readData = (relative: string): string =>
  readFileSync(new URL(`../data/paper/${relative}`, import.meta.url), 'utf8');

/** Native counts the scalar tasks must reproduce (the AlphaGrad model equals it on scalar graphs). */
const SCALAR_COUNTS: Record<string, boolean> = {
  RoeFlux_1d: true,
  RobotArm_6DOF: true,
  HumanHeartDipole: true,
  PropaneCombustion: true,
  RoeFlux_3d: false,
};

const TASKS: readonly TaskDefinition[] = [
  RoeFlux_1d,
  RoeFlux_3d,
  RobotArm_6DOF,
  HumanHeartDipole,
  PropaneCombustion,
];

/** One operand as a comparable string: input index, vertex id, or a literal at float32 precision. */
function describeOperand(op: Operand): string {
  switch (op.kind) {
    case 'input':
      return `input ${op.index}`;
    case 'vertex':
      return `v${op.id}`;
    case 'literal':
      return `literal [${op.value.shape.join(',')}] ${[...op.value.data].map((x) => Math.fround(x)).join(',')}`;
  }
}

/** Relative agreement to 1e-6 (jaxpr literals are float32-rounded); exact zeros must match exactly. */
function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const b = expected[i];
    const scale = Math.max(Math.abs(a), Math.abs(b));
    assert.ok(
      Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= 1e-6 * scale,
      `${what}[${i}]: ${a} vs ${b}`,
    );
  }
}

const counts = (graph: Graph): Record<OrderName, number> => {
  const cost = (name: OrderName): number => countOrder(graph, resolveOrder(graph, name)).multiplications;
  return { forward: cost('forward'), reverse: cost('reverse'), markowitz: cost('markowitz') };
};

for (const task of TASKS) {
  describe(task.name, () => {
    const ts = trace(task.fn, task.inputs);
    const jaxpr = importJaxpr(readData(`jaxpr/${task.paperName}.jaxpr`));
    const paper = JSON.parse(readData(`graphs/${task.paperName}.json`)) as PaperGraphJson;

    test('name, paperName and input shapes follow the paper graph', () => {
      assert.equal(task.paperName, task.name);
      assert.deepEqual(
        ts.inputs.map((i) => i.shape),
        paper.inputShapes,
      );
      assert.deepEqual(
        jaxpr.inputs.map((i) => i.shape),
        paper.inputShapes,
      );
    });

    test('the traced equation sequence is identical to the jaxpr (primitive, operands, params, shape)', () => {
      assert.equal(ts.vertices.length, jaxpr.vertices.length);
      assert.equal(ts.vertices.length, paper.numVertices);
      ts.vertices.forEach((v, k) => {
        const w = jaxpr.vertices[k];
        const where = `vertex ${v.id}`;
        assert.equal(v.id, w.id, where);
        assert.equal(v.primitive, w.primitive, `${where}: primitive`);
        assert.deepEqual(
          v.operands.map(describeOperand),
          w.operands.map(describeOperand),
          `${where}: operands`,
        );
        assert.deepEqual(v.shape, w.shape, `${where}: shape`);
        assert.deepEqual(v.params, w.params, `${where}: params`);
      });
      assert.deepEqual(ts.outputs.map(describeOperand), jaxpr.outputs.map(describeOperand));
      assert.deepEqual(
        ts.outputs.map(describeOperand),
        paper.outputsInReturnOrder.map((id) => `v${id}`),
      );
    });

    test('outputs and full Jacobian agree with the imported jaxpr at 5 sampled points', () => {
      const rng = new Rng(20240917);
      const tsOrder = resolveOrder(ts, 'reverse');
      const jaxprOrder = resolveOrder(jaxpr, 'reverse');
      for (let p = 0; p < 5; p++) {
        const point: Tensor[] = task.samplePoint(rng);
        const mine = jacobianAtPoint(ts, point, tsOrder);
        const theirs = jacobianAtPoint(jaxpr, point, jaxprOrder);
        mine.outputs.forEach((out, i) => {
          assert.deepEqual(out.shape, theirs.outputs[i].shape);
          assertClose(out.data, theirs.outputs[i].data, `point ${p} output ${i + 1}`);
        });
        mine.jacobian.forEach((row, i) =>
          row.forEach((block, j) => {
            assert.deepEqual(block.shape, theirs.jacobian[i][j].shape);
            assertClose(
              block.data,
              theirs.jacobian[i][j].data,
              `point ${p} d(output ${i + 1})/d(input ${j + 1})`,
            );
          }),
        );
      }
    });

    test('the Jacobian matches central finite differences at 5 sampled points', () => {
      const rng = new Rng(7);
      const order = resolveOrder(ts, 'forward');
      for (let p = 0; p < 5; p++) {
        const point = task.samplePoint(rng);
        const exact = jacobianAtPoint(ts, point, order).jacobian;
        const approx = finiteDifferenceJacobian(ts, point).jacobian;
        exact.forEach((row, i) =>
          row.forEach((block, j) =>
            block.data.forEach((x, k) => {
              const y = approx[i][j].data[k];
              assert.ok(
                Math.abs(x - y) <= 1e-5 * Math.max(1, Math.abs(x)),
                `point ${p} d(output ${i + 1})/d(input ${j + 1})[${k}]: ${x} vs ${y}`,
              );
            }),
          ),
        );
      }
    });

    if (SCALAR_COUNTS[task.name]) {
      test('native forward/reverse/Markowitz counts equal the paper graph’s expected values', () => {
        const { forward, reverse, markowitz } = paper.expected;
        assert.deepEqual(counts(ts), { forward, reverse, markowitz });
      });
    } else {
      test('native forward/reverse/Markowitz counts equal those of the imported jaxpr', () => {
        assert.deepEqual(counts(ts), counts(jaxpr));
      });
    }
  });
}

// ---- known answers, independent of the jaxpr ----------------------------------------------------------

const evaluate = (task: TaskDefinition, point: readonly Tensor[]): number[][] => {
  const graph = trace(task.fn, task.inputs);
  return outputValues(graph, evaluateGraph(graph, point)).map((t) => [...t.data]);
};
const scalars = (xs: readonly number[]): Tensor[] => xs.map((x) => tensor([], [x]));

describe('known answers', () => {
  const gammaMinus1 = 0.5 - 1;

  test('RoeFlux_1d is consistent: equal left and right states give the physical flux F(u)', () => {
    const rng = new Rng(3);
    for (let p = 0; p < 5; p++) {
      const state = RoeFlux_1d.samplePoint(rng).slice(0, 3);
      const [u0, u1, u2] = state.map((t) => t.data[0]);
      const pressure = gammaMinus1 * (u2 - (0.5 * u1 * u1) / u0);
      const v = u1 / u0;
      const flux = evaluate(RoeFlux_1d, [...state, ...state]).map(([x]) => x);
      assertClose(flux, [u1, pressure + u1 * v, v * (pressure + u2)], `point ${p}`);
    }
  });

  test('RoeFlux_3d is consistent: equal left and right states give the source’s flux F3(u)', () => {
    const rng = new Rng(4);
    for (let p = 0; p < 5; p++) {
      const state = RoeFlux_3d.samplePoint(rng).slice(0, 3);
      const u0 = state[0].data[0];
      const u = [...state[1].data];
      const u4 = state[2].data[0];
      const pressure = gammaMinus1 * (u4 - (0.5 * u.reduce((s, x) => s + x * x, 0)) / u0);
      const v = u.map((x) => x / u0);
      const [phi0, phi, phi4] = evaluate(RoeFlux_3d, [...state, ...state]);
      assertClose(phi0, [u[0]], `point ${p} φ0`);
      assertClose(phi, [pressure + u[0] * v[0], u[1] * v[1], u[2] * v[2]], `point ${p} φ`);
      assertClose(phi4, [v[0] * (pressure + u4)], `point ${p} φ4`);
    }
  });

  test('RobotArm_6DOF at zero joint angles: stretched arm at (a1 + a2 + a3, 0, d1 − d4 − d6), y_ = π', () => {
    const [px, py, pz, z, y_] = evaluate(RobotArm_6DOF, scalars([0, 0, 0, 0, 0, 0])).map(([x]) => x);
    assert.deepEqual([px, py, pz, z, y_], [175 + 890 + 50, 0, 575 - 1035 - 185, 0, Math.PI]);
  });

  test('HumanHeartDipole at x = 1: residuals (1, 1, −1, 3, −5, −5, −9, −1)', () => {
    const f = evaluate(HumanHeartDipole, scalars(Array(8).fill(1))).map(([x]) => x);
    assert.deepEqual(f, [1, 1, -1, 3, -5, -5, -9, -1]);
  });

  test('PropaneCombustion at x = 1: residuals with √(p/x11) = √40', () => {
    const f = evaluate(PropaneCombustion, scalars(Array(11).fill(1))).map(([x]) => x);
    const r = 1 - Math.sqrt(40);
    assertClose(f, [-1, -1, -2, -37, 0, r, r, -39, r, -39, -9], 'f');
  });
});
