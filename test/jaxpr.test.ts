import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import {
  CrosscountryError,
  eliminableVertices,
  evaluateGraph,
  finiteDifferenceJacobian,
  jacobianByElimination,
  outputValues,
  resolveOrder,
  tapeReverseJacobian,
  tensor,
  UnsupportedPrimitiveError,
  type Graph,
} from '../src/index.js';
import { importJaxpr, JaxprParseError } from '../src/jaxpr/index.js';
import { importPaperGraph, type PaperGraphJson } from '../src/jaxpr/paper-graph.js';
import { Rng } from '../src/util/random.js';
import { PAPER_TASKS, paperData } from './paper-data.js';

const TASKS = PAPER_TASKS;
const data = paperData;
const shared = (path: string): URL => new URL(`../../shared/paper/${path}`, import.meta.url);

/** Per-vertex program text with literals rounded to float32 (the jaxpr prints f32 literals). */
function equations(g: Graph): string[] {
  return g.vertices.map((v) =>
    JSON.stringify([
      v.primitive,
      v.operands.map((op) =>
        op.kind === 'literal'
          ? Math.fround(op.value.data[0])
          : op.kind === 'input'
            ? `in${op.index}`
            : `v${op.id}`,
      ),
      v.params,
      v.shape,
    ]),
  );
}

describe('jaxpr import of the 10 paper tasks', () => {
  for (const task of TASKS) {
    test(`${task}: same equations, numbering and outputs as the paper graph JSON`, () => {
      const g = importJaxpr(data(`jaxpr/${task}.jaxpr`));
      const paper = JSON.parse(data(`graphs/${task}.json`)) as PaperGraphJson & {
        numVertices: number;
        numIntermediates: number;
      };
      assert.equal(g.vertices.length, paper.numVertices);
      assert.equal(eliminableVertices(g).length, paper.numIntermediates);
      assert.deepEqual(
        g.outputs.map((o) => (o.kind === 'vertex' ? o.id : -1)),
        paper.outputsInReturnOrder,
      );
      assert.deepEqual(equations(g), equations(importPaperGraph(paper)));
    });
  }

  test(
    'the shipped copies of the paper data equal ../shared/paper',
    { skip: !existsSync(shared('README.md')) },
    () => {
      for (const task of TASKS) {
        assert.equal(data(`jaxpr/${task}.jaxpr`), readFileSync(shared(`jaxpr/${task}.jaxpr`), 'utf8'), task);
        assert.equal(data(`graphs/${task}.json`), readFileSync(shared(`graphs/${task}.json`), 'utf8'), task);
      }
      assert.equal(
        data('alphagrad-sparsity-tables.json'),
        readFileSync(shared('alphagrad-sparsity-tables.json'), 'utf8'),
      );
    },
  );
});

describe('a jaxpr written by a user', () => {
  const text = `{ lambda ; a:f32[3] b:f32[] c:f32[2,3]. let
    d:f32[3] = mul a b
    e:f32[3] = sin d
    f:f32[] = reduce_sum[axes=(0,) out_sharding=None] e
    g:f32[3] = div d f
    h:f32[2] = dot_general[
      dimension_numbers=(([1], [0]), ([], []))
      preferred_element_type=float32
    ] c g
    i:f32[2] = integer_pow[y=2] h
    j:f32[2,3] = broadcast_in_dim[broadcast_dimensions=(1,) shape=(2, 3) sharding=None] e
    k:f32[2,3] = max j -inf:f32[]
    l:f32[2,3] = add k 0.5:f32[]
  in (i, f, l) }`;

  test('imports, evaluates and gets exact Jacobians for every order', () => {
    const g = importJaxpr(text);
    assert.equal(g.vertices.length, 9);
    assert.deepEqual(eliminableVertices(g), [1, 2, 3, 4, 5, 7, 8]); // f (vertex 3) is an output used later
    const rng = new Rng(5);
    const point = [
      tensor([3], [0.3, 0.5, 0.7]),
      tensor([], [1.3]),
      tensor(
        [2, 3],
        Array.from({ length: 6 }, () => rng.float() - 0.5),
      ),
    ];
    const reference = tapeReverseJacobian(g, point);
    const fd = finiteDifferenceJacobian(g, point);
    const orders = [
      resolveOrder(g, 'forward'),
      resolveOrder(g, 'reverse'),
      resolveOrder(g, 'markowitz'),
      ...Array.from({ length: 10 }, () => rng.shuffle(eliminableVertices(g))),
    ];
    for (const order of orders) {
      const r = jacobianByElimination(g, point, order);
      r.jacobian.forEach((row, i) =>
        row.forEach((block, j) =>
          block.data.forEach((x, k) => {
            assert.ok(
              Math.abs(x - reference.jacobian[i][j].data[k]) <= 1e-12 * Math.max(1, Math.abs(x)),
              `order ${order}: J[${i}][${j}][${k}]`,
            );
            assert.ok(
              Math.abs(x - fd.jacobian[i][j].data[k]) <= 1e-6 * Math.max(1, Math.abs(x)),
              `fd J[${i}][${j}][${k}]`,
            );
          }),
        ),
      );
    }
    const [, f] = outputValues(g, evaluateGraph(g, point));
    const d = point[0].data.map((x) => x * 1.3);
    assert.ok(Math.abs(f.data[0] - d.reduce((s, x) => s + Math.sin(x), 0)) < 1e-15);
  });
});

describe('malformed jaxprs give one line naming the problem', () => {
  const cases: [string, string, RegExp, new (...args: never[]) => Error][] = [
    [
      'unknown primitive',
      '{ lambda ; a:f32[]. let\n    b:f32[] = cumsum a\n  in (b,) }',
      /line 2: unsupported primitive 'cumsum'/,
      UnsupportedPrimitiveError,
    ],
    [
      'nested jaxpr',
      '{ lambda ; a:f32[]. let\n    b:f32[] = pjit[name=f jaxpr={ lambda ; c:f32[]. let  in (c,) }] a\n  in (b,) }',
      /line 2: unsupported primitive 'pjit'/,
      UnsupportedPrimitiveError,
    ],
    [
      'unknown variable',
      '{ lambda ; a:f32[]. let\n    b:f32[] = sin zz\n  in (b,) }',
      /line 2/,
      JaxprParseError,
    ],
    ['missing in', '{ lambda ; a:f32[]. let\n    b:f32[] = sin a\n', /missing 'in/, JaxprParseError],
    [
      'declared shape differs',
      '{ lambda ; a:f32[3]. let\n    b:f32[2] = sin a\n  in (b,) }',
      /line 2: sin computes shape \[3\] but the jaxpr declares \[2\]/,
      JaxprParseError,
    ],
    [
      'operand shapes do not fit',
      '{ lambda ; a:f32[3] b:f32[2]. let\n    c:f32[3] = add a b\n  in (c,) }',
      /line 2: add: operand shapes/,
      CrosscountryError,
    ],
    [
      'constvars',
      '{ lambda a:f32[3]; b:f32[]. let\n    c:f32[] = sin b\n  in (c,) }',
      /line 1: closed-over constants/,
      JaxprParseError,
    ],
    [
      'bad character',
      '{ lambda ; a:f32[]. let\n    b:f32[] = sin a @\n  in (b,) }',
      /line 2: unexpected character '@'/,
      JaxprParseError,
    ],
    [
      'unclosed parameters',
      '{ lambda ; a:f32[2]. let\n    b:f32[] = reduce_sum[axes=(0, a\n  in (b,) }',
      /line 3/,
      JaxprParseError,
    ],
    [
      'multi-output equation',
      '{ lambda ; a:f32[]. let\n    b:f32[] c:f32[] = sin a\n  in (b,) }',
      /line 2: equation 'sin' has 2 outputs/,
      JaxprParseError,
    ],
    ['not a jaxpr', 'def f(x): return x', /line 1: expected '\{'/, JaxprParseError],
  ];
  for (const [name, text, pattern, cls] of cases) {
    test(name, () => {
      assert.throws(
        () => importJaxpr(text),
        (err: unknown) => {
          assert.ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`);
          assert.ok(err instanceof CrosscountryError);
          assert.match(err.message, pattern);
          assert.ok(!err.message.includes('\n'));
          return true;
        },
      );
    });
  }
});
