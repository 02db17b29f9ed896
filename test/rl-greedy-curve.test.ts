import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { createNetwork, defaultNetworkConfig } from '../src/nn/create.js';
import { tenthMeans } from '../src/rl/curve.js';
import { networkEvaluator } from '../src/rl/evaluators.js';
import { EliminationGame } from '../src/rl/game.js';
import { greedyPolicyOrder } from '../src/rl/greedy-policy.js';
import { findTask, taskGraph } from '../src/tasks/index.js';

describe('tenthMeans', () => {
  test('splits 25 episodes at ⌊k·25/10⌋ and averages each part (hand-computed)', () => {
    const values = Array.from({ length: 25 }, (_, i) => i + 1);
    // Parts [1,2], [3,4,5], [6,7], [8,9,10], … as the boundaries 0,2,5,7,10,12,15,17,20,22,25 give.
    assert.deepEqual(tenthMeans(values), [1.5, 4, 6.5, 9, 11.5, 14, 16.5, 19, 21.5, 24]);
  });

  test('fewer than ten episodes: one part per episode', () => {
    assert.deepEqual(tenthMeans([5, 3, 4]), [5, 3, 4]);
    assert.deepEqual(tenthMeans([]), []);
  });
});

describe('greedyPolicyOrder', () => {
  const game = new EliminationGame(
    taskGraph(findTask('PropaneCombustion')!, 'jaxpr'),
    'alphagrad',
    'PropaneCombustion',
  );
  const network = () =>
    createNetwork({ ...defaultNetworkConfig('mlp', game.numVertices, game.numNodes), seed: 3 });

  test('plays a complete order whose cost replays to the reported count', async () => {
    const net = await network();
    const { order, multiplications } = greedyPolicyOrder(net, game, 'r2d2');
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      [...game.eliminable],
    );
    assert.equal(game.replay(order), multiplications);
    net.dispose();
  });

  test('every move is the legal vertex with the highest logit', async () => {
    const net = await network();
    const { order } = greedyPolicyOrder(net, game, 'r2d2');
    const evaluate = networkEvaluator(net, 'r2d2');
    const state = game.initial();
    for (const v of order) {
      const { logits } = evaluate([state])[0];
      const legal = state.legalActions();
      const top = Math.max(...legal.map((a) => logits[a]));
      assert.equal(logits[v - 1], top, `after [${state.order.join(',')}]`);
      state.play(v - 1);
    }
    net.dispose();
  });
});
