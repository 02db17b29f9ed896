import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { countOrderWith, type CostModelName, type Graph, type VertexId } from '../src/index.js';
import { anneal } from '../src/search/anneal.js';
import { exactSearch, independentComponents } from '../src/search/exact.js';
import { greedyOrder } from '../src/search/greedy.js';
import { vertexLowerBounds } from '../src/search/lower-bound.js';
import { optimizeOrder } from '../src/search/portfolio.js';
import { searchProblem, type CostState, type SearchProblem } from '../src/search/problem.js';
import { findTask, taskGraph } from '../src/tasks/index.js';
import { randomScalarGraph, randomTensorGraph } from '../src/tasks/random-graphs.js';

/** The optimum by plain enumeration of every order (no pruning, no memo): the independent reference. */
function bruteForce(problem: SearchProblem): number {
  let best = Infinity;
  const n = problem.eliminable.length;
  const used = new Uint8Array(n);
  const walk = (state: CostState, cost: number, depth: number): void => {
    if (depth === n) {
      best = Math.min(best, cost);
      return;
    }
    for (let i = 0; i < n; i++) {
      if (used[i]) continue;
      const next = state.clone();
      const c = next.eliminate(problem.eliminable[i]);
      used[i] = 1;
      walk(next, cost + c, depth + 1);
      used[i] = 0;
    }
  };
  walk(problem.initial(), 0, 0);
  return best;
}

function smallGraphs(): { name: string; graph: Graph }[] {
  const graphs: { name: string; graph: Graph }[] = [];
  for (let seed = 1; graphs.length < 30; seed++) {
    const graph = randomScalarGraph({
      numInputs: 3,
      numVertices: 9,
      numOutputs: 2,
      seed,
      structuralFraction: seed % 3 === 0 ? 0.2 : 0,
      noDeadCode: seed % 2 === 0,
    });
    const n = searchProblem(graph, 'native').eliminable.length;
    if (n >= 4 && n <= 8) graphs.push({ name: `scalar #${seed}`, graph });
  }
  for (let seed = 1; graphs.length < 60; seed++) {
    const graph = randomTensorGraph({ numInputs: 3, numVertices: 8, numOutputs: 2, seed });
    const n = searchProblem(graph, 'native').eliminable.length;
    if (n >= 4 && n <= 7) graphs.push({ name: `tensor #${seed}`, graph });
  }
  return graphs;
}

describe('exact search', () => {
  const graphs = smallGraphs();
  for (const costModel of ['native', 'alphagrad'] as CostModelName[]) {
    test(`equals brute-force enumeration on ${graphs.length} random graphs with ≤ 8 intermediates (${costModel})`, () => {
      for (const { name, graph } of graphs) {
        const problem = searchProblem(graph, costModel);
        const r = exactSearch(problem);
        const optimum = bruteForce(problem);
        assert.equal(r.certificate, 'optimal', name);
        assert.equal(
          r.multiplications,
          optimum,
          `${name}: exact ${r.multiplications}, brute force ${optimum}`,
        );
        // The returned order really costs that much, by the independent order counter.
        assert.equal(countOrderWith(graph, r.order as VertexId[], costModel).multiplications, optimum, name);
        // ... and no heuristic beats it.
        for (const h of [
          greedyOrder(problem),
          greedyOrder(problem, { score: 'cost' }),
          anneal(problem, { seed: 3, maxMoves: 300, timeLimitMs: 10_000 }),
        ]) {
          assert.ok(
            h.multiplications >= optimum,
            `${name}: a heuristic found ${h.multiplications} < optimum ${optimum}`,
          );
        }
      }
    });
  }

  test('the alphagrad model is solved by enumeration where its state depends on the order', () => {
    const problem = searchProblem(
      randomTensorGraph({ numInputs: 3, numVertices: 8, numOutputs: 2, seed: 2 }),
      'alphagrad',
    );
    assert.equal(problem.orderIndependent, false);
    assert.equal(exactSearch(problem).certificate, 'optimal');
    const big = searchProblem(taskGraph(findTask('f')!, 'jaxpr'), 'alphagrad');
    assert.throws(
      () => exactSearch(big),
      /depends on the elimination order .* at most 11 eliminable vertices, this graph has 75/,
    );
  });

  test('static lower bounds reproduce the published bounds and optima of the scalar paper graphs', () => {
    const bound = (task: string): number =>
      [...vertexLowerBounds(searchProblem(taskGraph(findTask(task)!, 'jaxpr'), 'alphagrad')).values()].reduce(
        (s, x) => s + x,
        0,
      );
    // data/paper/README "Known optima and lower bounds": 223, 221, 262; 148 and 88 are optimal.
    assert.deepEqual(
      ['RoeFlux_1d', 'RobotArm_6DOF', 'g', 'HumanHeartDipole', 'PropaneCombustion'].map(bound),
      [223, 221, 262, 148, 88],
    );
  });

  test('independent groups are solved separately: PropaneCombustion is proven optimal at 88', () => {
    const problem = searchProblem(taskGraph(findTask('PropaneCombustion')!, 'jaxpr'), 'alphagrad');
    assert.equal(independentComponents(problem).length, 14);
    const r = exactSearch(problem, { timeLimitMs: 20_000 });
    assert.deepEqual([r.multiplications, r.certificate], [88, 'optimal']);
  });

  test('a budget that runs out gives the incumbent with a valid lower bound, never a false certificate', () => {
    const graph = randomScalarGraph({
      numInputs: 4,
      numVertices: 34,
      numOutputs: 3,
      seed: 7,
      window: 8,
      noDeadCode: true,
    });
    const problem = searchProblem(graph, 'native');
    const incumbent = greedyOrder(problem);
    const t0 = performance.now();
    const r = exactSearch(problem, { timeLimitMs: 200, incumbent });
    assert.ok(performance.now() - t0 < 5000, 'the time limit is respected');
    if (r.certificate === 'optimal') assert.fail('a 200 ms search should not finish on this graph');
    assert.ok(r.certificate.lowerBound <= (r.multiplications as number));
    assert.ok(
      r.certificate.lowerBound >= [...vertexLowerBounds(problem).values()].reduce((s, x) => s + x, 0),
    );
  });
});

describe('anytime search', () => {
  test('annealing is reproducible for a seed and never worse than its start', () => {
    const problem = searchProblem(taskGraph(findTask('RoeFlux_1d')!, 'ts'), 'native');
    const start = greedyOrder(problem);
    const a = anneal(problem, { seed: 5, maxMoves: 3000, timeLimitMs: 60_000, start: start.order });
    const b = anneal(problem, { seed: 5, maxMoves: 3000, timeLimitMs: 60_000, start: start.order });
    assert.deepEqual(a.order, b.order);
    assert.ok(a.multiplications <= start.multiplications);
    assert.equal(countOrderWith(problem.graph, a.order, 'native').multiplications, a.multiplications);
  });

  test('optimize --method auto respects its budget and certifies only with proof', async () => {
    const graph = taskGraph(findTask('RoeFlux_1d')!, 'ts');
    const t0 = performance.now();
    const r = await optimizeOrder(graph, {
      method: 'auto',
      budgetSeconds: 1,
      costModel: 'alphagrad',
      seed: 2,
    });
    const elapsed = (performance.now() - t0) / 1000;
    // Generous slack: worker start-up and a loaded machine; the point is that it stops near its budget.
    assert.ok(elapsed < 6, `took ${elapsed} s for a 1 s budget`);
    assert.ok((r.multiplications as number) <= 364, 'never worse than the best baseline (reverse, 364)');
    assert.equal(
      countOrderWith(graph, r.order as VertexId[], 'alphagrad').multiplications,
      r.multiplications,
    );
    // 98 interacting vertices: no proof is possible, so the certificate is the mincut bound.
    assert.deepEqual(r.certificate, { lowerBound: 223 });
  });

  test('optimize proves small graphs optimal and agrees with brute force', async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const graph = randomScalarGraph({
        numInputs: 3,
        numVertices: 9,
        numOutputs: 2,
        seed,
        noDeadCode: true,
      });
      // By work (exact-search states), so the proof does not depend on machine load.
      const r = await optimizeOrder(graph, { method: 'auto', maxStates: 1_000_000, seed });
      assert.equal(r.certificate, 'optimal');
      assert.equal(r.multiplications, bruteForce(searchProblem(graph, 'native')));
    }
  });
});
