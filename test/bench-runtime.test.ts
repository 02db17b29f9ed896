import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { resolveOrder } from '../src/index.js';
import { findTask, taskGraph, type TaskDefinition } from '../src/tasks/index.js';
import { failsOneLine, runScript, succeeds } from './cli-helpers.js';

// The runtime benchmark's script (bench/runtime.ts): its report-only and repeat-process modes.
const bench = (...args: string[]): string => succeeds(runScript('bench/runtime.ts', args), args);
const benchFails = (...args: string[]): string => failsOneLine(runScript('bench/runtime.ts', args), args);

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'crosscountry-bench-runtime-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run bench:runtime -- --report-only', () => {
  test('rewrites the report from runtime.json without timing, and says when there is none', () => {
    const out = join(dir, 'runtime');
    mkdirSync(out, { recursive: true });
    const saved = readFileSync('results/runtime.json', 'utf8');
    writeFileSync(join(out, 'runtime.json'), saved);
    bench('--report-only', '--out-dir', out);
    const md = readFileSync(join(out, 'runtime.md'), 'utf8');
    const data = JSON.parse(saved) as {
      rows: { task: string; batch: number; variant: string; medianMs: number }[];
    };
    const row = data.rows.find((r) => r.task === 'g' && r.batch === 512 && r.variant === 'best-order');
    assert.ok(row);
    assert.match(md, /Targets: best order/);
    assert.doesNotMatch(md, /issue/i);
    assert.ok(md.includes(`| g | `) && md.includes(row.medianMs.toFixed(3)));
    assert.match(benchFails('--report-only', '--out-dir', join(dir, 'none')), /runtime\.json: no such file/);
  });
});

describe('npm run bench:runtime -- --repeat', () => {
  test('a repeat process times the given orders at batch 512 and writes its rows', () => {
    const repeat = join(dir, 'repeat');
    mkdirSync(repeat, { recursive: true });
    const order = resolveOrder(
      taskGraph(findTask('PropaneCombustion') as TaskDefinition, 'jaxpr'),
      'markowitz',
    );
    const choice = { task: 'PropaneCombustion', source: 'markowitz', order, candidates: [] };
    writeFileSync(join(repeat, 'choices.json'), JSON.stringify([choice]));
    bench('--repeat-child', repeat);
    const { rows, allocation } = JSON.parse(readFileSync(join(repeat, 'rows.json'), 'utf8')) as {
      rows: { task: string; batch: number; variant: string; medianMs: number }[];
      allocation: { task: string; reusedMs: number; freshMs: number }[];
    };
    assert.equal(allocation.length, 1);
    assert.ok(allocation[0].reusedMs > 0 && allocation[0].freshMs > 0);
    assert.deepEqual(rows.map((r) => r.variant).sort(), [
      'best-order',
      'forward-order',
      'markowitz-order',
      'reverse-order',
      'tape-forward',
      'tape-reverse',
    ]);
    assert.ok(rows.every((r) => r.task === 'PropaneCombustion' && r.batch === 512 && r.medianMs > 0));
    assert.match(benchFails('--repeat', '-1', '--tasks', 'f'), /--repeat must be a whole number/);
    assert.match(benchFails('--repeat', 'abc', '--quick'), /--repeat must be a whole number/);
    assert.match(benchFails('--repeat-child', join(dir, 'none')), /choices\.json: no such file/);
  });
});
