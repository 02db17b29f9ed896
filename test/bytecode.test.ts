import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  BYTECODE_INSTRUCTIONS,
  compileGraphJacobian,
  np,
  resolveOrder,
  trace,
  type CompileTarget,
  type Graph,
  type ResultFormat,
  type Tensor,
} from '../src/index.js';
import { TASKS, taskGraph } from '../src/tasks/index.js';
import { randomScalarGraph } from '../src/tasks/random-graphs.js';
import { Rng } from '../src/util/random.js';
import { fluxKernel } from '../bench/scale/families.js';
import { pack } from './batch-helpers.js';

/** Every array of a result, flattened in a fixed order, for comparing two backends. */
function numbersOf(result: object): Float64Array[] {
  const out: Float64Array[] = [];
  const walk = (v: unknown): void => {
    if (v instanceof Float64Array) out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
  };
  const r = result as { outputs: unknown; jacobian?: unknown; values?: unknown };
  walk(r.outputs);
  walk(r.jacobian);
  walk(r.values);
  return out;
}

function sameResults(
  name: string,
  graph: Graph,
  target: CompileTarget,
  points: Tensor[][],
  fold: boolean,
): void {
  for (const format of ['blocks', 'dense', 'sparse'] as ResultFormat[]) {
    const generated = compileGraphJacobian(graph, target, { backend: 'generated', format, fold });
    const bytecode = compileGraphJacobian(graph, target, { backend: 'bytecode', format, fold });
    assert.equal(bytecode.backend, 'bytecode');
    assert.equal(bytecode.multiplications, generated.multiplications);
    const inputs = pack(points);
    const a = numbersOf(generated(inputs));
    const first = bytecode(inputs);
    // A reused result is overwritten with the same numbers.
    const b = numbersOf(bytecode(inputs, first as never));
    assert.equal(a.length, b.length);
    a.forEach((arr, k) =>
      arr.forEach((x, e) =>
        assert.ok(
          Object.is(x, b[k][e]) || Math.abs(x - b[k][e]) <= 1e-13 * Math.abs(x),
          `${name} ${format}: ${x} vs ${b[k][e]}`,
        ),
      ),
    );
  }
}

describe('bytecode backend', () => {
  test('equals generated code on every paper task, order, format and both tapes', () => {
    for (const task of TASKS) {
      const graph = taskGraph(task, 'ts');
      const rng = new Rng(8);
      const points = [task.samplePoint(rng), task.samplePoint(rng)];
      for (const spec of ['reverse', 'markowitz'] as const)
        for (const fold of [true, false])
          sameResults(`${task.name} ${spec}`, graph, resolveOrder(graph, spec), points, fold);
      sameResults(`${task.name} tape-forward`, graph, 'tape-forward', points, true);
    }
  });

  test('constants that compare equal but differ in sign keep their own registers', () => {
    // Registers are shared per constant value; 0 and −0 must not be merged (atan2 tells them apart).
    const graph = trace((x) => [np.atan2(0, x), np.atan2(-0, x), np.mul(-0, x), np.mul(0, x)], [[]]);
    const points = [[{ shape: [], data: Float64Array.of(-2) } as Tensor]];
    sameResults('signed zeros', graph, resolveOrder(graph, 'reverse'), points, false);
    const J = compileGraphJacobian(graph, 'reverse', { backend: 'bytecode', fold: false });
    const [a, b, c, d] = J([Float64Array.of(-2)]).outputs.map((o) => o[0]);
    assert.equal(a, Math.PI);
    assert.equal(b, -Math.PI);
    assert.ok(Object.is(c, 0) && Object.is(d, -0), `${c} ${d}`);
  });

  test('auto picks bytecode only for large programs, and it agrees on 60,000 vertices', () => {
    const small = randomScalarGraph({ numInputs: 4, numVertices: 200, numOutputs: 3, seed: 2 });
    assert.equal(compileGraphJacobian(small, 'markowitz').backend, 'generated');
    const big = randomScalarGraph({
      numInputs: 10,
      numVertices: 60_000,
      numOutputs: 10,
      seed: 2,
      inputOperandRate: 0.02,
    });
    const x = big.inputs.map((_i, k) => ({ shape: [] as number[], data: Float64Array.of(0.1 * k) }));
    const huge = fluxKernel(4000);
    const J = compileGraphJacobian(huge, 'markowitz', { format: 'sparse' });
    assert.ok(J.stats.instructions > BYTECODE_INSTRUCTIONS, `${J.stats.instructions} instructions`);
    assert.equal(J.backend, 'bytecode');
    sameResults('random 60k', big, 'markowitz', [x], true);
  });
});
