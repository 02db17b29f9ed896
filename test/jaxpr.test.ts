import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import {
  CrosscountryError,
  eliminableVertices,
  evaluateGraph,
  finiteDifferenceJacobian,
  GraphBuilder,
  jacobianAtPoint,
  outputValues,
  resolveOrder,
  scalarTensor,
  tapeReverseJacobian,
  tensor,
  UnsupportedPrimitiveError,
  type Graph,
  type Operand,
} from '../src/index.js';
import {
  COLLIDING_NAMES,
  evaluateProgram,
  jaxprText,
  jaxVarName,
  syntheticProgram,
  varNumber,
  type SyntheticProgram,
} from '../bench/jaxpr-text.js';
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
      const r = jacobianAtPoint(g, point, order);
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

/** The synthetic program built equation by equation through the GraphBuilder, without any text. */
function buildProgram(p: SyntheticProgram): Graph {
  const b = new GraphBuilder();
  const vars: Operand[] = Array.from({ length: p.numInputs }, (_, i) => b.addInput(jaxVarName(i), []));
  p.equations.forEach((eq, k) => {
    const operands = eq.operands.map((op): Operand =>
      'v' in op ? vars[op.v] : { kind: 'literal', value: scalarTensor(op.literal) },
    );
    vars.push(b.addVertex(eq.primitive, operands, {} as never, jaxVarName(p.numInputs + k)));
  });
  return b.build(p.outputs.map((v) => vars[v]));
}

describe('variables with any name JAX generates', () => {
  test("JAX's naming scheme: base 26 with digits a-z, no leading zeros", () => {
    const names = ['a', 'z', 'ba', 'bz', 'ca', 'zz', 'baa', 'zzz', 'baaa'];
    assert.deepEqual([0, 25, 26, 51, 52, 675, 676, 17575, 17576].map(jaxVarName), names);
    assert.deepEqual(COLLIDING_NAMES.map(varNumber), [221, 213, 5751, 7559, 8801]);
    for (let n = 0; n < 20000; n++) assert.equal(varNumber(jaxVarName(n)), n);
  });

  test('a generated jaxpr naming variables a … zzz, baaa … imports as the same graph', () => {
    // 17,600 equations: every name of up to three letters binds an equation's result (after the four
    // inputs a-d), is read by the next equation, and the keyword- and literal-like ones are outputs.
    const p = syntheticProgram(17600);
    const text = jaxprText(p);
    // (No name but `a` starts with a: `abs` or `add` never occur.)
    for (const name of ['in', 'if', 'let', 'inf', 'nan', 'sin', 'max', 'min', 'mul', 'sub', 'f', 'zzz'])
      assert.match(
        text,
        new RegExp(`\\n    ${name}:f32\\[\\] = .*\\n    [a-z]+:f32\\[\\] = [a-z]+ (.* )?${name}(\\n| )`),
      );
    assert.match(text, /= min [a-z]+ inf:f32\[\]\n {4}inf:f32\[\] = /); // literal inf, then a binder inf
    assert.ok(text.endsWith('\n  in (babb, in, if, inf, let, nan) }'));

    const g = importJaxpr(text);
    const direct = buildProgram(p);
    assert.equal(g.vertices.length, 17600);
    assert.deepEqual(equations(g), equations(direct));
    assert.deepEqual(
      g.vertices.map((v) => v.name),
      direct.vertices.map((v) => v.name),
    );
    assert.deepEqual(g.inputs, direct.inputs);
    assert.deepEqual(g.outputs, direct.outputs);

    const x = [0.3, -0.7, 0.9, 0.1];
    const point = x.map((xi) => tensor([], [xi]));
    const values = outputValues(g, evaluateGraph(g, point));
    const expected = evaluateProgram(p, x);
    values.forEach((v, i) => assert.equal(v.data[0], expected[i], `output ${i}`));
  });

  test('in, let, lambda, inf and nan as inputs, binders, operands and outputs', () => {
    const text = `{ lambda ; in:f32[] let:f32[]. let
    lambda:f32[] = abs in
    b:f32[] = min lambda inf:f32[]
    inf:f32[] = sin b
    c:f32[] = max let nan:f32[]
    nan:f32[] = mul inf let
    if:f32[] = add nan
      inf:f32[]
    sin:f32[] = sin in
  in (lambda, inf, nan, if, sin, in, c) }`;
    const g = importJaxpr(text);
    assert.deepEqual(
      g.vertices.map((v) => [v.name, v.primitive]),
      [
        ['lambda', 'abs'],
        ['b', 'min'],
        ['inf', 'sin'],
        ['c', 'max'],
        ['nan', 'mul'],
        ['if', 'add'],
        ['sin', 'sin'],
      ],
    );
    const literal = (x: number): Operand => ({ kind: 'literal', value: scalarTensor(x) });
    assert.deepEqual(g.vertices[0].operands, [{ kind: 'input', index: 0 }]);
    assert.deepEqual(g.vertices[1].operands, [{ kind: 'vertex', id: 1 }, literal(Infinity)]);
    assert.deepEqual(g.vertices[3].operands, [{ kind: 'input', index: 1 }, literal(NaN)]);
    assert.deepEqual(g.vertices[4].operands, [
      { kind: 'vertex', id: 3 },
      { kind: 'input', index: 1 },
    ]);
    assert.deepEqual(g.vertices[5].operands, [{ kind: 'vertex', id: 5 }, literal(Infinity)]);
    assert.deepEqual(g.outputs.at(-2), { kind: 'input', index: 0 });
  });

  test('in as an operand of abs, in a jaxpr that evaluates', () => {
    const g = importJaxpr(`{ lambda ; in:f32[] let:f32[]. let
    lambda:f32[] = abs in
    inf:f32[] = min lambda inf:f32[]
    nan:f32[] = mul inf let
  in (nan, in, lambda) }`);
    const out = outputValues(g, evaluateGraph(g, [tensor([], [-0.4]), tensor([], [1.5])]));
    assert.deepEqual(
      out.map((t) => t.data[0]),
      [0.4 * 1.5, -0.4, 0.4],
    );
  });

  test('a literal name that starts an equation line is its first output', () => {
    assert.throws(
      () =>
        importJaxpr(
          '{ lambda ; a:f32[]. let\n    b:f32[] = sin a\n    inf:f32[] c:f32[] = sin b\n  in (c,) }',
        ),
      /line 3: equation 'sin' has 2 outputs/,
    );
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
    [
      'a bare inf is a variable',
      '{ lambda ; a:f32[]. let\n    b:f32[] = min a inf\n  in (b,) }',
      /line 2: unknown variable 'inf'/,
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
