import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { createNetwork, defaultNetworkConfig } from '../src/nn/create.js';
import type { Observation } from '../src/nn/network.js';
import { cachingEvaluator, networkEvaluator } from '../src/rl/evaluators.js';
import { EliminationGame, type GameState } from '../src/rl/game.js';
import { gumbelSearch, type BatchEvaluator } from '../src/rl/gumbel.js';
import { observe, observeFromEngine } from '../src/rl/observation.js';
import { selfPlay } from '../src/rl/self-play.js';
import { findTask, taskGraph } from '../src/tasks/index.js';
import { randomScalarGraph } from '../src/tasks/random-graphs.js';
import { Rng } from '../src/util/random.js';

function sameObservation(a: Observation, b: Observation, where: string): void {
  assert.equal(a.numVertices, b.numVertices, where);
  assert.deepEqual(a.vertexIds, b.vertexIds, where);
  assert.deepEqual(a.edges, b.edges, `${where}: edges`);
  assert.deepEqual(a.features, b.features, `${where}: features`);
  assert.deepEqual(a.mask, b.mask, `${where}: mask`);
}

/** A prior that reads the incremental observation and checks it against a fresh read at every leaf. */
function checkingEvaluator(checked: { count: number }): BatchEvaluator {
  return (states) =>
    states.map((s: GameState) => {
      const obs = observe(s);
      sameObservation(obs, observeFromEngine(s), `${s.game.name} after [${s.order.join(',')}]`);
      checked.count++;
      return { logits: Float32Array.from(s.legal, (_, a) => ((a * 7919) % 13) / 13), value: 0 };
    });
}

const games = (): EliminationGame[] => [
  new EliminationGame(
    randomScalarGraph({ numInputs: 4, numVertices: 24, numOutputs: 3, seed: 5, noDeadCode: true }),
    'native',
    'scalar',
  ),
  new EliminationGame(taskGraph(findTask('PropaneCombustion')!, 'jaxpr'), 'alphagrad', 'propane'),
  new EliminationGame(taskGraph(findTask('Perceptron')!), 'native', 'perceptron'),
];

describe('incremental observations', () => {
  test('equal a fresh read from the engine at every node of the search trees', () => {
    for (const game of games()) {
      const checked = { count: 0 };
      const evaluate = checkingEvaluator(checked);
      const state = game.initial();
      const rng = new Rng(3);
      // Search from successive positions, so rows are inherited across moves and across tree branches.
      while (!state.terminal) {
        const [outcome] = gumbelSearch(
          [state],
          evaluate,
          { simulations: 8, maxConsidered: 4, gumbelScale: 1, valueScale: 0.1, maxVisitInit: 50 },
          rng,
        );
        state.play(outcome.action);
      }
      assert.ok(checked.count > game.episodeLength, `${game.name}: ${checked.count} checks`);
    }
  });

  test('self-play with a network plays the same games as with fresh observations (same seed)', async () => {
    const list = games().slice(0, 2);
    const net = await createNetwork({
      ...defaultNetworkConfig(
        'mlp',
        Math.max(...list.map((g) => g.numVertices)),
        Math.max(...list.map((g) => g.numNodes)),
      ),
      seed: 1,
    });
    try {
      const search = { simulations: 4, maxConsidered: 4, gumbelScale: 1, valueScale: 0.1, maxVisitInit: 50 };
      const play = (observer: (s: GameState) => Observation) =>
        selfPlay(
          [...list, ...list],
          cachingEvaluator(networkEvaluator(net, 'r2d2', observer)),
          search,
          new Rng(11),
        );
      const fast = play(observe);
      const reference = play(observeFromEngine);
      assert.deepEqual(
        fast.map((t) => t.order),
        reference.map((t) => t.order),
      );
      assert.deepEqual(
        fast.map((t) => t.policies),
        reference.map((t) => t.policies),
      );
      assert.deepEqual(
        fast.map((t) => t.cost),
        reference.map((t) => t.cost),
      );
    } finally {
      net.dispose();
    }
  });
});
