import { GraphBuilder, tensor, type Graph, type Operand, type Tensor } from '../src/index.js';
import type { Primitive } from '../src/graph/primitive.js';

/**
 * Small graphs for every primitive (test/primitive-table.test.ts): broadcasting, literals, edge values
 * (0, −0, negative, large, domain boundaries, ties) and smooth points for finite differences, each with
 * its values written out without the library.
 */

export interface Input {
  readonly shape: readonly number[];
  /** Edge values: compiled and interpreted results must agree here, including ±Inf and NaN. */
  readonly edge: readonly number[];
  /** Smooth points inside the domain, for finite differences (default: the edge values). */
  readonly smooth?: readonly number[];
}

export interface Case {
  readonly label: string;
  readonly inputs: readonly Input[];
  build(b: GraphBuilder, xs: readonly Operand[]): Operand;
  /** False where finite differences cannot see the derivative (stop_gradient). */
  readonly finiteDifferences?: false;
  /** The output's values, computed without the library. */
  value(xs: readonly Float64Array[]): readonly number[];
}

const lit = (shape: number[], data: number[]): Operand => ({ kind: 'literal', value: tensor(shape, data) });
export const E = [0, -0, -2.5, 0.75, 1e6, -1e6];

/** Index of out element k into an operand broadcast (NumPy rules) to shape `out`. */
function broadcastIndex(operand: readonly number[], out: readonly number[], k: number): number {
  let rem = k;
  let idx = 0;
  let stride = 1;
  for (let ax = out.length - 1; ax >= 0; ax--) {
    const coord = rem % out[ax];
    rem = Math.floor(rem / out[ax]);
    const oa = ax - (out.length - operand.length);
    if (oa >= 0) {
      if (operand[oa] !== 1) idx += coord * stride;
      stride *= operand[oa];
    }
  }
  return idx;
}

function outShapeOf(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_v, i) => {
    const da = a[i - (rank - a.length)] ?? 1;
    const db = b[i - (rank - b.length)] ?? 1;
    return da === 1 ? db : da;
  });
}

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

function unary(
  p: Primitive,
  f: (x: number) => number,
  edge: readonly number[],
  smooth?: readonly number[],
  params: object = {},
  label: string = p,
): Case {
  return {
    label,
    inputs: [{ shape: [2, 3], edge, smooth }],
    build: (b, [x]) => b.addVertex(p, [x], params as never),
    value: ([x]) => Array.from(x, f),
  };
}

interface BinaryPoints {
  readonly shapes: readonly [readonly number[], readonly number[]];
  readonly edge: readonly [readonly number[], readonly number[]];
  readonly smooth?: readonly [readonly number[], readonly number[]];
}

/** f(x, y) on broadcast shapes; a `literal` y enters the graph as a constant (no partial wanted). */
function binary(p: Primitive, f: (x: number, y: number) => number, points: readonly BinaryPoints[]): Case[] {
  const cases: Case[] = points.map(({ shapes: [sa, sb], edge, smooth }) => ({
    label: `${p} [${sa}]·[${sb}]`,
    inputs: [
      { shape: sa, edge: edge[0], smooth: smooth?.[0] },
      { shape: sb, edge: edge[1], smooth: smooth?.[1] },
    ],
    build: (b, [x, y]) => b.addVertex(p, [x, y], {} as never),
    value: ([x, y]) => {
      const out = outShapeOf(sa, sb);
      return Array.from({ length: size(out) }, (_v, k) =>
        f(x[broadcastIndex(sa, out, k)], y[broadcastIndex(sb, out, k)]),
      );
    },
  }));
  // The same with a literal right operand: only the left partial exists.
  const first = points[0];
  const y = first.smooth?.[1] ?? first.edge[1];
  cases.push({
    label: `${p} [${first.shapes[0]}]·literal`,
    inputs: [{ shape: first.shapes[0], edge: first.edge[0], smooth: first.smooth?.[0] }],
    build: (b, [x]) => b.addVertex(p, [x, lit([...first.shapes[1]], [...y])], {} as never),
    value: ([x]) => {
      const out = outShapeOf(first.shapes[0], first.shapes[1]);
      return Array.from({ length: size(out) }, (_v, k) =>
        f(x[broadcastIndex(first.shapes[0], out, k)], y[broadcastIndex(first.shapes[1], out, k)]),
      );
    },
  });
  return cases;
}

/** A one-operand data movement: the output element k is x[source[k]]. */
function movement(p: Primitive, shape: number[], params: object, source: number[], label: string): Case {
  return {
    label,
    inputs: [{ shape, edge: E.slice(0, size(shape)).concat(Array(Math.max(0, size(shape) - 6)).fill(3)) }],
    build: (b, [x]) => b.addVertex(p, [x], params as never),
    value: ([x]) => source.map((s) => x[s]),
  };
}

// Reference values of erf (Python's math.erf, an implementation independent of the library's).
const ERF = new Map<number, number>([
  [0, 0],
  [-2.5, -0.999593047982555],
  [0.75, 0.7111556336535151],
  [1e6, 1],
  [-1e6, -1],
  [3, 0.9999779095030014],
  [-1.5, -0.9661051464753108],
]);
const erfRef = (x: number): number => {
  const v = ERF.get(x);
  if (v === undefined) throw new Error(`no erf reference for ${x}`);
  return Object.is(x, -0) ? -0 : v;
};

const compareBoolean =
  (f: (x: number, y: number) => boolean) =>
  (x: number, y: number): number =>
    f(x, y) ? 1 : 0;
const comparisonPoints: BinaryPoints[] = [
  // Ties with 0 and −0 at the edge; finite differences away from any tie.
  { shapes: [[2, 3], []], edge: [E, [0]], smooth: [[0.5, -0.25, -2.5, 0.75, 1e6, -1e6], [0.1]] },
  { shapes: [[], [3]], edge: [[0.75], [0.75, -0, 1e6]], smooth: [[0.75], [0.5, -0.5, 1e6]] },
];

function reduce(p: 'reduce_sum' | 'reduce_max' | 'reduce_min', edge: number[], smooth: number[]): Case[] {
  const combine =
    p === 'reduce_sum' ? (a: number, b: number) => a + b : p === 'reduce_max' ? Math.max : Math.min;
  const init = p === 'reduce_sum' ? 0 : p === 'reduce_max' ? -Infinity : Infinity;
  return [
    {
      label: `${p} axis 1`,
      inputs: [{ shape: [2, 3], edge, smooth }],
      build: (b, [x]) => b.addVertex(p, [x], { axes: [1] }),
      value: ([x]) => [0, 1].map((r) => [0, 1, 2].reduce((acc, c) => combine(acc, x[r * 3 + c]), init)),
    },
    {
      label: `${p} all axes`,
      inputs: [{ shape: [2, 3], edge, smooth }],
      build: (b, [x]) => b.addVertex(p, [x], { axes: [0, 1] }),
      value: ([x]) => [Array.from(x).reduce((acc, v) => combine(acc, v), init)],
    },
  ];
}

export const CASES: { [P in Primitive]: Case[] } = {
  neg: [unary('neg', (x) => -x, E)],
  abs: [unary('abs', Math.abs, E, [0.5, -0.25, -2.5, 0.75, 1e6, -1e6])],
  exp: [unary('exp', Math.exp, [0, -0, -2.5, 0.75, 700, -1e6], [0, -0, -2.5, 0.75, 700, -30])],
  log: [unary('log', Math.log, [0, -0, -2.5, 0.75, 1e6, 1e-300], [0.1, 2, 0.75, 3, 1e6, 0.05])],
  log1p: [unary('log1p', Math.log1p, [0, -0, -0.5, 0.75, 1e6, -1], [0, -0, -0.5, 0.75, 1e6, -0.9])],
  sin: [unary('sin', Math.sin, E, [0, -0, -2.5, 0.75, 100, -30])],
  cos: [unary('cos', Math.cos, E, [0, -0, -2.5, 0.75, 100, -30])],
  tan: [unary('tan', Math.tan, E, [0, -0, -1.2, 0.75, 100, 3])],
  asin: [unary('asin', Math.asin, [0, -0, -0.5, 0.75, 1, 1e6], [0, -0, -0.5, 0.75, 0.9, -0.9])],
  acos: [unary('acos', Math.acos, [0, -0, -0.5, 0.75, -1, 1e6], [0, -0, -0.5, 0.75, 0.9, -0.9])],
  atan: [unary('atan', Math.atan, E)],
  sinh: [unary('sinh', Math.sinh, [0, -0, -2.5, 0.75, 1e6, -700], [0, -0, -2.5, 0.75, 700, -30])],
  cosh: [unary('cosh', Math.cosh, [0, -0, -2.5, 0.75, 1e6, -700], [0, -0, -2.5, 0.75, 700, -30])],
  tanh: [unary('tanh', Math.tanh, E, [0, -0, -2.5, 0.75, 20, -3])],
  asinh: [unary('asinh', Math.asinh, E)],
  acosh: [unary('acosh', Math.acosh, [1, 0, -0, 2.5, 1e6, 0.5], [1.5, 2, 3, 2.5, 1e6, 1.1])],
  atanh: [unary('atanh', Math.atanh, [0, -0, -0.5, 0.75, 1, 1e6], [0, -0, -0.5, 0.75, 0.9, -0.9])],
  sqrt: [unary('sqrt', Math.sqrt, [0, -0, -2.5, 0.75, 1e6, 1e-300], [0.1, 2, 0.75, 3, 1e6, 5])],
  rsqrt: [
    unary('rsqrt', (x) => 1 / Math.sqrt(x), [0, -0, -2.5, 0.75, 1e6, 1e-300], [0.1, 2, 0.75, 3, 1e6, 5]),
  ],
  logistic: [unary('logistic', (x) => 1 / (1 + Math.exp(-x)), E, [0, -0, -2.5, 0.75, 30, -30])],
  erf: [unary('erf', erfRef, E, [0, -0, -2.5, 0.75, 3, -1.5])],
  square: [unary('square', (x) => x * x, E)],
  integer_pow: [0, 1, 2, 3, 4, -1, -2, 7].map((y) =>
    unary(
      'integer_pow',
      (x) => x ** y,
      y < 0 ? [0, -0, -2.5, 0.75, 1e6, -1e6] : E,
      y < 0 ? [0.5, -0.25, -2.5, 0.75, 1e6, -1e6] : [0.5, -0.25, -2.5, 0.75, 100, -30],
      { y },
      `integer_pow y=${y}`,
    ),
  ),
  add: binary('add', (x, y) => x + y, [
    { shapes: [[2, 3], []], edge: [E, [-0]] },
    { shapes: [[], [3]], edge: [[-2.5], [0, -0, 1e6]] },
    { shapes: [[2, 3], [3]], edge: [E, [1, -0, 3]] },
  ]),
  add_any: binary('add_any', (x, y) => x + y, [
    { shapes: [[2, 3], []], edge: [E, [-0]] },
    { shapes: [[], [3]], edge: [[-2.5], [0, -0, 1e6]] },
  ]),
  sub: binary('sub', (x, y) => x - y, [
    { shapes: [[2, 3], []], edge: [E, [-0]] },
    { shapes: [[], [3]], edge: [[-2.5], [0, -0, 1e6]] },
  ]),
  mul: binary('mul', (x, y) => x * y, [
    { shapes: [[2, 3], []], edge: [E, [-0]], smooth: [E, [-1.5]] },
    { shapes: [[], [3]], edge: [[-2.5], [0, -0, 1e6]] },
    { shapes: [[2, 3], [3]], edge: [E, [1, -0, 3]] },
  ]),
  div: binary('div', (x, y) => x / y, [
    { shapes: [[2, 3], []], edge: [E, [-2.5]] },
    { shapes: [[], [3]], edge: [[1.5], [0, -0, -1e6]], smooth: [[1.5], [0.5, -2, -1e6]] },
  ]),
  pow: binary('pow', (x, y) => x ** y, [
    {
      shapes: [[2, 3], []],
      edge: [[0, -0, -2.5, 0.75, 1e6, 2], [2.5]],
      smooth: [[0.5, 3, 2.5, 0.75, 1e6, 2], [2.5]],
    },
    { shapes: [[], [3]], edge: [[0.75], [0, -0, -3]], smooth: [[0.75], [0.5, -1, -3]] },
    // A negative base with an integer exponent, and 0 to a negative power.
    { shapes: [[2, 3], []], edge: [E, [3]], smooth: [[0.5, 3, 2.5, 0.75, 100, 2], [3]] },
    { shapes: [[2, 3], []], edge: [E, [-1]], smooth: [[0.5, 3, 2.5, 0.75, 1e6, 2], [-1]] },
  ]),
  atan2: binary('atan2', Math.atan2, [
    { shapes: [[2, 3], []], edge: [E, [-0]], smooth: [[0.5, -0.3, -2.5, 0.75, 1e6, -1e6], [-2]] },
    { shapes: [[], [3]], edge: [[0], [0, -0, -1e6]], smooth: [[1.5], [0.5, -0.5, -1e6]] },
  ]),
  max: binary('max', Math.max, comparisonPoints),
  min: binary('min', Math.min, comparisonPoints),
  eq: binary(
    'eq',
    compareBoolean((x, y) => x === y),
    comparisonPoints,
  ),
  ne: binary(
    'ne',
    compareBoolean((x, y) => x !== y),
    comparisonPoints,
  ),
  lt: binary(
    'lt',
    compareBoolean((x, y) => x < y),
    comparisonPoints,
  ),
  le: binary(
    'le',
    compareBoolean((x, y) => x <= y),
    comparisonPoints,
  ),
  gt: binary(
    'gt',
    compareBoolean((x, y) => x > y),
    comparisonPoints,
  ),
  ge: binary(
    'ge',
    compareBoolean((x, y) => x >= y),
    comparisonPoints,
  ),
  convert_element_type: [
    movement('convert_element_type', [2, 3], {}, [0, 1, 2, 3, 4, 5], 'convert_element_type'),
  ],
  copy: [movement('copy', [2, 3], {}, [0, 1, 2, 3, 4, 5], 'copy')],
  reshape: [
    movement('reshape', [2, 3], { new_sizes: [3, 2] }, [0, 1, 2, 3, 4, 5], 'reshape [2,3]→[3,2]'),
    movement('reshape', [1], { new_sizes: [] }, [0], 'reshape [1]→[]'),
  ],
  squeeze: [
    movement('squeeze', [2, 1, 3], { dimensions: [1] }, [0, 1, 2, 3, 4, 5], 'squeeze [2,1,3] axis 1'),
    movement('squeeze', [1], { dimensions: [0] }, [0], 'squeeze [1]→[]'),
  ],
  transpose: [movement('transpose', [2, 3], { permutation: [1, 0] }, [0, 3, 1, 4, 2, 5], 'transpose [2,3]')],
  broadcast_in_dim: [
    movement(
      'broadcast_in_dim',
      [3],
      { shape: [2, 3], broadcast_dimensions: [1] },
      [0, 1, 2, 0, 1, 2],
      'broadcast [3]→[2,3]',
    ),
    movement(
      'broadcast_in_dim',
      [],
      { shape: [2, 3], broadcast_dimensions: [] },
      [0, 0, 0, 0, 0, 0],
      'broadcast []→[2,3]',
    ),
    movement(
      'broadcast_in_dim',
      [2, 1],
      { shape: [2, 3], broadcast_dimensions: [0, 1] },
      [0, 0, 0, 1, 1, 1],
      'broadcast [2,1]→[2,3]',
    ),
  ],
  slice: [
    movement(
      'slice',
      [2, 3],
      { start_indices: [0, 1], limit_indices: [2, 3], strides: null },
      [1, 2, 4, 5],
      'slice [:, 1:]',
    ),
    movement(
      'slice',
      [2, 3],
      { start_indices: [1, 0], limit_indices: [2, 3], strides: [1, 2] },
      [3, 5],
      'slice [1:, ::2]',
    ),
  ],
  concatenate: [
    {
      label: 'concatenate [2,3] ++ [2,1] on axis 1',
      inputs: [
        { shape: [2, 3], edge: E },
        { shape: [2, 1], edge: [-0, 7] },
      ],
      build: (b, [x, y]) => b.addVertex('concatenate', [x, y], { dimension: 1 }),
      value: ([x, y]) => [x[0], x[1], x[2], y[0], x[3], x[4], x[5], y[1]],
    },
    {
      label: 'concatenate [3] ++ literal ++ [3]',
      inputs: [{ shape: [3], edge: [0, -0, 1e6] }],
      build: (b, [x]) => b.addVertex('concatenate', [x, lit([1], [9]), x], { dimension: 0 }),
      value: ([x]) => [x[0], x[1], x[2], 9, x[0], x[1], x[2]],
    },
  ],
  stop_gradient: [
    {
      label: 'stop_gradient',
      finiteDifferences: false,
      inputs: [{ shape: [2, 3], edge: E }],
      // Multiplied by the input again, so a non-zero Jacobian passes around the stopped operand.
      build: (b, [x]) => b.addVertex('mul', [b.addVertex('stop_gradient', [x], {}), x], {}),
      value: ([x]) => Array.from(x, (v) => v * v),
    },
  ],
  select_n: [
    {
      label: 'select_n with a [2,3] predicate and three cases',
      inputs: [
        // Integer predicates at the edge (−0, out of range both ways); non-integers away from the jumps.
        { shape: [2, 3], edge: [0, 1, 2, -0, -1, 7], smooth: [0.5, 1.5, 2.5, 0.25, -0.5, 7.5] },
        { shape: [2, 3], edge: E },
        { shape: [2, 3], edge: [1, 2, 3, 4, 5, 6] },
        { shape: [2, 3], edge: [-1, -2, -3, -4, -5, -6] },
      ],
      build: (b, [w, x, y, z]) => b.addVertex('select_n', [w, x, y, z], {}),
      value: ([w, ...cs]) => Array.from(w, (p, k) => cs[Math.min(2, Math.max(0, Math.trunc(p)))][k]),
    },
    {
      label: 'select_n with a scalar predicate',
      inputs: [
        { shape: [], edge: [1], smooth: [1.5] },
        { shape: [3], edge: [0, -0, 1e6] },
        { shape: [3], edge: [-2.5, 0.75, -1e6] },
      ],
      build: (b, [w, x, y]) => b.addVertex('select_n', [w, x, y], {}),
      value: ([, , y]) => Array.from(y),
    },
  ],
  dot_general: [
    {
      label: 'dot_general matrix·vector',
      inputs: [
        { shape: [2, 3], edge: E },
        { shape: [3], edge: [-0, 0.5, -2] },
      ],
      build: (b, [a, v]) =>
        b.addVertex('dot_general', [a, v], {
          dimension_numbers: [
            [[1], [0]],
            [[], []],
          ],
        }),
      value: ([a, v]) => [0, 1].map((r) => a[r * 3] * v[0] + a[r * 3 + 1] * v[1] + a[r * 3 + 2] * v[2]),
    },
    {
      label: 'dot_general scalar·vector (outer)',
      inputs: [
        { shape: [], edge: [-0] },
        { shape: [3], edge: [0, 1e6, -2.5] },
      ],
      build: (b, [s, v]) =>
        b.addVertex('dot_general', [s, v], {
          dimension_numbers: [
            [[], []],
            [[], []],
          ],
        }),
      value: ([s, v]) => Array.from(v, (x) => s[0] * x),
    },
    {
      label: 'dot_general batched rows',
      inputs: [
        { shape: [2, 3], edge: E },
        { shape: [2, 3], edge: [1, 2, 3, -0, 0.5, -4] },
      ],
      build: (b, [x, y]) =>
        b.addVertex('dot_general', [x, y], {
          dimension_numbers: [
            [[1], [1]],
            [[0], [0]],
          ],
        }),
      value: ([x, y]) =>
        [0, 1].map((r) => x[r * 3] * y[r * 3] + x[r * 3 + 1] * y[r * 3 + 1] + x[r * 3 + 2] * y[r * 3 + 2]),
    },
  ],
  // Ties (0 and −0, a repeated 3) at the edge; distinct values for finite differences.
  reduce_sum: reduce('reduce_sum', [0, -0, -2.5, 0.75, 1e6, -1e6], [0.5, -0.25, -2.5, 0.75, 1e6, -1e6]),
  reduce_max: reduce('reduce_max', [0, -0, -2.5, 3, 3, -1e6], [0.5, -0.25, -2.5, 0.75, 1e6, -1e6]),
  reduce_min: reduce('reduce_min', [0, -0, 1e6, -2, -2, 3], [0.5, -0.25, -2.5, 0.75, 1e6, -1e6]),
};

export function graphOf(c: Case): Graph {
  const b = new GraphBuilder();
  const xs = c.inputs.map((inp, k) => b.addInput(`x${k}`, [...inp.shape]));
  const out = c.build(b, xs);
  // A second output reading the first makes its vertex eliminable, so orders multiply its partials.
  return b.build([out, b.addVertex('sin', [out], {})]);
}

export const pointOf = (c: Case, which: 'edge' | 'smooth'): Tensor[] =>
  c.inputs.map((inp) =>
    tensor([...inp.shape], [...(which === 'smooth' ? (inp.smooth ?? inp.edge) : inp.edge)]),
  );
