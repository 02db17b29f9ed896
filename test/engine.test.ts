import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { eliminableVertices, localJacobians, markowitzOrder, np, trace, type Graph } from '../src/index.js';
import { EdgeGraph, ScalarCostEngine } from '../src/search/index.js';
import { randomScalarGraph } from '../src/tasks/random-graphs.js';
import { Rng } from '../src/util/random.js';

const engineOf = (g: Graph): ScalarCostEngine => ScalarCostEngine.fromGraph(g, localJacobians(g, null));
const symbolicOf = (g: Graph): EdgeGraph => EdgeGraph.symbolic(g, localJacobians(g, null));

describe('ScalarCostEngine (bitset cost-only engine)', () => {
  test('per-step costs equal the block engine on 60 random scalar graphs with structural edges', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const g = randomScalarGraph({
        numInputs: 3 + (seed % 4),
        numVertices: 10 + (seed % 30),
        numOutputs: 1 + (seed % 4),
        seed,
        structuralFraction: (seed % 3) * 0.15,
      });
      const order = new Rng(seed * 7919).shuffle(eliminableVertices(g));
      const fast = engineOf(g);
      const blocks = symbolicOf(g);
      for (const v of order) {
        assert.equal(
          fast.eliminationCost(v),
          blocks.eliminationCost(v),
          `seed ${seed}, vertex ${v}: predicted cost`,
        );
        assert.equal(fast.eliminate(v), blocks.eliminate(v), `seed ${seed}, vertex ${v}: step cost`);
      }
    }
  });

  test('a vertex of an all-valued scalar graph costs |preds|·|succs|', () => {
    const g = trace(
      (x, y) => {
        const z = np.mul(x, y);
        const w = np.sin(z);
        return [np.add(w, z), np.log(w)];
      },
      [[], []],
    );
    const e = engineOf(g);
    // z has preds {x, y} and succs {w, out1}; w has pred {z} and succs {out1, out2}.
    assert.equal(e.markowitzDegree(1), 4);
    assert.equal(e.eliminationCost(1), 4);
    assert.equal(e.eliminationCost(2), 2);
    assert.equal(e.eliminate(2), 2);
    assert.equal(e.eliminationCost(1), 4); // w's elimination rerouted z→out2, z keeps 2 succs
  });

  test('undo restores the state exactly, clone is independent', () => {
    const g = randomScalarGraph({
      numInputs: 5,
      numVertices: 60,
      numOutputs: 4,
      seed: 42,
      structuralFraction: 0.2,
    });
    const order = new Rng(3).shuffle(eliminableVertices(g));
    const e = engineOf(g);
    const reference = e.clone();
    e.journaling = true;
    const costs = order.slice(0, 30).map((v) => e.eliminate(v));
    for (let i = 0; i < 30; i++) e.undo();
    const again = order.slice(0, 30).map((v) => e.eliminate(v));
    assert.deepEqual(again, costs);
    // The clone never saw these eliminations: its full episode matches a fresh engine's.
    const fresh = engineOf(g);
    assert.deepEqual(
      order.map((v) => reference.eliminate(v)),
      order.map((v) => fresh.eliminate(v)),
    );
    assert.ok(order.every((v) => reference.isEliminated(v)));
  });

  test('eliminating a vertex twice costs nothing the second time', () => {
    const g = randomScalarGraph({ numInputs: 2, numVertices: 8, numOutputs: 1, seed: 9 });
    const e = engineOf(g);
    const v = eliminableVertices(g)[0];
    e.eliminate(v);
    assert.equal(e.eliminate(v), 0);
  });
});

describe('markowitzOrder', () => {
  test('picks the minimal |preds|·|succs| vertex, ties to the lowest id', () => {
    // v1 = a*b (2x1), v2 = sin v1 (1x2 after), v3 = cos v1, out v4 = v2 + v3.
    const g = trace(
      (a, b) => {
        const v1 = np.mul(a, b);
        return np.add(np.sin(v1), np.cos(v1));
      },
      [[], []],
    );
    // Degrees: v1 = 2·2 = 4, v2 = 1·1 = 1, v3 = 1·1 = 1 → v2 (tie with v3, lower id); then v3 (1·1), then v1.
    assert.deepEqual(markowitzOrder(g), [2, 3, 1]);
  });

  test('is a valid complete order on random graphs', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const g = randomScalarGraph({ numInputs: 4, numVertices: 40, numOutputs: 3, seed });
      const order = markowitzOrder(g);
      assert.deepEqual(
        [...order].sort((x, y) => x - y),
        eliminableVertices(g),
      );
    }
  });
});
