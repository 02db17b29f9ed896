import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  compileCount,
  compileGraphJacobian,
  countOrder,
  eliminableVertices,
  jacobian,
  jacobianAtPoint,
  np,
  resolveOrder,
  ShapeError,
  type Graph,
  type Tensor,
  type VertexId,
  NonFiniteError,
  scalarTensor,
  trace,
  type Traced,
} from '../src/index.js';
import { compiledCost } from '../src/search/index.js';
import { buildEliminationProgram } from '../src/compile/build.js';
import { annealCompiledOrder } from '../src/compile/anneal-compiled.js';
import { cheapestCompiledOrder } from '../src/compile/choose.js';
import { ADD, MUL, STORE, measureOpCosts, predictNanoseconds, programWork } from '../src/compile/op-costs.js';
import type { Program } from '../src/compile/program.js';
import { primalOnly } from '../bench/report/runtime.js';
import { TASKS, taskGraph } from '../src/tasks/index.js';
import { randomScalarGraph, randomTensorGraph } from '../src/tasks/random-graphs.js';
import { Rng } from '../src/util/random.js';
import { pack } from './batch-helpers.js';

const close = (a: number, b: number): boolean =>
  Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b));

/** Products in the derivative part of a program's instructions (after dead-code removal). */
function derivativeProducts(program: Program): number {
  let n = 0;
  for (const ins of program.instrs)
    if (ins.kind === 'sum' && ins.dst >= program.derivativeFrom)
      for (const t of ins.terms) if (Array.isArray(t)) n++;
  return n;
}

/** Compiled outputs and Jacobian equal the interpreter's, point by point. */
function checkAgainstInterpreter(
  name: string,
  graph: Graph,
  target: Parameters<typeof compileGraphJacobian>[1],
  order: VertexId[],
  points: Tensor[][],
  fold = true,
): void {
  const J = compileGraphJacobian(graph, target, { fold });
  const result = J(pack(points));
  assert.equal(result.batch, points.length);
  points.forEach((point, b) => {
    const ref = jacobianAtPoint(graph, point, order);
    ref.outputs.forEach((t, i) =>
      t.data.forEach((x, k) =>
        assert.ok(close(x, result.outputs[i][b * t.data.length + k]), `${name}: output ${i} element ${k}`),
      ),
    );
    ref.jacobian.forEach((row, i) =>
      row.forEach((block, j) =>
        block.data.forEach((x, k) => {
          const y = result.jacobian[i][j][b * block.data.length + k];
          assert.ok(close(x, y), `${name}: point ${b}, d out ${i} / d in ${j} entry ${k}: ${y} vs ${x}`);
        }),
      ),
    );
  });
}

describe('compiled Jacobians', () => {
  for (const task of TASKS) {
    test(`${task.name}: every order and both tape baselines equal the interpreter (batch 1 and 3)`, () => {
      const graph = taskGraph(task, 'ts');
      const rng = new Rng(11);
      const points = [task.samplePoint(rng), task.samplePoint(rng), task.samplePoint(rng)];
      const random = rng.shuffle(eliminableVertices(graph));
      const name = task.name;
      for (const [label, order] of [
        ['forward', resolveOrder(graph, 'forward')],
        ['reverse', resolveOrder(graph, 'reverse')],
        ['markowitz', resolveOrder(graph, 'markowitz')],
        ['random', random],
      ] as const) {
        for (const fold of [true, false]) {
          const name = `${task.name} ${label}${fold ? '' : ' unfolded'}`;
          checkAgainstInterpreter(name, graph, order, order, points, fold);
          checkAgainstInterpreter(`${name} batch 1`, graph, order, order, points.slice(0, 1), fold);
        }
        // Unfolded, the generated code performs exactly the native model's multiplications.
        assert.equal(
          compileGraphJacobian(graph, order, { fold: false }).multiplications,
          countOrder(graph, order).multiplications,
          `${task.name} ${label}`,
        );
        // Folded, it performs exactly the multiplications its statistics report: counted here in the program.
        const folded = compileGraphJacobian(graph, order);
        const performed = derivativeProducts(buildEliminationProgram(graph, order));
        assert.equal(folded.stats.derivativeMultiplications, performed, name);
        assert.ok(performed <= folded.multiplications);
        assert.ok(folded.multiplications <= countOrder(graph, order).multiplications);
      }
      const reverse = resolveOrder(graph, 'reverse');
      for (const fold of [true, false]) {
        checkAgainstInterpreter(`${task.name} tape-forward`, graph, 'tape-forward', reverse, points, fold);
        checkAgainstInterpreter(`${task.name} tape-reverse`, graph, 'tape-reverse', reverse, points, fold);
      }
    });
  }

  test('random scalar and tensor graphs, random orders, both layouts', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const graph =
        seed % 2
          ? randomScalarGraph({ numInputs: 3, numVertices: 25, numOutputs: 3, seed, structuralFraction: 0.2 })
          : randomTensorGraph({ numInputs: 3, numVertices: 14, numOutputs: 2, seed });
      const rng = new Rng(seed);
      const points = Array.from({ length: 4 }, () =>
        graph.inputs.map((x) => ({
          shape: x.shape,
          data: Float64Array.from({ length: x.shape.reduce((p, d) => p * d, 1) }, () => rng.float() - 0.5),
        })),
      );
      const order = rng.shuffle(eliminableVertices(graph));
      for (const fold of [true, false]) {
        checkAgainstInterpreter(`random #${seed} fold ${fold}`, graph, order, order, points, fold);
        const batchLayout = compileGraphJacobian(graph, order, { layout: 'batch', fold })(pack(points));
        const pointLayout = compileGraphJacobian(graph, order, { layout: 'point', fold })(pack(points));
        assert.deepEqual(batchLayout.jacobian, pointLayout.jacobian, `random #${seed}: layouts agree`);
        // Tiny chunks: most values cross function boundaries through the scratch array.
        const tiny = compileGraphJacobian(graph, order, { fold, chunkChars: 40 })(pack(points));
        assert.deepEqual(tiny.jacobian, pointLayout.jacobian, `random #${seed}: chunking agrees`);
        assert.deepEqual(tiny.outputs, pointLayout.outputs, `random #${seed}: chunking agrees`);
      }
    }
  });

  test('large batches run in tiles of points: tiny chunks over 3000 points agree with one chunk', () => {
    const graph = randomScalarGraph({ numInputs: 3, numVertices: 40, numOutputs: 3, seed: 5 });
    const rng = new Rng(5);
    const inputs = graph.inputs.map(() => Float64Array.from({ length: 3000 }, () => rng.float() - 0.5));
    const order = resolveOrder(graph, 'markowitz');
    const whole = compileGraphJacobian(graph, order)(inputs);
    // With 40-character chunks about 70 values cross chunks per point, so 3000 points take seven
    // tiles of the scratch array.
    const tiled = compileGraphJacobian(graph, order, { chunkChars: 40 })(inputs);
    assert.deepEqual(tiled.jacobian, whole.jacobian);
    assert.deepEqual(tiled.outputs, whole.outputs);
  });

  test('compiledCost counts the operations of the compiled program', () => {
    for (const task of TASKS.slice(0, 8)) {
      const graph = taskGraph(task, 'jaxpr');
      for (const spec of ['forward', 'reverse', 'markowitz'] as const) {
        const order = resolveOrder(graph, spec);
        const cost = compiledCost(graph, order);
        const { stats } = compileGraphJacobian(graph, order);
        assert.equal(cost.multiplications, stats.derivativeMultiplications, `${task.name} ${spec}`);
        assert.equal(cost.allMultiplications, stats.multiplications);
        assert.equal(cost.additions, stats.additions);
        assert.equal(cost.calls, stats.calls);
        assert.equal(cost.total, cost.allMultiplications + cost.additions + cost.calls + cost.stores);
        // Folding only removes work.
        const unfolded = compiledCost(graph, order, { fold: false });
        assert.ok(unfolded.multiplications >= cost.multiplications && unfolded.total >= cost.total);
      }
    }
  });

  test('programWork prices the same operations compiledCost counts, per kind', () => {
    for (const task of TASKS.slice(0, 8)) {
      const graph = taskGraph(task, 'jaxpr');
      const order = resolveOrder(graph, 'markowitz');
      const cost = compiledCost(graph, order);
      const work = programWork(buildEliminationProgram(graph, order));
      assert.equal(work[MUL] ?? 0, cost.allMultiplications, task.name);
      assert.equal(work[ADD] ?? 0, cost.additions, task.name);
      assert.equal(work[STORE] ?? 0, cost.stores, task.name);
      const calls = Object.entries(work)
        .filter(([k]) => k !== MUL && k !== ADD && k !== STORE)
        .reduce((n, [, c]) => n + c, 0);
      assert.equal(calls, cost.calls, task.name);
      // Priced with unit costs, the prediction is the operation count.
      const unit = new Map(Object.keys(work).map((k) => [k, 1]));
      assert.equal(predictNanoseconds(work, unit), cost.total);
    }
    // Measured prices: one per kind asked for, plus the cheap kinds, all finite and non-negative.
    const prices = measureOpCosts(['Math.sin($0)', '$0**$1'], 3);
    for (const key of ['Math.sin($0)', '$0**$1', MUL, ADD, STORE])
      assert.ok(Number.isFinite(prices.get(key)) && (prices.get(key) as number) >= 0, key);
  });

  test("the cheapest compiled order is never costlier than forward, reverse or Markowitz; 'auto' uses it", () => {
    for (const task of TASKS.slice(0, 8)) {
      const graph = taskGraph(task, 'jaxpr');
      const baseline = Math.min(
        ...(['forward', 'reverse', 'markowitz'] as const).map(
          (s) => compiledCost(graph, resolveOrder(graph, s)).total,
        ),
      );
      const choice = cheapestCompiledOrder(graph, [{ source: 'identity', order: eliminableVertices(graph) }]);
      assert.equal(
        compiledCost(graph, choice.order).total,
        Math.min(baseline, ...choice.candidates.map((c) => c.total)),
      );
      assert.ok(compiledCost(graph, choice.order).total <= baseline, task.name);
    }
    const graph = taskGraph(
      TASKS.find((t) => t.name === 'HumanHeartDipole') as (typeof TASKS)[number],
      'jaxpr',
    );
    const auto = compileGraphJacobian(graph, 'auto', { searchEffort: 0.5 });
    const forward = compileGraphJacobian(graph, 'forward');
    const reverse = compileGraphJacobian(graph, 'reverse');
    assert.ok(
      compiledCost(graph, auto.order).total <=
        Math.min(compiledCost(graph, forward.order).total, compiledCost(graph, reverse.order).total),
    );
  });

  test('annealing on the compiled operation count improves a poor order and reproduces', () => {
    const graph = taskGraph(TASKS.find((t) => t.name === 'RoeFlux_1d') as (typeof TASKS)[number], 'jaxpr');
    const start = resolveOrder(graph, 'forward');
    const a = annealCompiledOrder(graph, start, { maxMoves: 300, seed: 3 });
    const b = annealCompiledOrder(graph, start, { maxMoves: 300, seed: 3 });
    assert.deepEqual(a.order, b.order);
    assert.equal(a.moves, 300);
    // The reported total is the order's own compiled cost (recounted), below the start's, and the order is valid.
    assert.equal(compiledCost(graph, a.order).total, a.total);
    assert.ok(a.total < compiledCost(graph, start).total);
    assert.doesNotThrow(() => countOrder(graph, a.order));
  });

  test('the outputs-only program (the runtime floor) computes the same outputs and no Jacobian entries', () => {
    for (const task of TASKS.slice(0, 8)) {
      const graph = taskGraph(task, 'jaxpr');
      const rng = new Rng(4);
      const inputs = pack([task.samplePoint(rng), task.samplePoint(rng)]);
      const floor = primalOnly(graph)(inputs, 2);
      const full = compileGraphJacobian(graph, 'reverse')(inputs);
      assert.deepEqual(floor.outputs, full.outputs, task.name);
      assert.ok(
        floor.jacobian.every((row) => row.every((block) => block.every((x) => x === 0))),
        task.name,
      );
    }
  });

  test('cache hits do not recompile', () => {
    const graph = randomScalarGraph({ numInputs: 2, numVertices: 12, numOutputs: 2, seed: 99 });
    const order = resolveOrder(graph, 'markowitz');
    compileGraphJacobian(graph, order);
    const before = compileCount();
    compileGraphJacobian(graph, [...order]);
    compileGraphJacobian(graph, 'markowitz');
    assert.equal(compileCount(), before);
    compileGraphJacobian(graph, 'reverse');
    assert.equal(compileCount(), before + (order.join() === resolveOrder(graph, 'reverse').join() ? 0 : 1));
  });
});

describe('jacobian(fn, { inputs, order })', () => {
  const fn = (W: Parameters<typeof np.matmul>[0], x: Parameters<typeof np.matmul>[1]) => [
    np.sum(np.tanh(np.matmul(W, x))),
    np.sin(x),
  ];
  const inputs = [
    { name: 'W', shape: [2, 3] },
    { name: 'x', shape: [3] },
  ];

  test('named or positional inputs, typed arrays or nested arrays, batch inferred', () => {
    const J = jacobian(fn, { inputs, order: 'auto' });
    const W = [
      [0.1, 0.2, 0.3],
      [0.4, 0.5, 0.6],
    ];
    const x = [0.3, -0.2, 0.1];
    const a = J({ W: [W, W], x: [x, x] });
    const b = J([Float64Array.from([...W.flat(), ...W.flat()]), Float64Array.from([...x, ...x])]);
    assert.equal(a.batch, 2);
    assert.deepEqual(a.jacobian, b.jacobian);
    // d sum(tanh(Wx)) / dx_k = Σ_i (1 − tanh²(W_i·x)) W_ik
    const t = W.map((row) => Math.tanh(row.reduce((s, w, k) => s + w * x[k], 0)));
    for (let k = 0; k < 3; k++) {
      const expected = t.reduce((s, ti, i) => s + (1 - ti * ti) * W[i][k], 0);
      assert.ok(Math.abs(a.jacobian[0][1][3 + k] - expected) < 1e-14);
    }
    assert.ok(J.multiplications <= compileGraphJacobian(J.graph, 'reverse').multiplications);
  });

  test('`into` reuses an earlier result: same values, same arrays, wrong shapes refused', () => {
    for (const layout of ['point', 'batch'] as const) {
      const J = jacobian(fn, { inputs, order: 'markowitz', layout });
      const rng = new Rng(3);
      const point = () => [
        Float64Array.from({ length: 12 }, () => rng.float() - 0.5),
        Float64Array.from({ length: 6 }, () => rng.float()),
      ];
      const first = J(point());
      const next = point();
      const fresh = J(next);
      const reused = J(next, first);
      assert.deepEqual(reused.jacobian, fresh.jacobian);
      assert.deepEqual(reused.outputs, fresh.outputs);
      assert.equal(reused.jacobian[0][1], first.jacobian[0][1]);
      assert.equal(reused.outputs[1], first.outputs[1]);
      // A result for another batch size does not fit.
      const single = J([new Float64Array(6), new Float64Array(3)]);
      assert.throws(
        () => J(next, single),
        (e: unknown) => e instanceof ShapeError && /'into'/.test(e.message),
      );
    }
  });

  test('bad batches give one clear error', () => {
    const J = jacobian(fn, { inputs, order: 'reverse' });
    assert.throws(
      () =>
        J([
          [1, 2, 3, 4, 5],
          [1, 2, 3],
        ]),
      (e: unknown) => e instanceof ShapeError && /input 1 \(W\) has 5 values/.test(e.message),
    );
    assert.throws(() => J({ W: new Float64Array(6) }), /missing input 'x'/);
    assert.throws(() => J([new Float64Array(12), new Float64Array(3)]), /batch of 1, the others 2/);
    const x = Float64Array.of(1, 2, NaN);
    // IEEE by default: a NaN input gives NaN results; checkFinite names the input.
    assert.ok(J([new Float64Array(6), x]).outputs[0].some((v) => Number.isNaN(v)));
    const checked = jacobian(fn, { inputs, order: 'reverse', checkFinite: true });
    assert.throws(() => checked([new Float64Array(6), x]), /input 2 \(x\) is not finite at value 2: NaN/);
    x[2] = -Infinity;
    assert.throws(() => checked([new Float64Array(6), x]), /is not finite at value 2: -Infinity/);
  });
});

describe('one non-finite contract for the interpreter and compiled code', () => {
  test('unfolded code is IEEE-exact even where a structural zero meets an infinity', () => {
    // d/dy x/(y − y): the partial of y − y w.r.t. y is 1 − 1 = 0, times −x/0² = −Inf: NaN in IEEE.
    // Folding (the default) drops products with a constant 0, so folded code returns 0 there.
    const graph = trace((x: Traced, y: Traced) => np.div(x, np.sub(y, y)), [[], []]);
    const order = resolveOrder(graph, 'forward');
    const ref = jacobianAtPoint(graph, [scalarTensor(1), scalarTensor(3)], order);
    assert.ok(Number.isNaN(ref.jacobian[0][1].data[0]));
    const unfolded = compileGraphJacobian(graph, order, { fold: false })([
      Float64Array.of(1),
      Float64Array.of(3),
    ]);
    assert.ok(Number.isNaN(unfolded.jacobian[0][1][0]));
  });

  // log at 0, log of a negative, a power of a negative base, a quotient by zero, and overflow.
  const cases: { name: string; fn: (...xs: Traced[]) => Traced | Traced[]; at: number[] }[] = [
    { name: 'log at 0', fn: (x) => np.log(x), at: [0] },
    { name: 'log of a negative', fn: (x, y) => np.mul(np.log(np.sub(x, y)), y), at: [1, 2] },
    { name: 'pow(-1, y)', fn: (x, y) => np.pow(x, y), at: [-1, 0.5] },
    { name: 'division by 0', fn: (x, y) => np.div(x, y), at: [1, 0] },
    { name: 'overflow', fn: (x) => np.exp(np.mul(x, x)), at: [40] },
  ];
  for (const c of cases) {
    test(`${c.name}: equal IEEE results by default, the same error with checkFinite`, () => {
      const specs = c.at.map(() => []);
      const graph = trace(c.fn, specs);
      const point = c.at.map((v) => scalarTensor(v));
      const order = resolveOrder(graph, 'forward');
      const ref = jacobianAtPoint(graph, point, order);
      for (const backend of ['generated', 'bytecode'] as const) {
        const J = compileGraphJacobian(graph, order, { backend });
        const got = J(c.at.map((v) => Float64Array.of(v)));
        ref.outputs.forEach((t, i) => assert.ok(Object.is(t.data[0], got.outputs[i][0]), `${c.name} output`));
        ref.jacobian.forEach((row, i) =>
          row.forEach((block, j) =>
            block.data.forEach((v, k) => {
              const w = got.jacobian[i][j][k];
              assert.ok(Object.is(v, w) || Math.abs(v - w) <= 1e-12 * Math.abs(v), `${c.name}: ${w} vs ${v}`);
            }),
          ),
        );
        let message = '';
        try {
          jacobianAtPoint(graph, point, order, { checkFinite: true });
        } catch (e) {
          message = (e as Error).message;
        }
        assert.ok(message.length > 0, `${c.name}: the interpreter reports it`);
        const checked = compileGraphJacobian(graph, order, { backend, checkFinite: true });
        assert.throws(
          () => checked(c.at.map((v) => Float64Array.of(v))),
          (e: unknown) => e instanceof NonFiniteError && e.message === `${message}, point 1 of the batch`,
        );
      }
    });
  }
});
