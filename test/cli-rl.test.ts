import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { countOrderWith } from '../src/index.js';
import { findTask, taskGraph } from '../src/tasks/index.js';
import { fails, ok } from './cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'crosscountry-rl-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const FAST = ['--games', '2', '--simulations', '4', '--seed', '2', '--imitate', '5'];

describe('CLI: learning agents', () => {
  test('optimize --method alphazero writes a replayable order, a curve CSV and a PNG; a seed repeats it', () => {
    const out = join(dir, 'propane.json');
    const text = ok(
      'optimize',
      'PropaneCombustion',
      '--method',
      'alphazero',
      '--episodes',
      '1',
      ...FAST,
      '--out',
      out,
    );
    assert.match(text, /PropaneCombustion: \d+ multiplications \(alphazero, cost model alphagrad/);
    const record = JSON.parse(readFileSync(out, 'utf8')) as {
      order: number[];
      multiplications: number;
      costModel: string;
    };
    assert.equal(record.costModel, 'alphagrad');
    const graph = taskGraph(findTask('PropaneCombustion')!, 'ts');
    assert.equal(countOrderWith(graph, record.order, 'alphagrad').multiplications, record.multiplications);
    assert.match(readFileSync(join(dir, 'propane.curve.csv'), 'utf8'), /^episode,task,elapsed_seconds/);
    assert.ok(existsSync(join(dir, 'propane.curve.png')));
    const again = JSON.parse(
      ok('optimize', 'PropaneCombustion', '--method', 'alphazero', '--episodes', '1', ...FAST, '--json'),
    ) as { order: number[] };
    assert.deepEqual(again.order, record.order);
  });

  test('train saves a checkpoint that --resume continues (joint training on two graphs, PPO)', () => {
    const ckpt = join(dir, 'ppo');
    const args = [
      'train',
      'PropaneCombustion',
      'HumanHeartDipole',
      '--method',
      'ppo',
      ...FAST,
      '--checkpoint',
      ckpt,
    ];
    const first = JSON.parse(ok(...args, '--episodes', '1', '--json')) as {
      task: string;
      episodes: number;
    }[];
    assert.deepEqual(
      first.map((r) => [r.task, r.episodes]),
      [
        ['PropaneCombustion', 1],
        ['HumanHeartDipole', 1],
      ],
    );
    const second = JSON.parse(ok(...args, '--episodes', '2', '--resume', '--json')) as { episodes: number }[];
    assert.equal(second[0].episodes, 2);
    for (const f of ['checkpoint.json', 'orders.json', 'curve.csv', 'curve.png'])
      assert.ok(existsSync(join(ckpt, f)), f);
  });

  test('bad input: one error line', () => {
    assert.match(
      fails('optimize', 'PropaneCombustion', '--method', 'alphazro'),
      /unknown method 'alphazro'.*alphazero, ppo/,
    );
    assert.match(
      fails('optimize', 'PropaneCombustion', '--method', 'ppo', '--arch', 'lstm'),
      /unknown architecture 'lstm'/,
    );
    assert.match(
      fails('train', 'PropaneCombustion', '--resume', '--checkpoint', join(dir, 'none')),
      /no checkpoint/,
    );
    assert.match(
      fails('optimize', 'PropaneCombustion', '--method', 'ppo', '--episodes', '-1'),
      /--episodes must be/,
    );
  });
});
