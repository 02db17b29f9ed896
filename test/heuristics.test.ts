import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { alphagradMarkowitzOrder } from '../src/alphagrad/engine.js';
import { markowitzOrderWith } from '../src/elimination/cost-model.js';
import { countOrder } from '../src/elimination/count.js';
import {
  bestHeuristicOrder,
  greedyHeuristicOrder,
  HEURISTICS,
  type HeuristicName,
} from '../src/elimination/heuristics.js';
import { greedyMinimumOrder, markowitzOrder } from '../src/elimination/markowitz.js';
import { ScalarCostEngine } from '../src/elimination/scalar-engine.js';
import { SparseScalarEngine } from '../src/elimination/sparse-engine.js';
import { localJacobians } from '../src/evaluate/linearize.js';
import { eliminableVertices, type Graph, type VertexId } from '../src/graph/graph.js';
import { TASKS, taskGraph } from '../src/tasks/index.js';
import { randomScalarGraph, randomTensorGraph } from '../src/tasks/random-graphs.js';
import { Rng } from '../src/util/random.js';
import { fluxKernel, rk4Lorenz } from '../bench/scale/families.js';

const randomGraphs = (structuralFraction: number): Graph[] =>
  Array.from({ length: 12 }, (_x, k) =>
    randomScalarGraph({
      numInputs: 2 + (k % 4),
      numVertices: 20 + 7 * k,
      numOutputs: 1 + (k % 3),
      seed: 100 + k,
      structuralFraction,
      window: 4 + (k % 9),
    }),
  );

function shuffled(xs: readonly number[], rng: Rng): number[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The O(V²) argmin scan the heap replaces: same score, ties to the lowest (or highest) id. */
function scanOrder(
  graph: Graph,
  score: (e: SparseScalarEngine, id: VertexId) => number,
  highest: boolean,
): VertexId[] {
  const e = SparseScalarEngine.fromGraph(graph, localJacobians(graph, null));
  const remaining = eliminableVertices(graph);
  const order: VertexId[] = [];
  while (remaining.length > 0) {
    let best = -1;
    let bestScore = Infinity;
    remaining.forEach((id, i) => {
      const s = score(e, id);
      if (s < bestScore || (highest && s === bestScore)) {
        bestScore = s;
        best = i;
      }
    });
    const [id] = remaining.splice(best, 1);
    e.eliminate(id);
    order.push(id);
  }
  return order;
}

const referenceScores: { [H in HeuristicName]: (e: SparseScalarEngine, id: VertexId) => number } = {
  markowitz: (e, id) => e.markowitzDegree(id),
  'markowitz-reverse': (e, id) => e.markowitzDegree(id),
  cost: (e, id) => e.eliminationCost(id),
  vlr: (e, id) => {
    const v = e.numInputs + id - 1;
    const inputs = e.predecessors(v).filter((u) => u < e.numInputs).length;
    const [, outs] = e.permanentDegrees(id);
    return e.markowitzDegree(id) - inputs * outs;
  },
  'fill-in': (e, id) => {
    const v = e.numInputs + id - 1;
    let n = 0;
    for (const u of e.predecessors(v)) for (const w of e.successors(v)) if (!e.hasEdge(u, w)) n++;
    return n;
  },
};

describe('SparseScalarEngine', () => {
  test('agrees with the bit-matrix engine step by step on random graphs and orders (copies included)', () => {
    const rng = new Rng(5);
    for (const graph of [...randomGraphs(0), ...randomGraphs(0.3)]) {
      const local = localJacobians(graph, null);
      const bits = ScalarCostEngine.fromGraph(graph, local);
      const sparse = SparseScalarEngine.fromGraph(graph, local);
      const order = shuffled(eliminableVertices(graph), rng);
      let total = 0;
      for (const v of order) {
        for (const id of eliminableVertices(graph)) {
          if (bits.isEliminated(id)) continue;
          assert.equal(sparse.eliminationCost(id), bits.eliminationCost(id));
          assert.equal(sparse.markowitzDegree(id), bits.markowitzDegree(id));
          assert.deepEqual(sparse.permanentDegrees(id), bits.permanentDegrees(id));
        }
        const c = sparse.eliminate(v);
        assert.equal(c, bits.eliminate(v));
        total += c;
        const node = graph.inputs.length + v - 1;
        assert.deepEqual(sparse.successors(node), bits.successors(node));
      }
      for (let n = 0; n < sparse.numNodes; n++)
        assert.deepEqual(sparse.predecessors(n), bits.predecessors(n));
      assert.equal(total, countOrder(graph, order).multiplications);
      const copy = sparse.clone();
      assert.deepEqual(copy.predecessors(sparse.numNodes - 1), sparse.predecessors(sparse.numNodes - 1));
    }
  });
});

describe('heuristic orders on a priority queue', () => {
  const graphs: [string, Graph][] = [
    ...TASKS.flatMap((t) => [
      [`${t.name} (ts)`, taskGraph(t, 'ts')] as [string, Graph],
      [`${t.name} (jaxpr)`, taskGraph(t, 'jaxpr')] as [string, Graph],
    ]),
    ...randomGraphs(0).map((g, k) => [`random ${k}`, g] as [string, Graph]),
    ...randomGraphs(0.3).map((g, k) => [`random copies ${k}`, g] as [string, Graph]),
    ['rk4 (4 steps)', rk4Lorenz(4)],
    ['flux (30 cells)', fluxKernel(30)],
  ];

  test('Markowitz is identical to the O(V²) scan on the bit-matrix engine, on all paper graphs and random graphs', () => {
    for (const [name, graph] of graphs) {
      const old = greedyMinimumOrder(
        eliminableVertices(graph),
        ScalarCostEngine.fromGraph(graph, localJacobians(graph, null)),
      );
      assert.deepEqual(markowitzOrder(graph), old, name);
    }
  });

  test("the alphagrad model's Markowitz order on scalar graphs without copies is the same order", () => {
    for (const graph of [
      ...randomGraphs(0),
      rk4Lorenz(3),
      fluxKernel(12),
      ...TASKS.slice(0, 5).map((t) => taskGraph(t, 'jaxpr')),
    ]) {
      const hasCopies = localJacobians(graph, null).some((edges) => edges.some((e) => e.block.structural));
      const scalar = graph.vertices.every((v) => v.shape.every((d) => d === 1));
      if (!scalar || hasCopies) continue;
      assert.deepEqual(markowitzOrderWith(graph, 'alphagrad'), alphagradMarkowitzOrder(graph));
    }
  });

  test('every heuristic equals its full argmin scan (ties included), and best-of-N is the cheapest', () => {
    for (const [name, graph] of graphs.filter(([n]) => !n.includes('(ts)'))) {
      let cheapest = Infinity;
      for (const h of HEURISTICS) {
        const r = greedyHeuristicOrder(graph, h);
        assert.deepEqual(
          r.order,
          scanOrder(graph, referenceScores[h], h === 'markowitz-reverse'),
          `${name} ${h}`,
        );
        const count = countOrder(graph, r.order).multiplications;
        if (graph.vertices.every((v) => v.shape.every((d) => d === 1)))
          assert.equal(r.multiplications, count);
        cheapest = Math.min(cheapest, count);
      }
      const best = bestHeuristicOrder(graph);
      assert.equal(best.multiplications, countOrder(graph, best.order).multiplications, name);
      assert.ok(best.multiplications <= cheapest, name);
    }
  });

  test('tensor graphs: Markowitz counts nodes, as before', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const g = randomTensorGraph({ numInputs: 2, numVertices: 16, numOutputs: 2, seed });
      const old = greedyMinimumOrder(
        eliminableVertices(g),
        ScalarCostEngine.fromGraph(g, localJacobians(g, null)),
      );
      assert.deepEqual(markowitzOrder(g), old);
    }
  });
});
