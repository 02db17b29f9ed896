import assert from 'node:assert/strict';
import { test } from 'node:test';

import { countOrder } from '../src/elimination/count.js';
import { InvalidOrderError } from '../src/graph/errors.js';
import { eliminableVertices, type Graph, type VertexId } from '../src/graph/graph.js';
import { GraphBuilder } from '../src/primitives/builder.js';
import { exactSearch } from '../src/search/exact.js';
import { buildMilpModel } from '../src/search/milp-model.js';
import { milpOrder, MilpUnsupportedError } from '../src/search/milp.js';
import { optimizeOrder } from '../src/search/portfolio.js';
import { searchProblem } from '../src/search/problem.js';
import { randomScalarGraph, randomTensorGraph } from '../src/tasks/index.js';
import { Rng } from '../src/util/random.js';
import { fails } from './cli-helpers.js';

/** Small random scalar graphs, half of them with outputs that later vertices use (eliminable outputs). */
const GRAPHS: readonly Graph[] = Array.from({ length: 32 }, (_x, k) =>
  randomScalarGraph({
    numInputs: 2 + (k % 3),
    numVertices: 7 + (k % 4),
    numOutputs: 1 + (k % 3),
    seed: 100 + k,
    window: 4 + (k % 3),
    noDeadCode: k % 2 === 1,
  }),
);

const exactOptimum = (graph: Graph): number =>
  exactSearch(searchProblem(graph, 'native')).multiplications as number;

function shuffled(items: readonly VertexId[], rng: Rng): VertexId[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

test('the model prices any order exactly as the independent counter does', () => {
  const rng = new Rng(7);
  for (const graph of GRAPHS) {
    const model = buildMilpModel(graph);
    for (let t = 0; t < 4; t++) {
      const order = shuffled(eliminableVertices(graph), rng);
      const { colValue, cost } = model.encode(order);
      assert.equal(cost, countOrder(graph, order).multiplications);
      assert.equal(
        model.colCost.reduce((s, c, j) => s + c * colValue[j], 0),
        cost,
      );
      // Decoding may reorder incomparable vertices, which changes nothing.
      assert.equal(countOrder(graph, model.decode(colValue)).multiplications, cost);
      assert.equal(model.cycleCuts(colValue).lower.length, 0);
    }
  }
});

test('MILP optimum equals the exact A* optimum on 32 small random graphs, and its order recounts to it', async () => {
  for (const graph of GRAPHS) {
    const r = await milpOrder(graph, { warmStart: eliminableVertices(graph) });
    const optimum = exactOptimum(graph);
    assert.equal(r.multiplications, optimum);
    assert.equal(countOrder(graph, r.order).multiplications, r.multiplications);
    assert.ok(r.optimal);
    assert.equal(r.lowerBound, optimum);
  }
});

test('a node-limited solve never bounds above the optimum nor returns worse than its warm start', async () => {
  let gaps = 0;
  for (const graph of GRAPHS.slice(0, 12)) {
    const forward = eliminableVertices(graph);
    const r = await milpOrder(graph, { warmStart: forward, maxNodes: 1, maxRounds: 1 });
    const optimum = exactOptimum(graph);
    assert.ok(r.lowerBound <= optimum, `bound ${r.lowerBound} > optimum ${optimum}`);
    assert.ok(r.multiplications >= optimum);
    assert.ok(r.multiplications <= countOrder(graph, forward).multiplications);
    assert.equal(r.optimal, r.lowerBound === r.multiplications);
    if (!r.optimal) gaps++;
  }
  // The limit must bite somewhere, or this test would not test bounds.
  assert.ok(gaps > 0);
});

test('the warm start is the first incumbent: an optimal one comes back under any node limit', async () => {
  for (const graph of GRAPHS.slice(0, 8)) {
    const best = exactSearch(searchProblem(graph, 'native'));
    const r = await milpOrder(graph, { warmStart: best.order as VertexId[], maxNodes: 1, maxRounds: 1 });
    assert.equal(r.multiplications, best.multiplications);
  }
  await assert.rejects(milpOrder(GRAPHS[0], { warmStart: [1] }), InvalidOrderError);
});

test('cycle cuts: an order cyclic on comparable pairs gets a cut it violates', () => {
  // Two sources a, b both feeding c and d: no chain links them, so only a cut forbids a < c < b < d < a.
  const g = new GraphBuilder();
  const x = g.addInput('x', []);
  const a = g.addVertex('sin', [x], {});
  const b = g.addVertex('cos', [x], {});
  const c = g.addVertex('mul', [a, b], {});
  const d = g.addVertex('add', [a, b], {});
  const graph = g.build([g.addVertex('mul', [c, d], {})]);
  const model = buildMilpModel(graph);
  const id = (op: typeof a): VertexId => (op as { id: VertexId }).id;
  const colValue = model.encode([id(a), id(b), id(c), id(d)]).colValue.slice();
  const set = (u: typeof a, w: typeof a, first: boolean): void => {
    colValue[model.orderColumn(id(u), id(w)) as number] = first ? 1 : 0;
  };
  set(a, c, true);
  set(b, c, false);
  set(b, d, true);
  set(a, d, false);
  const cuts = model.cycleCuts(colValue);
  assert.equal(cuts.lower.length, 1);
  const activity = cuts.indices.reduce((s, col, k) => s + cuts.values[k] * colValue[col], 0);
  assert.ok(activity > cuts.upper[0], 'the cut must cut off the cyclic point');
  // Every true order satisfies it.
  const consistent = model.encode([id(a), id(c), id(b), id(d)]).colValue;
  assert.ok(cuts.indices.reduce((s, col, k) => s + cuts.values[k] * consistent[col], 0) <= cuts.upper[0]);
});

test('graphs the MILP does not model: a typed, one-line error (library and CLI)', async () => {
  const tensor = randomTensorGraph({ numInputs: 2, numVertices: 6, numOutputs: 1, seed: 1 });
  await assert.rejects(milpOrder(tensor), (err: Error) => {
    assert.ok(err instanceof MilpUnsupportedError);
    assert.match(err.message, /scalar graphs only/);
    assert.ok(!err.message.includes('\n'));
    return true;
  });
  const copies = randomScalarGraph({
    numInputs: 2,
    numVertices: 12,
    numOutputs: 1,
    seed: 3,
    structuralFraction: 0.4,
  });
  await assert.rejects(milpOrder(copies), MilpUnsupportedError);
  await assert.rejects(optimizeOrder(tensor, { method: 'milp' }), MilpUnsupportedError);
  assert.match(fails('optimize', 'RoeFlux_3d', '--method', 'milp'), /scalar graphs only/);
});

test("optimizeOrder({ method: 'milp' }) proves a small graph optimal", async () => {
  const graph = GRAPHS[3];
  const r = await optimizeOrder(graph, { method: 'milp', budgetSeconds: 600 });
  assert.equal(r.certificate, 'optimal');
  assert.equal(r.multiplications, exactOptimum(graph));
  assert.equal(countOrder(graph, r.order as VertexId[]).multiplications, r.multiplications);
});
