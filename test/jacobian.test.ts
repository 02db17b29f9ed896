import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ALL_PRIMITIVES,
  GraphBuilder,
  countOrder,
  eliminableVertices,
  evaluateGraph,
  finiteDifferenceJacobian,
  jacobianAtPoint,
  localJacobians,
  np,
  outputValues,
  resolveOrder,
  tapeForwardJacobian,
  tapeReverseJacobian,
  tensor,
  trace,
  type Graph,
  type Shape,
  type Tensor,
  type TracedFunction,
  type VertexId,
} from '../src/index.js';
import { EdgeGraph } from '../src/search/index.js';

// ---- helpers ----------------------------------------------------------------------------------------

/** mulberry32: a tiny seeded PRNG, so random points and orders are the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const k = Math.floor(rand() * (i + 1));
    [out[i], out[k]] = [out[k], out[i]];
  }
  return out;
}

const size = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

/** Row-major multi-index of flat element k, for readable failure messages. */
function multiIndex(shape: Shape, k: number): number[] {
  const index: number[] = [];
  for (let ax = shape.length - 1; ax >= 0; ax--) {
    index.unshift(k % shape[ax]);
    k = Math.floor(k / shape[ax]);
  }
  return index;
}

/** |a - b| <= tol · max(1, |a|, |b|) element-wise, naming the function, order, output, input and element. */
function assertJacobiansClose(
  actual: readonly (readonly Tensor[])[],
  expected: readonly (readonly Tensor[])[],
  tol: number,
  label: string,
): void {
  assert.equal(actual.length, expected.length, `${label}: number of outputs`);
  actual.forEach((row, i) => {
    assert.equal(row.length, expected[i].length, `${label}: output ${i}: number of inputs`);
    row.forEach((a, j) => {
      const e = expected[i][j];
      const where = `${label}: d(output ${i})/d(input ${j})`;
      assert.deepEqual([...a.shape], [...e.shape], `${where}: shape`);
      for (let k = 0; k < a.data.length; k++) {
        const x = a.data[k];
        const y = e.data[k];
        if (!(Math.abs(x - y) <= tol * Math.max(1, Math.abs(x), Math.abs(y)))) {
          assert.fail(`${where}, element ${k} [${multiIndex(a.shape, k)}]: got ${x}, expected ${y}`);
        }
      }
    });
  });
}

function assertOutputsEqual(actual: readonly Tensor[], expected: readonly Tensor[], label: string): void {
  assert.equal(actual.length, expected.length, `${label}: number of outputs`);
  actual.forEach((a, i) => {
    assert.deepEqual([...a.shape], [...expected[i].shape], `${label}: output ${i} shape`);
    assert.deepEqual(a.data, expected[i].data, `${label}: output ${i} values`);
  });
}

const primitivesOf = (graph: Graph): Set<string> => new Set(graph.vertices.map((v) => v.primitive));

// ---- the traced functions ---------------------------------------------------------------------------

/** An input: its shape and the interval its random values come from (inside the domain, off kinks). */
interface InputRange {
  readonly shape: Shape;
  readonly lo: number;
  readonly hi: number;
}

interface Case {
  readonly name: string;
  readonly fn: TracedFunction;
  readonly inputs: readonly InputRange[];
  /** False when stop_gradient cuts a value-dependent path: the exact Jacobian then differs from FD. */
  readonly smooth?: boolean;
}

const r = (shape: Shape, lo: number, hi: number): InputRange => ({ shape, lo, hi });

const CASES: readonly Case[] = [
  {
    name: 'scalar unary chain (x·x reuse, reused output)',
    inputs: [r([], 0.4, 0.9), r([], 1.5, 2.5)],
    fn: (x, y) => {
      const xx = np.mul(x, x);
      const a = np.add(np.sin(xx), np.cos(y));
      const b = np.div(np.exp(np.tan(x)), np.log(y));
      const c = np.sub(np.mul(np.log1p(np.square(x)), np.sqrt(y)), np.rsqrt(y));
      const d = np.add(np.integerPow(np.abs(np.neg(x)), 3), np.integerPow(a, -2));
      return [a, np.mul(b, c), d];
    },
  },
  {
    name: 'inverse trig and hyperbolic on a vector',
    inputs: [r([4], -0.8, 0.8), r([], 1.5, 3)],
    fn: (x, y) => {
      const s = np.add(np.asin(np.mul(x, 0.9)), np.acos(np.mul(0.5, x)));
      const t = np.mul(np.atan(x), np.sinh(x));
      const u = np.sub(np.cosh(np.mul(x, y)), np.tanh(y));
      const v = np.add(np.asinh(np.mul(x, 3)), np.acosh(np.add(np.mul(x, x), y)));
      const w = np.mul(np.atanh(np.mul(x, 0.7)), np.sigmoid(np.mul(s, t)));
      const z = np.erf(np.mul(0.3, np.sub(u, v)));
      return [np.add(np.add(w, z), s), np.sum(t)];
    },
  },
  {
    name: 'binary ops with size-1 broadcasting (4,1)+(1,1)',
    inputs: [r([4, 1], 0.5, 1.5), r([1, 1], 0.5, 1.5), r([3], 0.5, 1.5)],
    fn: (a, b, c) => {
      const ab = np.add(a, b);
      const abc = np.mul(ab, c);
      const d = np.div(np.sub(abc, b), np.add(c, 1));
      const e = np.add(np.pow(ab, c), np.pow(c, 1.5));
      const f = np.atan2(np.sub(a, 1), c);
      const g = np.maximum(d, e);
      return [np.add(g, np.minimum(f, np.mul(b, 0.3))), ab];
    },
  },
  {
    name: 'dense layer whose output is reused',
    inputs: [r([3, 4], -1, 1), r([4], -1, 1), r([3], -0.5, 0.5)],
    fn: (W, x, bias) => {
      const h = np.tanh(np.add(np.matmul(W, x), bias));
      const loss = np.sum(np.mul(h, h));
      return [h, loss, np.matmul(W.T, h)];
    },
  },
  {
    name: 'batched matmul, matrix product and axis reductions',
    inputs: [r([2, 3, 4], -1, 1), r([2, 4, 2], -1, 1), r([2, 3], -1, 1)],
    fn: (A, B, M) => {
      const C = np.matmul(A, B);
      const s = np.sum(np.sin(C), [0, 2]);
      const m = np.max(C, 1);
      const t = np.transpose(np.exp(np.mul(m, 0.1)), [1, 0]);
      const mm = np.matmul(np.reshape(m, [2, 2]), M);
      // Batch axis 1 of A against axis 0 of M (not leading), contracting A's axis 0 with M's axis 1.
      const Ab = np.dotGeneral(np.slice(A, [0, 0, 0], [2, 3, 1]), M, [
        [[0], [0]],
        [[1], [1]],
      ]);
      return [s, t, np.sum(C), np.min(mm, -1), np.cos(Ab)];
    },
  },
  {
    name: 'outer product, two-axis contraction, max/min reductions',
    inputs: [r([3], -1, 1), r([4], -1, 1), r([3, 4], -1, 1)],
    fn: (u, v, D) => {
      const outer = np.dotGeneral(u, v, [
        [[], []],
        [[], []],
      ]);
      const P = np.mul(outer, D);
      const full = np.dotGeneral(outer, D, [
        [
          [0, 1],
          [0, 1],
        ],
        [[], []],
      ]);
      // The same contraction with the axis pairs listed in the other order, against Dᵀ.
      const swapped = np.dotGeneral(outer, np.transpose(D), [
        [
          [1, 0],
          [0, 1],
        ],
        [[], []],
      ]);
      const colMin = np.min(P, 0);
      const rowMax = np.max(P, [1]);
      const uu = np.dot(u, u);
      return [np.add(colMin, uu), np.mul(rowMax, full), np.min(np.max(P, []), [0, 1]), np.sub(swapped, full)];
    },
  },
  {
    name: 'reshape, squeeze, expandDims, broadcast_in_dim',
    inputs: [r([2, 3], -1, 1), r([], 0.5, 1.5)],
    fn: (x, s) => {
      const q = np.squeeze(np.reshape(np.transpose(x), [3, 2, 1]), 2);
      const e = np.expandDims(np.sin(q), 0);
      const b = np.mul(np.broadcastTo(e, [4, 3, 2]), np.broadcastTo(s, [4, 3, 2]));
      const col = np.broadcastTo(np.reshape(np.sum(x, 0), [1, 3, 1]), [4, 3, 2]);
      const flat = np.squeeze(np.reshape(q, [1, 6, 1]));
      return [np.sum(np.mul(b, col), [0]), np.mul(flat, flat)];
    },
  },
  {
    name: 'strided slices and concatenation',
    inputs: [r([6], -1, 1), r([2, 3], -1, 1)],
    fn: (x, y) => {
      const even = np.slice(x, [0], [6], [2]);
      const odd = np.slice(x, [1], [6], [2]);
      const mid = np.slice(x, [1], [5]);
      const cat = np.concatenate([np.mul(even, odd), np.exp(mid), even], 0);
      const ycols = np.slice(y, [0, 0], [2, 3], [1, 2]);
      const stacked = np.concatenate([ycols, np.reshape(np.slice(x, [2], [6]), [2, 2])], 1);
      return [cat, np.tanh(stacked), np.concatenate([y, y], 0)];
    },
  },
  {
    name: 'comparisons, where and a three-way select_n',
    inputs: [r([5], -1, 1), r([5], 0.5, 1.5)],
    fn: (x, y) => {
      const pos = np.greater(x, 0);
      const a = np.where(pos, np.mul(x, y), np.exp(x));
      const b = np.where(np.lessEqual(x, 0.5), np.square(y), x);
      // which ∈ {0, 1, 2}: a select_n with three cases.
      const which = np.add(np.greater(x, -0.3), np.greaterEqual(x, 0.4));
      const c = np.bind('select_n', [which, np.sin(x), np.cos(y), np.mul(x, x)], {});
      // eq/ne of 0/1 masks, and stop_gradient of a mask: piecewise constant, so FD agrees.
      const mask = np.stopGradient(np.equal(np.notEqual(pos, 0), np.less(x, 2)));
      const d = np.mul(mask, y);
      const e = np.where(np.greater(np.sum(y), 0), x, y);
      const f = np.where(np.less(np.sum(y), 0), x, np.mul(y, 2));
      return [a, np.add(b, c), np.add(d, e), f];
    },
  },
  {
    name: 'convert_element_type, copy, add_any, stop_gradient',
    smooth: false,
    inputs: [r([3], -1, 1), r([3], -1, 1)],
    fn: (x, y) => {
      const cx = np.bind('convert_element_type', [x], {});
      const cp = np.bind('copy', [np.mul(cx, y)], {});
      const s = np.bind('add_any', [cp, np.sin(x)], {});
      const sg = np.stopGradient(np.mul(x, y));
      return [np.add(s, np.mul(sg, y)), cx];
    },
  },
  {
    name: 'outputs that are inputs, literals and repeated vertices',
    inputs: [r([2, 2], -1, 1), r([], 0.5, 1.5)],
    fn: (x, y) => {
      const h = np.mul(np.exp(x), y);
      const k = np.sum(np.mul(h, h), 1);
      const lit = np.add(2, 3); // a vertex of literals only: no predecessors
      return [x, h, np.mul(k, lit), 7, y, h];
    },
  },
  {
    name: 'Griewank & Walther (sin(xy) + xy, log sin(xy))',
    inputs: [r([], 0.5, 1), r([], 0.5, 1.2)],
    fn: (x, y) => {
      const xy = np.mul(x, y);
      const s = np.sin(xy);
      return [np.add(s, xy), np.log(s)];
    },
  },
  {
    name: 'softmax and normalisation over axes',
    inputs: [r([2, 4], -2, 2)],
    fn: (x) => {
      const m = np.max(x, 1);
      const e = np.exp(np.sub(x, np.expandDims(m, 1)));
      const p = np.div(e, np.expandDims(np.sum(e, -1), 1));
      const centered = np.sub(x, np.div(np.sum(x, [0, 1]), 8));
      const variance = np.div(np.sum(np.square(centered)), 8);
      const normed = np.mul(centered, np.rsqrt(np.add(variance, 1e-3)));
      return [np.sum(p, []), normed, np.log(np.sum(e, 1))];
    },
  },
  {
    name: 'pow and scalar-with-tensor mixing',
    inputs: [r([3], 0.5, 2), r([], 0.5, 1.5)],
    fn: (x, s) => {
      const a = np.add(np.pow(x, s), np.pow(s, x));
      const b = np.add(np.pow(x, 2.5), np.sub(1, np.div(2, x)));
      const c = np.add(x.pow(2), np.mul(np.mul(s, s), x));
      return np.sum(np.add(a, np.mul(b, c)));
    },
  },
];

const graphOf = (c: Case): Graph =>
  trace(
    c.fn,
    c.inputs.map((i) => i.shape),
  );

/** A point for each case, seeded by the case's position so it never depends on which tests run. */
function pointOf(c: Case, index: number): Tensor[] {
  const rand = mulberry32(1000 + index);
  return c.inputs.map(({ shape, lo, hi }) =>
    tensor(
      shape,
      Array.from({ length: size(shape) }, () => lo + (hi - lo) * rand()),
    ),
  );
}

/** Forward, reverse, Markowitz and 20 random permutations of the eliminable vertices. */
function ordersOf(graph: Graph, seed: number): { name: string; order: VertexId[] }[] {
  const rand = mulberry32(seed);
  const eliminable = eliminableVertices(graph);
  return [
    { name: 'forward', order: resolveOrder(graph, 'forward') },
    { name: 'reverse', order: resolveOrder(graph, 'reverse') },
    { name: 'markowitz', order: resolveOrder(graph, 'markowitz') },
    ...Array.from({ length: 20 }, (_v, k) => {
      const order = shuffled(eliminable, rand);
      return { name: `random #${k} [${order.join(',')}]`, order: resolveOrder(graph, order) };
    }),
  ];
}

// ---- per-function checks ----------------------------------------------------------------------------

CASES.forEach((c, index) => {
  describe(c.name, () => {
    const graph = graphOf(c);
    const inputs = pointOf(c, index);
    const orders = ordersOf(graph, 7919 * (index + 1));

    test('tape forward and reverse agree, and outputs match evaluateGraph', () => {
      const expected = outputValues(graph, evaluateGraph(graph, inputs));
      const fwd = tapeForwardJacobian(graph, inputs);
      const rev = tapeReverseJacobian(graph, inputs);
      assertOutputsEqual(fwd.outputs, expected, `${c.name}: tape forward`);
      assertOutputsEqual(rev.outputs, expected, `${c.name}: tape reverse`);
      assertJacobiansClose(fwd.jacobian, rev.jacobian, 1e-12, `${c.name}: tape forward vs reverse`);
    });

    test('tape Jacobians agree with central differences', { skip: c.smooth === false }, () => {
      const fd = finiteDifferenceJacobian(graph, inputs);
      assertOutputsEqual(fd.outputs, outputValues(graph, evaluateGraph(graph, inputs)), `${c.name}: FD`);
      const fwd = tapeForwardJacobian(graph, inputs);
      assertJacobiansClose(fwd.jacobian, fd.jacobian, 1e-6, `${c.name}: tape forward vs FD`);
    });

    test('forward, reverse, Markowitz and 20 random orders reproduce the tape Jacobians', () => {
      const expected = outputValues(graph, evaluateGraph(graph, inputs));
      const fwd = tapeForwardJacobian(graph, inputs).jacobian;
      const rev = tapeReverseJacobian(graph, inputs).jacobian;
      for (const { name, order } of orders) {
        const result = jacobianAtPoint(graph, inputs, order);
        assertOutputsEqual(result.outputs, expected, `${c.name}, order ${name}`);
        assertJacobiansClose(result.jacobian, fwd, 1e-9, `${c.name}, order ${name} vs tape forward`);
        assertJacobiansClose(result.jacobian, rev, 1e-9, `${c.name}, order ${name} vs tape reverse`);
      }
    });

    test('multiplications counted in the kernel equal the symbolic count, per step', () => {
      for (const { name, order } of orders) {
        const numeric = jacobianAtPoint(graph, inputs, order);
        const symbolic = countOrder(graph, order);
        assert.deepEqual(numeric.steps, symbolic.steps, `${c.name}, order ${name}: per-step counts`);
        assert.equal(numeric.multiplications, symbolic.multiplications, `${c.name}, order ${name}: total`);
      }
    });
  });
});

test('the traced functions cover every primitive', () => {
  const seen = new Set<string>();
  for (const c of CASES) {
    const graph = graphOf(c);
    for (const p of primitivesOf(graph)) seen.add(p);
  }
  const missing = ALL_PRIMITIVES.filter((p) => !seen.has(p));
  assert.deepEqual(missing, [], `primitives not exercised: ${missing.join(', ')}`);
});

test('the functions include an eliminable output and an output that is an input', () => {
  const reused = CASES.filter((c) => {
    const graph = graphOf(c);
    const eliminable = new Set(eliminableVertices(graph));
    return graph.outputs.some((op) => op.kind === 'vertex' && eliminable.has(op.id));
  });
  assert.ok(reused.length >= 3, `only ${reused.length} functions have an eliminable output`);
  const direct = CASES.filter((c) => graphOf(c).outputs.some((op) => op.kind === 'input'));
  assert.ok(direct.length >= 1, 'no function returns an input directly');
});

// ---- hand-checked examples --------------------------------------------------------------------------

describe('Griewank & Walther example f(x, y) = (sin(xy) + xy, log(sin(xy)))', () => {
  const graph = trace(
    (x, y) => {
      const xy = np.mul(x, y);
      const s = np.sin(xy);
      return [np.add(s, xy), np.log(s)];
    },
    [[], []],
  );
  const [x, y] = [0.7, 1.3];
  const inputs = [tensor([], [x]), tensor([], [y])];

  test('forward costs 8, reverse 6, Markowitz 6, in the kernel and symbolically', () => {
    const expected = { forward: 8, reverse: 6, markowitz: 6 } as const;
    for (const [name, count] of Object.entries(expected)) {
      const order = resolveOrder(graph, name as keyof typeof expected);
      assert.equal(countOrder(graph, order).multiplications, count, `${name}: symbolic`);
      assert.equal(jacobianAtPoint(graph, inputs, order).multiplications, count, `${name}: kernel`);
    }
    assert.deepEqual(resolveOrder(graph, 'markowitz'), [2, 1]);
  });

  test('the Jacobian matches the analytic formula', () => {
    const xy = x * y;
    const d1 = Math.cos(xy) + 1; // d(sin u + u)/du
    const d2 = Math.cos(xy) / Math.sin(xy); // d(log sin u)/du
    const analytic = [
      [tensor([], [d1 * y]), tensor([], [d1 * x])],
      [tensor([], [d2 * y]), tensor([], [d2 * x])],
    ];
    for (const spec of ['forward', 'reverse', 'markowitz'] as const) {
      const result = jacobianAtPoint(graph, inputs, resolveOrder(graph, spec));
      assertJacobiansClose(result.jacobian, analytic, 1e-12, `G&W ${spec}`);
    }
    assertJacobiansClose(tapeForwardJacobian(graph, inputs).jacobian, analytic, 1e-12, 'G&W tape forward');
    assertJacobiansClose(tapeReverseJacobian(graph, inputs).jacobian, analytic, 1e-12, 'G&W tape reverse');
  });
});

describe('hand-counted structure', () => {
  test('diagonal ∘ diagonal costs n per product', () => {
    const n = 5;
    const graph = trace((x) => np.tanh(np.exp(np.sin(x))), [[n]]);
    const inputs = [tensor([n], [0.1, 0.2, 0.3, 0.4, 0.5])];
    for (const order of [
      [1, 2],
      [2, 1],
    ]) {
      const cost = countOrder(graph, order);
      assert.deepEqual(
        cost.steps.map((s) => s.multiplications),
        [n, n],
        `order ${order}`,
      );
      assert.equal(jacobianAtPoint(graph, inputs, order).multiplications, 2 * n);
    }
  });

  test('structural edges (transpose, reshape, broadcast) cost nothing in any order', () => {
    const graph = trace((x) => np.sin(np.broadcastTo(np.reshape(np.transpose(x), [6]), [2, 6])), [[2, 3]]);
    const inputs = [tensor([2, 3], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6])];
    const eliminable = eliminableVertices(graph);
    assert.deepEqual(eliminable, [1, 2, 3]);
    const rand = mulberry32(42);
    for (let k = 0; k < 6; k++) {
      const order = shuffled(eliminable, rand);
      assert.equal(countOrder(graph, order).multiplications, 0, `order ${order}`);
      const result = jacobianAtPoint(graph, inputs, order);
      assert.equal(result.multiplications, 0, `order ${order}: kernel`);
      assertJacobiansClose(result.jacobian, tapeForwardJacobian(graph, inputs).jacobian, 1e-12, `${order}`);
    }
  });

  test('strided slice and transpose Jacobians are the expected selections', () => {
    // slice x[1:6:2] of a (6,) reads x[1], x[3], x[5]; transpose of (2,3) sends x[i,j] to out[j,i].
    const graph = trace((x, y) => [np.slice(x, [1], [6], [2]), np.transpose(y)], [[6], [2, 3]]);
    const inputs = [tensor([6], [1, 2, 3, 4, 5, 6]), tensor([2, 3], [1, 2, 3, 4, 5, 6])];
    const sliceJ = new Float64Array(18);
    [1, 3, 5].forEach((col, row) => (sliceJ[row * 6 + col] = 1));
    const transposeJ = new Float64Array(36);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) transposeJ[(j * 2 + i) * 6 + (i * 3 + j)] = 1;
    const expected = [
      [tensor([3, 6], sliceJ), tensor([3, 2, 3], new Float64Array(18))],
      [tensor([3, 2, 6], new Float64Array(36)), tensor([3, 2, 2, 3], transposeJ)],
    ];
    assertJacobiansClose(tapeForwardJacobian(graph, inputs).jacobian, expected, 0, 'selections, tape');
    assertJacobiansClose(jacobianAtPoint(graph, inputs, []).jacobian, expected, 0, 'selections');
    assertOutputsEqual(
      jacobianAtPoint(graph, inputs, []).outputs,
      [tensor([3], [2, 4, 6]), tensor([3, 2], [1, 4, 2, 5, 3, 6])],
      'selection values',
    );
  });

  test('dot_general with its axis pairs permuted equals the plain contraction', () => {
    // Σ_ab P[a,b]·D[a,b] contracted as ((0,1),(0,1)) against D and as ((1,0),(0,1)) against Dᵀ.
    const graph = trace(
      (P, D) => [
        np.dotGeneral(P, D, [
          [
            [0, 1],
            [0, 1],
          ],
          [[], []],
        ]),
        np.dotGeneral(P, np.transpose(D), [
          [
            [1, 0],
            [0, 1],
          ],
          [[], []],
        ]),
      ],
      [
        [2, 3],
        [2, 3],
      ],
    );
    const P = tensor([2, 3], [1, 2, 3, 4, 5, 6]);
    const D = tensor([2, 3], [0.5, -1, 2, 0.25, 3, -2]);
    const result = jacobianAtPoint(graph, [P, D], resolveOrder(graph, 'reverse'));
    const dot = P.data.reduce((s, p, k) => s + p * D.data[k], 0);
    assertOutputsEqual(result.outputs, [tensor([], [dot]), tensor([], [dot])], 'permuted contraction values');
    assertJacobiansClose([result.jacobian[1]], [result.jacobian[0]], 0, 'permuted contraction');
    assertJacobiansClose([result.jacobian[0]], [[D, P]], 0, 'd(P·D)');
  });

  test('a dense 3x4 partial times diag(4) costs 12', () => {
    const b = new GraphBuilder();
    const x = b.addInput('x', [4]);
    const s = b.addVertex('sin', [x], {});
    const A = tensor([3, 4], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const y = b.addVertex('dot_general', [{ kind: 'literal', value: A }, s], {
      dimension_numbers: [
        [[1], [0]],
        [[], []],
      ],
    });
    const graph = b.build([y]);
    const inputs = [tensor([4], [0.1, 0.2, 0.3, 0.4])];
    assert.equal(countOrder(graph, [1]).multiplications, 12);
    const result = jacobianAtPoint(graph, inputs, [1]);
    assert.equal(result.multiplications, 12);
    // J = A · diag(cos x).
    const expected = tensor(
      [3, 4],
      Array.from({ length: 12 }, (_v, k) => A.data[k] * Math.cos(inputs[0].data[k % 4])),
    );
    assertJacobiansClose(result.jacobian, [[expected]], 1e-12, 'A·diag(cos x)');
  });

  test('a scalar vertex costs |preds|·|succs|', () => {
    // v1 = a·b; v2 = select_n(1, v1, c, d) (three valued preds); v3..v5 read v2 (three succs).
    const b = new GraphBuilder();
    const [a, bb, c, d] = ['a', 'b', 'c', 'd'].map((name) => b.addInput(name, []));
    const v1 = b.addVertex('mul', [a, bb], {});
    const v2 = b.addVertex('select_n', [{ kind: 'literal', value: tensor([], [1]) }, v1, c, d], {});
    const v3 = b.addVertex('sin', [v2], {});
    const v4 = b.addVertex('cos', [v2], {});
    const v5 = b.addVertex('mul', [v2, d], {});
    const graph = b.build([v3, v4, v5]);
    const inputs = [0.3, 0.6, 0.9, 1.2].map((v) => tensor([], [v]));
    const steps = (order: number[]) => countOrder(graph, order).steps.map((s) => s.multiplications);
    assert.deepEqual(steps([2, 1]), [3 * 3, 2 * 3]);
    assert.deepEqual(steps([1, 2]), [2 * 1, 4 * 3]);
    assert.deepEqual(resolveOrder(graph, 'markowitz'), [1, 2]);
    for (const order of [
      [1, 2],
      [2, 1],
    ]) {
      const result = jacobianAtPoint(graph, inputs, order);
      assert.deepEqual(result.steps, countOrder(graph, order).steps);
      assertJacobiansClose(result.jacobian, tapeReverseJacobian(graph, inputs).jacobian, 1e-12, `${order}`);
    }
  });

  test('on all-scalar graphs every step costs the current |preds|·|succs|', () => {
    const scalarCases = CASES.filter((k) => k.inputs.every((i) => i.shape.length === 0));
    assert.ok(scalarCases.length >= 2);
    for (const c of scalarCases) {
      const graph = graphOf(c);
      const rand = mulberry32(5);
      for (let k = 0; k < 10; k++) {
        const edges = EdgeGraph.symbolic(graph, localJacobians(graph, null));
        for (const v of shuffled(eliminableVertices(graph), rand)) {
          const { preds, succs } = edges.degree(v);
          assert.equal(edges.eliminate(v), preds * succs, `${c.name}: vertex ${v}`);
        }
      }
    }
  });
});

test('finiteDifferenceJacobian honours a custom step', () => {
  // Central differences are exact on a quadratic whatever the step (up to rounding).
  const graph = trace((x) => np.add(np.mul(x, x), np.mul(3, x)), [[3]]);
  const inputs = [tensor([3], [0.5, -1, 2])];
  const fd = finiteDifferenceJacobian(graph, inputs, { step: 0.1 });
  const expected = tensor([3, 3], [4, 0, 0, 0, 1, 0, 0, 0, 7]);
  assertJacobiansClose(fd.jacobian, [[expected]], 1e-9, 'FD step 0.1');
  assert.throws(() => finiteDifferenceJacobian(graph, inputs, { step: 0 }), RangeError);
});

test('stop_gradient and the copies: Jacobian by hand', () => {
  const c = CASES.find((k) => k.smooth === false) as Case;
  const graph = graphOf(c);
  const [x, y] = pointOf(c, CASES.indexOf(c));
  const diag = (f: (k: number) => number) =>
    tensor(
      [3, 3],
      Array.from({ length: 9 }, (_v, k) => (k % 4 === 0 ? f(k / 4) : 0)),
    );
  // out0 = x·y + sin x + stop(x·y)·y: the stopped factor is a constant.
  const expected = [
    [diag((k) => y.data[k] + Math.cos(x.data[k])), diag((k) => x.data[k] + x.data[k] * y.data[k])],
    [diag(() => 1), diag(() => 0)],
  ];
  for (const spec of ['forward', 'reverse', 'markowitz'] as const) {
    const result = jacobianAtPoint(graph, [x, y], resolveOrder(graph, spec));
    assertJacobiansClose(result.jacobian, expected, 1e-12, `stop_gradient ${spec}`);
  }
});
