import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';

import { optimizeOrder } from '../src/search/portfolio.js';
import { findTask, taskGraph } from '../src/tasks/index.js';
import { randomScalarGraph } from '../src/tasks/random-graphs.js';
import { ok } from './cli-helpers.js';

/** Runs `fn` while a worker thread spins on a core, as a loaded machine would. */
async function underLoad<T>(fn: () => Promise<T>): Promise<T> {
  const hog = new Worker('for (;;) {}', { eval: true });
  try {
    return await fn();
  } finally {
    await hog.terminate();
  }
}

// Work limits make searches reproducible: the same order with and without a CPU hog beside them.
describe('searches limited by work, not time', () => {
  const roe = taskGraph(findTask('RoeFlux_1d')!, 'ts');

  test('anneal with maxMoves: the same order twice, once under load, and the limit is what stopped it', async () => {
    const run = () => optimizeOrder(roe, { method: 'anneal', maxMoves: 20_000, seed: 3 });
    const a = await run();
    const b = await underLoad(run);
    assert.deepEqual(b.order, a.order);
    assert.equal(b.multiplications, a.multiplications);
    assert.equal(a.stats?.moves, 20_000);
    assert.equal(a.budgetSeconds, Infinity);
  });

  test('auto with work limits searches on this thread, reproducibly', async () => {
    const run = () => optimizeOrder(roe, { maxMoves: 5_000, maxStates: 20_000, seed: 2 });
    const a = await run();
    const b = await underLoad(run);
    assert.deepEqual(b.order, a.order);
    // The budget is spent on annealing moves, exact windows and relinking, all charged in moves.
    assert.ok(Number(a.stats?.work) >= 5_000 && Number(a.stats?.moves) <= 5_000);
  });

  test('the large-graph path turns moves into windows, reproducibly', async () => {
    const big = randomScalarGraph({ numInputs: 6, numVertices: 1500, numOutputs: 4, seed: 5 });
    const run = () => optimizeOrder(big, { maxMoves: 192 * 20, seed: 1 });
    const a = await run();
    const b = await underLoad(run);
    assert.equal(a.stats?.path, 'large');
    assert.deepEqual(b.order, a.order);
  });

  test('optimize --max-moves prints the same order twice and records the limit', () => {
    const args = [
      'optimize',
      'RoeFlux_1d',
      '--method',
      'anneal',
      '--max-moves',
      '3000',
      '--seed',
      '1',
      '--json',
    ];
    const first = JSON.parse(ok(...args)) as { order: number[]; maxMoves: number; budgetSeconds: null };
    const second = JSON.parse(ok(...args)) as { order: number[] };
    assert.deepEqual(second.order, first.order);
    assert.equal(first.maxMoves, 3000);
    assert.equal(first.budgetSeconds, null);
  });
});
