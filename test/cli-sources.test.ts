import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fails, ok } from './cli-helpers.js';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'crosscountry-sources-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const cost = (...args: string[]) =>
  JSON.parse(ok('cost', ...args, '--json')) as {
    multiplications: number;
    order: number[];
    costModel: string;
  };

describe('graph sources', () => {
  test('a built-in task by name (TS version) and its paper jaxpr give the same counts', () => {
    assert.equal(cost('RoeFlux_1d', '--order', 'rev').multiplications, 364);
    assert.equal(cost('roeflux_1d', '--order', 'fwd', '--source', 'jaxpr').multiplications, 620);
  });

  test('a .jaxpr file, a paper graph JSON and a crosscountry graph JSON', () => {
    assert.equal(cost('data/paper/jaxpr/HumanHeartDipole.jaxpr', '--order', 'rev').multiplications, 172);
    assert.equal(
      cost('data/paper/graphs/PropaneCombustion.json', '--order', 'markowitz').multiplications,
      111,
    );
    const path = join(dir, 'g-graph.json');
    writeFileSync(path, ok('print', 'g', '--json'));
    assert.equal(cost(path, '--order', 'markowitz').multiplications, 451);
  });

  test('--cost-model alphagrad reproduces the paper model, and --out writes the shared order JSON', () => {
    const out = join(dir, 'order.json');
    const r = JSON.parse(
      ok(
        'cost',
        'f',
        '--source',
        'jaxpr',
        '--cost-model',
        'alphagrad',
        '--order',
        'rev',
        '--json',
        '--out',
        out,
      ),
    );
    assert.deepEqual([r.multiplications, r.costModel], [9333, 'alphagrad']);
    const saved = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(Object.keys(saved), ['task', 'costModel', 'multiplications', 'order']);
    assert.deepEqual(
      [saved.task, saved.costModel, saved.multiplications, saved.order],
      ['f', 'alphagrad', 9333, r.order],
    );
    // The saved order is accepted back, under either model.
    assert.equal(
      cost('f', '--source', 'jaxpr', '--cost-model', 'alphagrad', '--order', out).multiplications,
      9333,
    );
  });

  test('tasks lists the 10 built-in tasks with sizes', () => {
    const rows = JSON.parse(ok('tasks', '--json')) as {
      name: string;
      ts: { vertices: number };
      jaxpr: { vertices: number };
    }[];
    assert.equal(rows.length, 10);
    const roe = rows.find((r) => r.name === 'RoeFlux_1d');
    assert.deepEqual([roe?.ts.vertices, roe?.jaxpr.vertices], [101, 101]);
  });

  test('bad sources and models give one line', () => {
    assert.match(fails('cost', 'NoSuchTask'), /not a built-in task/);
    assert.match(fails('cost', 'g', '--source', 'python'), /unknown source 'python'/);
    assert.match(fails('cost', 'g', '--cost-model', 'flops'), /unknown cost model 'flops'/);
  });
});

describe('optimize', () => {
  test('proves a small graph optimal and writes the search record', () => {
    const out = join(dir, 'best.json');
    const r = JSON.parse(
      ok(
        'optimize',
        'PropaneCombustion',
        '--source',
        'jaxpr',
        '--cost-model',
        'alphagrad',
        // A work limit, not a time budget: the proof must not depend on how busy the machine is.
        '--max-states',
        '2000000',
        '--json',
        '--out',
        out,
      ),
    );
    assert.deepEqual(
      [r.multiplications, r.certificate, r.task, r.costModel],
      [88, 'optimal', 'PropaneCombustion', 'alphagrad'],
    );
    assert.deepEqual(Object.keys(JSON.parse(readFileSync(out, 'utf8'))), [
      'task',
      'costModel',
      'method',
      'budgetSeconds',
      'maxStates',
      'seconds',
      'multiplications',
      'order',
      'certificate',
    ]);
    // The order is accepted back by cost and gives the same count.
    assert.equal(
      cost('PropaneCombustion', '--source', 'jaxpr', '--cost-model', 'alphagrad', '--order', out)
        .multiplications,
      88,
    );
  });

  test('an anytime run reports a lower bound when it cannot prove', () => {
    const r = JSON.parse(
      ok('optimize', 'RoeFlux_1d', '--method', 'anneal', '--max-moves', '20000', '--seed', '1', '--json'),
    );
    assert.ok(r.multiplications < 364);
    assert.deepEqual(r.certificate, { lowerBound: 223 });
  });

  test('--method exact takes groups wider than 52 vertices and says when its state limit stops it', () => {
    const args = ['optimize', 'RoeFlux_1d', '--method', 'exact', '--cost-model', 'alphagrad', '--max-states'];
    const text = ok(...args, '2000');
    assert.match(text, /lower bound 2\d\d /);
    assert.match(text, /exact search stopped at its state limit \(\d+ states stored\)/);
    const r = JSON.parse(ok(...args, '2000', '--json')) as { certificate: { lowerBound: number } };
    assert.ok(r.certificate.lowerBound >= 223);
  });

  test('bad options give one line', () => {
    assert.match(fails('optimize', 'g', '--method', 'magic'), /unknown method 'magic'/);
    assert.match(fails('optimize', 'g', '--budget', '-1'), /--budget must be a number ≥ 0, got -1/);
    assert.match(
      fails('optimize', 'f', '--source', 'jaxpr', '--cost-model', 'alphagrad', '--method', 'exact'),
      /depends on the elimination order/,
    );
  });
});
