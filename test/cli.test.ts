import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { cli, fails, GRIEWANK, ok, TANH } from './cli-helpers.js';

let dir = '';
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'crosscountry-cli-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('cost', () => {
  test('Griewank: forward 8, reverse 6, Markowitz 6 (JSON)', () => {
    const cost = (order: string) => JSON.parse(ok('cost', GRIEWANK, '--order', order, '--json'));
    assert.deepEqual(cost('fwd'), { multiplications: 8, order: [1, 2], costModel: 'native' });
    assert.deepEqual(cost('rev'), { multiplications: 6, order: [2, 1], costModel: 'native' });
    assert.deepEqual(cost('markowitz'), { multiplications: 6, order: [2, 1], costModel: 'native' });
    assert.deepEqual(cost('1,2'), { multiplications: 8, order: [1, 2], costModel: 'native' });
  });

  test('defaults to Markowitz; --steps gives per-step counts', () => {
    assert.deepEqual(JSON.parse(ok('cost', GRIEWANK, '--json')), {
      multiplications: 6,
      order: [2, 1],
      costModel: 'native',
    });
    const text = ok('cost', GRIEWANK, '--order', 'reverse', '--steps');
    assert.match(text, /^6 multiplications .*reverse order 2, 1/);
    assert.match(text, /eliminate v2 +2 multiplications/);
    assert.match(text, /eliminate v1 +4 multiplications/);
  });

  test('reads the shared order JSON and bare arrays', () => {
    const shared = file(
      'order.json',
      JSON.stringify({ task: 'jacobian', costModel: 'native', multiplications: 6, order: [2, 1] }),
    );
    assert.equal(JSON.parse(ok('cost', GRIEWANK, '--order', shared, '--json')).multiplications, 6);
    const bare = file('bare.json', '[1, 2]');
    assert.equal(JSON.parse(ok('cost', GRIEWANK, '--order', bare, '--json')).multiplications, 8);
  });

  test('graph JSON from print --json round-trips', () => {
    const json = ok('print', GRIEWANK, '--json');
    assert.equal(JSON.parse(json).format, 'crosscountry-graph');
    const path = file('griewank.graph.json', json);
    assert.deepEqual(JSON.parse(ok('cost', path, '--order', '2,1', '--json')), {
      multiplications: 6,
      order: [2, 1],
      costModel: 'native',
    });
  });
});

describe('jacobian', () => {
  test("matches Griewank's analytic Jacobian", () => {
    const out = JSON.parse(ok('jacobian', GRIEWANK, '--at', 'examples/griewank.inputs.json', '--json'));
    const [x, y] = [1.5, 0.5];
    const c = Math.cos(x * y);
    const cot = c / Math.sin(x * y);
    const expected = [
      [y * (c + 1), x * (c + 1)],
      [y * cot, x * cot],
    ];
    assert.deepEqual(out.order, [2, 1]);
    assert.equal(out.multiplications, 6);
    assert.ok(Math.abs(out.outputs[0] - (Math.sin(x * y) + x * y)) < 1e-14);
    assert.ok(Math.abs(out.outputs[1] - Math.log(Math.sin(x * y))) < 1e-14);
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        assert.equal(typeof out.jacobian[i][j], 'number');
        assert.ok(Math.abs(out.jacobian[i][j] - expected[i][j]) < 1e-12, `J[${i}][${j}]`);
      }
    }
  });

  test('tensor blocks have shape output ++ input (tanh layer, reverse order)', () => {
    const at = '[[[0.5, -0.25, 1], [0.75, 0.2, -0.5]], [1, -1, 0.5], [0.1, -0.2]]';
    const out = JSON.parse(ok('jacobian', TANH, '--at', at, '--order', 'rev', '--json'));
    const W = [
      [0.5, -0.25, 1],
      [0.75, 0.2, -0.5],
    ];
    const x = [1, -1, 0.5];
    const b = [0.1, -0.2];
    const s = W.map((row, i) => 1 - Math.tanh(row.reduce((a, w, j) => a + w * x[j], b[i])) ** 2);
    const [dW, dx, db] = out.jacobian[0] as [number[][], number[], number[]];
    assert.deepEqual([dW.length, dW[0].length, dx.length, db.length], [2, 3, 3, 2]);
    const close = (a: number, e: number) => assert.ok(Math.abs(a - e) < 1e-12, `${a} vs ${e}`);
    W.forEach((row, i) => row.forEach((_w, j) => close(dW[i][j], s[i] * x[j])));
    x.forEach((_v, j) => close(dx[j], s[0] * W[0][j] + s[1] * W[1][j]));
    b.forEach((_v, i) => close(db[i], s[i]));
    assert.deepEqual(out.order, [3, 2, 1]);
  });

  test('text output names inputs, outputs and blocks', () => {
    const text = ok('jacobian', GRIEWANK, '--at', 'examples/griewank.inputs.json');
    for (const part of ['inputs:', 'x = 1.5', 'outputs:', 'y1 (v3)', 'dy2/dy =', '6 multiplications']) {
      assert.ok(text.includes(part), `missing '${part}' in:\n${text}`);
    }
  });
});

describe('print, demo, help', () => {
  test('print gives the listing', () => {
    const text = ok('print', GRIEWANK);
    assert.match(text, /1: v1:f64\[\] = mul x y/);
    assert.match(text, /4: v4:f64\[\] = log v2 +# output 2/);
  });

  test('demo runs and reports agreement', () => {
    const text = ok('demo');
    assert.match(text, /forward +8 +1, 2/);
    assert.match(text, /reverse +6 +2, 1/);
    assert.match(text, /same Jacobian: max \|difference\| = /);
  });

  test('--help and --version', () => {
    const help = ok('--help');
    for (const cmd of ['cost', 'jacobian', 'print', 'demo']) assert.match(help, new RegExp(`\\n  ${cmd} `));
    assert.match(ok('--version'), /^\d+\.\d+\.\d+/);
  });
});

describe('bad input: one error line, exit 1', () => {
  test('invalid orders name the vertex or entry', () => {
    assert.match(fails('cost', GRIEWANK, '--order', '2'), /missing vertices 1/);
    assert.match(fails('cost', GRIEWANK, '--order', '2,2,1'), /vertex 2 twice/);
    assert.match(fails('cost', GRIEWANK, '--order', '2,1,9'), /vertex 9.*1\.\.4/);
    assert.match(fails('cost', GRIEWANK, '--order', '2,1,3'), /vertex 3.*pure output/);
    assert.match(fails('cost', GRIEWANK, '--order', '2,x'), /entry 2 \('x'\) is not a vertex number/);
    assert.match(fails('cost', GRIEWANK, '--order', 'sideways'), /unknown order 'sideways'/);
    const bad = file('bad-order.json', '{"order": [2, "one"]}');
    assert.match(fails('jacobian', GRIEWANK, '--at', '[1, 2]', '--order', bad), /bad-order\.json.*entry 2/);
  });

  test('unknown cost model lists the models', () => {
    assert.match(fails('cost', GRIEWANK, '--cost-model', 'flops'), /'flops'.*native/);
  });

  test('malformed JSON names the file', () => {
    const inputs = file('broken-inputs.json', '[1.5, ');
    assert.match(fails('jacobian', GRIEWANK, '--at', inputs), /broken-inputs\.json: malformed JSON/);
    const graph = file('broken-graph.json', '{"format": ');
    assert.match(fails('print', graph), /broken-graph\.json: malformed JSON/);
  });

  test('wrong number, shape or raggedness of inputs', () => {
    assert.match(fails('jacobian', GRIEWANK, '--at', '[1, 2, 3]'), /expected 2 inputs.*got 3/);
    assert.match(
      fails('jacobian', GRIEWANK, '--at', '[[1, 2], 3]'),
      /input 1 \(x\) has shape \[2\], expected \[\]/,
    );
    const ragged = file('ragged.json', '[[[1, 2, 3], [4, 5]], [1, 2, 3], [1, 2]]');
    assert.match(fails('jacobian', TANH, '--at', ragged), /ragged\.json: input 1 \(W\) is ragged/);
  });

  test('non-finite inputs: 1e999, "nan", "-inf"', () => {
    const inf = file('inf.json', '[1e999, 0.5]');
    assert.match(fails('jacobian', GRIEWANK, '--at', inf), /input 1 \(x\) is not finite: Infinity/);
    assert.match(fails('jacobian', GRIEWANK, '--at', '[1, "nan"]'), /input 2 \(y\) is not finite: NaN/);
    const at = '[[[1, 2, 3], [4, 5, "-inf"]], [1, 2, 3], [1, 2]]';
    assert.match(
      fails('jacobian', TANH, '--at', at),
      /input 1 \(W\) is not finite at element \[1,2\]: -Infinity/,
    );
  });

  test('non-finite results: IEEE by default (NaN in JSON as "NaN"), named with --check-finite', () => {
    // sin(4) < 0, so log(sin(xy)) is NaN at (2, 2).
    const out = JSON.parse(ok('jacobian', GRIEWANK, '--at', '[2, 2]', '--json')) as { outputs: unknown[] };
    assert.match(JSON.stringify(out.outputs), /"NaN"/);
    assert.match(
      fails('jacobian', GRIEWANK, '--at', '[2, 2]', '--check-finite'),
      /vertex 4 \(log\) is not finite at element 0: NaN \(at x=2, y=2\)/,
    );
  });

  test('unsupported primitive in graph JSON', () => {
    const graph = file(
      'foo.json',
      JSON.stringify({
        format: 'crosscountry-graph',
        version: 1,
        inputs: [{ name: 'x', shape: [] }],
        vertices: [
          { id: 1, primitive: 'sin', operands: [{ input: 1 }], params: {}, shape: [] },
          { id: 2, primitive: 'foo', operands: [{ vertex: 1 }], params: {}, shape: [] },
        ],
        outputs: [{ vertex: 2 }],
      }),
    );
    assert.match(fails('cost', graph), /vertex 2 has unsupported primitive 'foo'/);
  });

  test('modules without fn or inputs', () => {
    const noFn = file('no-fn.mjs', 'export const inputs = [[]];\n');
    assert.match(fails('cost', noFn), /no-fn\.mjs must export `fn`/);
    const noInputs = file('no-inputs.ts', 'export const fn = (x: unknown) => x;\n');
    assert.match(fails('print', noInputs), /no-inputs\.ts must export `inputs`/);
  });

  test('missing files and unknown graph formats', () => {
    assert.match(fails('cost', 'examples/nope.ts'), /examples\/nope\.ts: no such file/);
    assert.match(fails('jacobian', GRIEWANK, '--at', 'nope.json'), /nope\.json: no such file/);
    assert.match(
      fails('print', 'README.md'),
      /graph README\.md: neither jaxpr text .* nor graph JSON, and not a module/,
    );
  });

  test('usage errors from commander exit non-zero', () => {
    const r = cli('cost');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /missing required argument/);
  });
});
