import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { countOrderWith, type Graph, type VertexId } from '../src/index.js';
import { chainedHeuristicOrder, HEURISTIC_CHAINS } from '../src/elimination/heuristics.js';
import { SparseScalarEngine } from '../src/elimination/sparse-engine.js';
import { localJacobians } from '../src/evaluate/linearize.js';
import { eliminableVertices } from '../src/graph/graph.js';
import { improveOrders } from '../src/search/improve.js';
import { optimizeOrder, portfolioStarts } from '../src/search/portfolio.js';
import { orderCost, searchProblem, type Game } from '../src/search/problem.js';
import { relinkOrders } from '../src/search/relink.js';
import { exactWindowOrder, windowedSearch } from '../src/search/windowed.js';
import { findTask, taskGraph } from '../src/tasks/index.js';
import { randomScalarGraph } from '../src/tasks/random-graphs.js';
import { Rng } from '../src/util/random.js';

const graphOf = (seed: number, numVertices = 24): Graph =>
  randomScalarGraph({ numInputs: 3, numVertices, numOutputs: 2, seed, window: 6, noDeadCode: true });

const isPermutationOf = (order: readonly VertexId[], of: readonly VertexId[]): boolean =>
  order.length === of.length &&
  [...order].sort((a, b) => a - b).join() === [...of].sort((a, b) => a - b).join();

/** Every order of a small game, costed one by one: the independent reference for the window DP. */
function bruteForceMin(game: Game): number {
  let best = Infinity;
  const walk = (prefix: VertexId[], rest: VertexId[]): void => {
    if (rest.length === 0) best = Math.min(best, orderCost(game, prefix));
    rest.forEach((v, i) => walk([...prefix, v], [...rest.slice(0, i), ...rest.slice(i + 1)]));
  };
  walk([], [...game.eliminable]);
  return best;
}

describe('portfolio: seeds, exact windows, relinking', () => {
  test('RobotArm_6DOF reaches 221 (proven optimal by the static bound) with a seeded move budget', async () => {
    const graph = taskGraph(findTask('RobotArm_6DOF')!, 'jaxpr');
    const r = await optimizeOrder(graph, { costModel: 'alphagrad', maxMoves: 2000, seed: 1 });
    assert.equal(r.multiplications, 221);
    assert.equal(countOrderWith(graph, r.order ?? [], 'alphagrad').multiplications, 221);
    assert.equal(r.certificate, 'optimal');
  });

  test('tie-break chains give valid orders whose reported counts recount', () => {
    for (const seed of [1, 2]) {
      const graph = graphOf(seed, 40);
      for (const chain of HEURISTIC_CHAINS) {
        const r = chainedHeuristicOrder(graph, chain);
        assert.ok(isPermutationOf(r.order, eliminableVertices(graph)), chain.name);
        assert.equal(r.multiplications, countOrderWith(graph, r.order, 'native').multiplications, chain.name);
      }
    }
  });

  test('exactWindowOrder is the optimum of every order, found by enumeration', () => {
    for (const seed of [1, 2, 3, 4]) {
      const problem = searchProblem(graphOf(seed, 9), 'native');
      const r = exactWindowOrder(problem);
      assert.equal(r.multiplications, bruteForceMin(problem));
      assert.equal(orderCost(problem, r.order), r.multiplications);
    }
  });

  test('exact-window LNS keeps a valid order, never gets worse, and its count recounts', () => {
    for (const seed of [1, 2, 3]) {
      const graph = graphOf(seed, 60);
      const problem = searchProblem(graph, 'native');
      const start = [...problem.eliminable].reverse();
      const base = SparseScalarEngine.fromGraph(graph, localJacobians(graph, null));
      const before = orderCost(problem, start);
      const r = windowedSearch(
        base,
        { order: start, multiplications: before },
        { windowSize: 8, exact: true },
      );
      assert.ok(isPermutationOf(r.order, problem.eliminable));
      assert.ok(r.multiplications <= before);
      assert.equal(countOrderWith(graph, r.order, 'native').multiplications, r.multiplications);
    }
  });

  test('path relinking: intermediate orders are valid and cost what is reported', () => {
    const rng = new Rng(5);
    for (const seed of [1, 2, 3]) {
      const graph = graphOf(seed, 30);
      for (const model of ['native', 'alphagrad'] as const) {
        const problem = searchProblem(graph, model);
        const a = rng.shuffle(problem.eliminable);
        const b = rng.shuffle(problem.eliminable);
        const r = relinkOrders(problem, a, b);
        assert.ok(r.best !== null && r.steps > 0);
        assert.ok(isPermutationOf(r.best.order, problem.eliminable));
        assert.equal(countOrderWith(graph, r.best.order, model).multiplications, r.best.multiplications);
      }
    }
    const problem = searchProblem(graphOf(1, 30), 'native');
    assert.equal(relinkOrders(problem, problem.eliminable, problem.eliminable).best, null);
  });

  test('improveOrders: reproducible for a seed, never worse than its starts, and it recounts', () => {
    const graph = graphOf(7, 50);
    const problem = searchProblem(graph, 'alphagrad');
    const starts = portfolioStarts(problem, 1, [], { catalogue: false });
    const run = () => improveOrders(problem, starts, { seed: 3, maxMoves: 6000, roundMoves: 1500 });
    const r = run();
    assert.deepEqual(run().order, r.order);
    assert.ok(r.multiplications <= starts[0].multiplications);
    assert.ok(isPermutationOf(r.order, problem.eliminable));
    assert.equal(countOrderWith(graph, r.order, 'alphagrad').multiplications, r.multiplications);
    assert.ok(r.stats.rounds >= 2 && r.stats.windows > 0 && r.stats.relinks > 0);
    // Every part is a switch: with all off it is annealing alone.
    const off = improveOrders(problem, starts, {
      seed: 3,
      maxMoves: 6000,
      parts: { restarts: false, lns: false, relink: false },
    });
    assert.equal(off.stats.windows + off.stats.relinks, 0);
  });

  test('a given start order is used, and an invalid one is refused before any work', async () => {
    const graph = graphOf(3, 30);
    const problem = searchProblem(graph, 'native');
    const starts = portfolioStarts(problem, 1, [problem.eliminable]);
    assert.ok(starts.some((s) => s.source === 'start 1'));
    await assert.rejects(
      optimizeOrder(graph, { maxMoves: 10, starts: [problem.eliminable.slice(1)] }),
      /missing vertices/,
    );
  });
});
