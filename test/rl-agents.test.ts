import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  AlphaZeroTrainer,
  DEFAULT_ALPHAZERO,
  type AlphaZeroCheckpoint,
  type AlphaZeroConfig,
} from '../src/rl/alphazero.js';
import { EliminationGame } from '../src/rl/game.js';
import { DEFAULT_PPO, PpoTrainer, type PpoCheckpoint, type PpoConfig } from '../src/rl/ppo.js';
import { runAgent } from '../src/rl/run.js';
import { randomScalarGraph } from '../src/tasks/random-graphs.js';

/** A small graph on which one episode takes milliseconds. */
function tinyGame(seed = 4): EliminationGame {
  const graph = randomScalarGraph({ numInputs: 4, numVertices: 16, numOutputs: 3, seed, noDeadCode: true });
  return new EliminationGame(graph, 'native', `tiny-${seed}`);
}

const SMALL_NET = { dModel: 16, ffDim: 32, layers: 1, policyHidden: [16], valueHidden: [16] };

const azConfig = (overrides: Partial<AlphaZeroConfig> = {}): AlphaZeroConfig => ({
  ...DEFAULT_ALPHAZERO,
  seed: 3,
  games: 4,
  search: { ...DEFAULT_ALPHAZERO.search, simulations: 8, maxConsidered: 4 },
  network: SMALL_NET,
  batchSize: 64,
  trainSteps: 4,
  scheduleEpisodes: 30,
  ...overrides,
});

const ppoConfig = (overrides: Partial<PpoConfig> = {}): PpoConfig => ({
  ...DEFAULT_PPO,
  seed: 5,
  games: 8,
  network: SMALL_NET,
  scheduleEpisodes: 40,
  ...overrides,
});

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe('AlphaZero', () => {
  test('a short training run lowers the loss and the episode cost', async () => {
    const game = tinyGame();
    const trainer = await AlphaZeroTrainer.create([game], azConfig());
    try {
      await runAgent(trainer, { episodes: 24 });
      const losses = trainer.curve.map((p) => p.loss);
      const costs = trainer.curve.map((p) => p.meanCost);
      assert.ok(
        mean(losses.slice(-4)) < 0.7 * mean(losses.slice(0, 4)),
        `loss ${losses.map((l) => l.toFixed(2)).join(' ')}`,
      );
      assert.ok(mean(costs.slice(-6)) < mean(costs.slice(0, 6)), `episode cost ${costs.join(' ')}`);
      const best = trainer.best.get(game);
      assert.ok(best);
      assert.equal(game.replay(best.order), best.multiplications);
    } finally {
      trainer.dispose();
    }
  });

  test('a fixed seed reproduces the same orders; a checkpoint resumes exactly', async () => {
    const game = tinyGame(6);
    const straight = await AlphaZeroTrainer.create([game], azConfig());
    await runAgent(straight, { episodes: 4 });
    const again = await AlphaZeroTrainer.create([game], azConfig());
    await runAgent(again, { episodes: 2 });
    const checkpoint = JSON.parse(JSON.stringify(again.checkpoint())) as AlphaZeroCheckpoint;
    again.dispose();
    const resumed = await AlphaZeroTrainer.resume([game], checkpoint);
    await runAgent(resumed, { episodes: 4 });
    const strip = (t: AlphaZeroTrainer) =>
      t.curve.map(({ episode, bestCost, meanCost, loss }) => ({ episode, bestCost, meanCost, loss }));
    assert.deepEqual(strip(resumed), strip(straight));
    assert.deepEqual(resumed.best.get(game), straight.best.get(game));
    straight.dispose();
    resumed.dispose();
  });

  test('the uniform-prior ablation searches without a network', async () => {
    const game = tinyGame();
    const trainer = await AlphaZeroTrainer.create([game], azConfig({ prior: 'uniform' }));
    const report = await trainer.runEpisode();
    assert.equal(report.losses, null);
    assert.equal(trainer.parameterCount, 0);
    assert.ok(trainer.best.get(game));
  });

  test('joint training plays every graph and keeps a best order for each', async () => {
    const games = [tinyGame(4), tinyGame(6)];
    const trainer = await AlphaZeroTrainer.create(games, azConfig());
    await runAgent(trainer, { episodes: 2 });
    for (const g of games) {
      const best = trainer.best.get(g);
      assert.ok(best, g.name);
      assert.equal(g.replay(best.order), best.multiplications);
    }
    trainer.dispose();
  });
});

describe('PPO', () => {
  test('learns on a tiny graph, reproduces with a seed and resumes from a checkpoint', async () => {
    const game = tinyGame();
    const straight = await PpoTrainer.create([game], ppoConfig());
    await runAgent(straight, { episodes: 30 });
    const costs = straight.curve.map((p) => p.meanCost);
    assert.ok(mean(costs.slice(-5)) < mean(costs.slice(0, 5)), `episode cost ${costs.join(' ')}`);

    const half = await PpoTrainer.create([game], ppoConfig());
    await runAgent(half, { episodes: 15 });
    const checkpoint = JSON.parse(JSON.stringify(half.checkpoint())) as PpoCheckpoint;
    half.dispose();
    const resumed = await PpoTrainer.resume([game], checkpoint);
    await runAgent(resumed, { episodes: 30 });
    assert.deepEqual(
      resumed.curve.map((p) => p.meanCost),
      costs,
    );
    assert.deepEqual(resumed.best.get(game), straight.best.get(game));
    straight.dispose();
    resumed.dispose();
  });
});

describe('self-play worker threads', () => {
  test('two workers play the episode; a fixed seed gives the same result twice', async () => {
    const game = tinyGame(6);
    const runOnce = async () => {
      const trainer = await AlphaZeroTrainer.create([game], azConfig({ workers: 2 }));
      try {
        await runAgent(trainer, { episodes: 2 });
        return { curve: trainer.curve.map((p) => [p.meanCost, p.loss]), best: trainer.best.get(game) };
      } finally {
        trainer.dispose();
      }
    };
    const a = await runOnce();
    const b = await runOnce();
    assert.deepEqual(a, b);
    assert.ok(a.best);
    assert.equal(game.replay(a.best.order), a.best.multiplications);
  });
});
