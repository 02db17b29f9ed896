import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { countOrderWith } from '../src/index.js';
import { EliminationGame } from '../src/rl/game.js';
import { GENERALIST_PATH, greedyOrder, loadGeneralist, readGeneralist } from '../src/rl/generalist.js';
import { VERTEX_FEATURES, type PolicyValueNet } from '../src/nn/network.js';
import { ScorerNet, scorerConfig } from '../src/nn/scorer.js';
import { scorerInputs, VERTEX_INPUTS } from '../src/nn/scorer-features.js';
import { observe } from '../src/rl/observation.js';
import { Rng } from '../src/util/random.js';
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
    assert.equal(readGeneralist().format, 'crosscountry-generalist/3');
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

  test('the search scale sharpens the prior by exactly that factor and leaves greedy play alone', async () => {
    const unit = (await loadGeneralist(games, GENERALIST_PATH, 1)).net;
    const sharp = (await loadGeneralist(games, GENERALIST_PATH, 5)).net;
    try {
      const obs = observe(games[0].initial());
      const a = unit.predict([obs]);
      const b = sharp.predict([obs]);
      for (let t = 0; t < obs.numVertices; t++) {
        if (obs.mask[t] === 1)
          assert.ok(Math.abs(b.logits[0][t] - 5 * a.logits[0][t]) < 1e-4 * (1 + Math.abs(b.logits[0][t])));
      }
      assert.equal(b.values[0], a.values[0]);
      for (const game of games)
        assert.deepEqual(greedyOrder(sharp, game).order, greedyOrder(unit, game).order);
    } finally {
      unit.dispose();
      sharp.dispose();
    }
  });
});

describe('the scorer network', () => {
  test('fill-in and degree inputs agree with the engine at every position of a game', () => {
    const game = games[1];
    const state = game.initial();
    const rng = new Rng(3);
    while (!state.terminal) {
      const obs = observe(state);
      const inputs = scorerInputs(obs, VERTEX_FEATURES);
      const ids = obs.vertexIds as Int32Array;
      const live = new Set(Array.from(ids, (v) => game.numInputs + v));
      for (let t = 0; t < obs.numVertices; t++) {
        if (!obs.mask[t]) continue;
        const node = game.numInputs + ids[t];
        const preds = state.engine.predecessors(node);
        const succs = state.engine.successors(node).filter((w) => live.has(w));
        let fill = 0;
        for (const p of preds) for (const w of succs) if (!state.engine.hasEdge(p, w)) fill++;
        const x = inputs.vertex.subarray(t * VERTEX_INPUTS, (t + 1) * VERTEX_INPUTS);
        assert.equal(x[7], Math.log1p(fill), `fill-in of vertex ${ids[t] + 1}`);
        assert.ok(Math.abs(x[5] - Math.log1p(preds.length)) < 1e-6);
        assert.ok(Math.abs(x[6] - Math.log1p(succs.length)) < 1e-6);
        assert.ok(
          Math.abs(x[0] - Math.log1p(state.engine.eliminationCost(ids[t] + 1) / game.costScale)) < 1e-6,
        );
      }
      state.play(rng.pick(state.legalActions()));
    }
  });

  test('AlphaZero training lowers its loss on a fixed batch, and its state round-trips exactly', () => {
    const game = games[0];
    const net = new ScorerNet(scorerConfig(game.numVertices, game.numNodes));
    const state = game.initial();
    const observations = [];
    const policyTargets = [];
    const rng = new Rng(5);
    for (let k = 0; k < 6; k++) {
      const obs = observe(state);
      const target = new Float32Array(obs.numVertices);
      const legal = [...obs.mask.keys()].filter((t) => obs.mask[t]);
      target[legal[legal.length - 1]] = 1; // an arbitrary, learnable rule: the last legal vertex
      observations.push(obs);
      policyTargets.push(target);
      state.play(rng.pick(state.legalActions()));
    }
    const batch = {
      observations,
      policyTargets,
      valueTargets: Float32Array.from(observations, (_, i) => -i),
    };
    const options = { learningRate: 0.05, clipNorm: 1, valueWeight: 1 };
    const first = net.trainAlphaZero(batch, options);
    let last = first;
    for (let k = 0; k < 40; k++) last = net.trainAlphaZero(batch, options);
    assert.ok(last.policy < first.policy && last.value < first.value, JSON.stringify({ first, last }));
    const copy = new ScorerNet(net.config);
    copy.setState(net.getState());
    assert.deepEqual(copy.predict(observations), net.predict(observations));
    assert.deepEqual(copy.trainAlphaZero(batch, options), net.trainAlphaZero(batch, options));
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

  test('optimize --method alphazero starts from the shipped policy by default and fine-tunes it', () => {
    const args = ['--method', 'alphazero', '--episodes', '1', '--games', '2', '--simulations', '4'];
    const record = JSON.parse(ok('optimize', 'PropaneCombustion', ...args, '--json')) as {
      method: string;
      multiplications: number;
      order: number[];
    };
    assert.equal(record.method, 'alphazero-generalist-prior');
    assert.equal(countOrderWith(propane, record.order, 'alphagrad').multiplications, record.multiplications);
    // The search starts from the prior's own greedy order, so it is never worse than --method policy.
    const policy = JSON.parse(ok('optimize', 'PropaneCombustion', '--method', 'policy', '--json')) as {
      multiplications: number;
    };
    assert.ok(
      record.multiplications <= policy.multiplications,
      `${record.multiplications} > ${policy.multiplications}`,
    );
  });

  test('an unknown prior is one clear error', () => {
    const err = fails('optimize', 'PropaneCombustion', '--method', 'alphazero', '--prior', 'oracle');
    assert.match(err, /^error: unknown prior 'oracle' \(use generalist, network or uniform\)/m);
  });
});
