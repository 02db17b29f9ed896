import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { countOrderWith } from '../src/index.js';
import { EliminationGame } from '../src/rl/game.js';
import { GENERALIST_PATH, greedyOrder, loadGeneralist, readGeneralist } from '../src/rl/generalist.js';
import type { PolicyValueNet } from '../src/nn/network.js';
import { findTask, randomScalarGraph, taskGraph, type TaskDefinition } from '../src/tasks/index.js';
import { fails, ok } from './cli-helpers.js';

const propane = taskGraph(findTask('PropaneCombustion') as TaskDefinition);
// A size the corpus never has at this seed: the weights must serve any graph.
const unseen = randomScalarGraph({
  numInputs: 5,
  numVertices: 47,
  numOutputs: 3,
  seed: 987654,
  noDeadCode: true,
});
const games = [
  new EliminationGame(propane, 'alphagrad', 'PropaneCombustion'),
  new EliminationGame(unseen, 'native', 'unseen'),
];

describe('the shipped generalist policy', () => {
  let net: PolicyValueNet;
  before(async () => {
    net = (await loadGeneralist(games)).net;
  });
  after(() => net.dispose());

  test('is small and in the expected format', () => {
    assert.ok(statSync(GENERALIST_PATH).size <= 5 * 1024 * 1024);
    assert.equal(readGeneralist().format, 'crosscountry-generalist/1');
  });

  test('plays complete orders greedily, one forward pass per move; the engine recounts the same cost', () => {
    for (const [game, graph] of [
      [games[0], propane],
      [games[1], unseen],
    ] as const) {
      const played = greedyOrder(net, game);
      assert.deepEqual(
        [...played.order].sort((a, b) => a - b),
        [...game.eliminable],
        `${game.name}: a permutation of the eliminable vertices`,
      );
      assert.equal(played.evaluations, game.episodeLength);
      assert.equal(
        countOrderWith(graph, played.order, game.costModel).multiplications,
        played.multiplications,
      );
      // Deterministic: the same weights give the same order.
      assert.deepEqual(greedyOrder(net, game).order, played.order);
    }
  });
});

describe('CLI: optimize --method policy', () => {
  test('prints a record whose order recounts to its multiplications', () => {
    const record = JSON.parse(ok('optimize', 'PropaneCombustion', '--method', 'policy', '--json')) as {
      method: string;
      multiplications: number;
      order: number[];
      forwardPasses: number;
    };
    assert.equal(record.method, 'policy');
    assert.equal(countOrderWith(propane, record.order, 'alphagrad').multiplications, record.multiplications);
    assert.equal(record.forwardPasses, record.order.length);
  });

  test('an unknown prior is one clear error', () => {
    const err = fails('optimize', 'PropaneCombustion', '--method', 'alphazero', '--prior', 'oracle');
    assert.match(err, /^error: unknown prior 'oracle' \(use generalist, network or uniform\)/m);
  });
});
