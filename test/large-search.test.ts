import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { fluxKernel, rk4Lorenz } from '../bench/scale/families.js';
import { autoOrder } from '../src/compile/choose.js';
import { countOrder } from '../src/elimination/count.js';
import { greedyHeuristicOrder, HEURISTICS } from '../src/elimination/heuristics.js';
import { SparseScalarEngine } from '../src/elimination/sparse-engine.js';
import { localJacobians } from '../src/evaluate/linearize.js';
import { eliminableVertices, type Graph } from '../src/graph/graph.js';
import { exactSearch } from '../src/search/exact.js';
import {
  isLargeSearchGraph,
  LARGE_GRAPH_VERTICES,
  largeGraphSearch,
  permanentLowerBound,
} from '../src/search/large.js';
import { optimizeOrder, quickOptimize } from '../src/search/portfolio.js';
import { searchProblem } from '../src/search/problem.js';
import { localityOrder, windowedSearch } from '../src/search/windowed.js';
import { TASKS, taskGraph } from '../src/tasks/index.js';
import { randomScalarGraph } from '../src/tasks/random-graphs.js';
import { Rng } from '../src/util/random.js';

const engineOf = (graph: Graph): SparseScalarEngine =>
  SparseScalarEngine.fromGraph(graph, localJacobians(graph, null));

const smallGraphs = (): Graph[] => [
  rk4Lorenz(3),
  fluxKernel(12),
  ...[0, 0.3].map((structuralFraction) =>
    randomScalarGraph({ numInputs: 4, numVertices: 300, numOutputs: 3, seed: 7, structuralFraction }),
  ),
];

describe('windowed search', () => {
  test('a window engine costs every order of its vertices as the whole engine does', () => {
    const rng = new Rng(3);
    for (const graph of smallGraphs()) {
      const base = engineOf(graph);
      const order = greedyHeuristicOrder(graph, 'markowitz', base.clone()).order;
      const state = base.clone();
      for (let at = 0; at < order.length; at += 10) {
        const ids = order.slice(at, at + 10);
        const local = state.extractLocal(ids);
        // A random permutation of the window, costed on both engines.
        const perm = ids.map((_x, k) => k + 1).sort(() => rng.float() - 0.5);
        const whole = state.clone();
        const localCopy = local.clone();
        let a = 0;
        let b = 0;
        for (const k of perm) {
          a += whole.eliminate(ids[k - 1]);
          b += localCopy.eliminate(k);
        }
        assert.equal(b, a);
        for (const v of ids) state.eliminate(v);
      }
    }
  });

  test('localityOrder keeps every vertex cost; windowedSearch never gets worse and its count is exact', () => {
    for (const graph of smallGraphs()) {
      const base = engineOf(graph);
      const start = greedyHeuristicOrder(graph, 'markowitz', base.clone());
      const reordered = localityOrder(base, start.order);
      assert.deepEqual(
        [...reordered.order].sort((x, y) => x - y),
        eliminableVertices(graph),
      );
      const steps = countOrder(graph, reordered.order).steps;
      for (const s of steps) assert.equal(s.multiplications, reordered.costs[s.vertex]);
      const r = windowedSearch(base, start, { seed: 2, maxWindows: 40 });
      assert.ok(r.multiplications <= start.multiplications);
      assert.equal(countOrder(graph, r.order).multiplications, r.multiplications);
      assert.ok(r.windows <= 40);
    }
  });

  test('a window size that is not a positive integer is a one-line RangeError, not a hang', () => {
    const graph = fluxKernel(12);
    const base = engineOf(graph);
    const start = greedyHeuristicOrder(graph, 'markowitz', base.clone());
    for (const windowSize of [0, -3, 2.5, NaN])
      assert.throws(
        () => windowedSearch(base, start, { windowSize }),
        /windowSize must be a positive integer/,
      );
  });
});

describe('large-graph search', () => {
  const graph = rk4Lorenz(8); // just above LARGE_GRAPH_VERTICES
  test('takes the scalable path above the threshold and beats or ties every heuristic', async () => {
    assert.ok(graph.vertices.length > LARGE_GRAPH_VERTICES);
    assert.ok(isLargeSearchGraph(graph, 'native'));
    assert.ok(!isLargeSearchGraph(rk4Lorenz(6), 'native'));
    const r = largeGraphSearch(graph, { maxWindows: 30 });
    assert.equal(countOrder(graph, r.order).multiplications, r.multiplications);
    for (const h of HEURISTICS) {
      const m = greedyHeuristicOrder(graph, h).multiplications;
      assert.equal(r.baselines[h], m);
      assert.ok(r.multiplications <= m, h);
    }
    assert.ok(r.lowerBound <= r.multiplications);
    const o = await optimizeOrder(graph, { budgetSeconds: 1 });
    assert.equal(o.stats?.path, 'large');
    assert.equal(countOrder(graph, o.order ?? []).multiplications, o.multiplications);
    assert.ok((o.multiplications ?? Infinity) <= greedyHeuristicOrder(graph, 'markowitz').multiplications);
  });

  test('a deadline already passed still returns the Markowitz order, valid and counted', () => {
    const r = largeGraphSearch(graph, { deadline: performance.now() - 1 });
    assert.equal(r.foundBy, 'markowitz');
    assert.equal(r.multiplications, greedyHeuristicOrder(graph, 'markowitz').multiplications);
    assert.equal(r.stats.windows, 0);
  });

  test('the permanent-edge lower bound never exceeds a proven optimum, and is not always 0', () => {
    const graphs = [
      taskGraph(TASKS.find((t) => t.name === 'PropaneCombustion') ?? TASKS[0], 'ts'),
      ...[1, 2, 3, 4].map((seed) =>
        randomScalarGraph({ numInputs: 3, numVertices: 24, numOutputs: 4, seed }),
      ),
    ];
    let positive = 0;
    for (const g of graphs) {
      const exact = exactSearch(searchProblem(g, 'native'), { timeLimitMs: 20_000 });
      assert.equal(exact.certificate, 'optimal');
      const bound = permanentLowerBound(g, localJacobians(g, null));
      assert.ok(bound <= (exact.multiplications ?? 0));
      if (bound > 0) positive++;
    }
    assert.ok(positive > 0);
  });
});

describe('auto order under a work budget', () => {
  test('is the same order every time, small and large', () => {
    for (const g of [taskGraph(TASKS[0], 'ts'), rk4Lorenz(8), fluxKernel(120)]) {
      const a = autoOrder(g);
      assert.deepEqual(autoOrder(g), a);
      assert.deepEqual(
        [...a].sort((x, y) => x - y),
        eliminableVertices(g),
      );
    }
    const g = taskGraph(TASKS[2], 'ts');
    const work = { exactStates: 1000, eliminations: 20_000, blockEliminations: 2000 };
    assert.deepEqual(quickOptimize(g, work).order, quickOptimize(g, work).order);
  });
});
