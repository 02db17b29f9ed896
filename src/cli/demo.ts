import {
  countOrder,
  jacobianAtPoint,
  np,
  pprintGraph,
  resolveOrder,
  tensor,
  trace,
  type Graph,
  type InputSpec,
  type Tensor,
  type Traced,
  type TracedFunction,
} from '../index.js';
import { quickOptimize, searchProblem, vertexLowerBounds } from '../search/index.js';
import { findTask, taskGraph } from '../tasks/index.js';
import { formatNumber, jacobianText } from './output.js';

/** Griewank & Walther's running example: f(x, y) = (sin(xy) + xy, log(sin(xy))). */
export function griewank(x: Traced, y: Traced): Traced[] {
  const xy = np.mul(x, y);
  const s = np.sin(xy);
  return [np.add(s, xy), np.log(s)];
}
export const griewankInputs: InputSpec[] = [
  { name: 'x', shape: [] },
  { name: 'y', shape: [] },
];

/** Its Jacobian by hand, [[dy1/dx, dy1/dy], [dy2/dx, dy2/dy]], to check elimination against. */
export function griewankJacobian(x: number, y: number): number[][] {
  const c = Math.cos(x * y);
  const cot = c / Math.sin(x * y);
  return [
    [y * (c + 1), x * (c + 1)],
    [y * cot, x * cot],
  ];
}

/** A tiny tensor program: one tanh layer summed to a scalar, y = sum(tanh(W x + b)). */
export function tanhLayer(W: Traced, x: Traced, b: Traced): Traced {
  return np.sum(np.tanh(np.add(np.matmul(W, x), b)));
}
export const tanhLayerInputs: InputSpec[] = [
  { name: 'W', shape: [2, 3] },
  { name: 'x', shape: [3] },
  { name: 'b', shape: [2] },
];

interface Example {
  readonly title: string;
  readonly fn: TracedFunction;
  readonly inputs: readonly InputSpec[];
  readonly at: readonly Tensor[];
  readonly check?: (jacobian: Tensor[][]) => number;
}

const EXAMPLES: readonly Example[] = [
  {
    title: "Griewank & Walther's f(x, y) = (sin(xy) + xy, log(sin(xy)))",
    fn: griewank as TracedFunction,
    inputs: griewankInputs,
    at: [tensor([], [1.5]), tensor([], [0.5])],
    check: (jac) => maxAbsDiff(jac, griewankJacobian(1.5, 0.5)),
  },
  {
    title: 'a tanh layer, y = sum(tanh(W x + b)) with W 2x3, x of 3, b of 2',
    fn: tanhLayer as TracedFunction,
    inputs: tanhLayerInputs,
    at: [
      tensor([2, 3], [0.5, -0.25, 1, 0.75, 0.2, -0.5]),
      tensor([3], [1, -1, 0.5]),
      tensor([2], [0.1, -0.2]),
    ],
  },
];

const ORDERS = ['forward', 'reverse', 'markowitz'] as const;

/** Largest |a - b| over all Jacobian blocks (b as tensors or as a plain scalar matrix). */
function maxAbsDiff(a: Tensor[][], b: Tensor[][] | number[][]): number {
  let worst = 0;
  a.forEach((row, i) =>
    row.forEach((block, j) => {
      const other = b[i][j];
      block.data.forEach((x, k) => {
        const y = typeof other === 'number' ? other : other.data[k];
        worst = Math.max(worst, Math.abs(x - y));
      });
    }),
  );
  return worst;
}

const maxAbs = (jac: Tensor[][]): number =>
  Math.max(0, ...jac.flatMap((row) => row.flatMap((block) => Array.from(block.data, Math.abs))));

function runExample(n: number, ex: Example): string[] {
  const graph: Graph = trace(ex.fn, ex.inputs);
  const lines = [
    `${n}. ${ex.title}`,
    '',
    ...pprintGraph(graph)
      .split('\n')
      .map((line) => `   ${line}`),
    '',
  ];
  const runs = ORDERS.map((name) => {
    const order = resolveOrder(graph, name);
    const cost = countOrder(graph, order);
    const result = jacobianAtPoint(graph, ex.at, order);
    if (result.multiplications !== cost.multiplications) {
      throw new Error(
        `${name}: counted ${cost.multiplications} multiplications, executed ${result.multiplications}`,
      );
    }
    return { name, order, result };
  });
  const cheapest = Math.min(...runs.map((r) => r.result.multiplications));
  lines.push('   order       multiplications   elimination order');
  for (const r of runs) {
    const mark = r.result.multiplications === cheapest ? '   (cheapest)' : '';
    lines.push(
      `   ${r.name.padEnd(10)}  ${String(r.result.multiplications).padStart(15)}   ${r.order.join(', ')}${mark}`,
    );
  }
  lines.push('');
  const shown = runs.find((r) => r.result.multiplications === cheapest) ?? runs[0];
  const text = jacobianText(graph, ex.at, shown.result, shown.name, shown.order);
  lines.push(...text.split('\n').map((line) => `   ${line}`), '');

  const reference = runs[0].result.jacobian;
  const diff = Math.max(...runs.map((r) => maxAbsDiff(r.result.jacobian, reference)));
  const tolerance = 1e-12 * Math.max(1, maxAbs(reference));
  if (!(diff <= tolerance)) {
    throw new Error(`the orders disagree on the Jacobian of example ${n}: max |difference| = ${diff}`);
  }
  lines.push(
    `   forward, reverse and markowitz give the same Jacobian: max |difference| = ${formatNumber(diff)}`,
  );
  if (ex.check) {
    const analytic = ex.check(shown.result.jacobian);
    if (!(analytic <= tolerance))
      throw new Error(`example ${n} does not match its analytic Jacobian (${analytic})`);
    lines.push(`   and it matches the analytic Jacobian: max |difference| = ${formatNumber(analytic)}`);
  }
  return lines;
}

/** `crosscountry demo`: both built-in examples, their costs under each order and the agreeing Jacobians. */
export function demo(): string {
  const lines = ['crosscountry demo: exact Jacobians by vertex elimination in three orders', ''];
  EXAMPLES.forEach((ex, i) => lines.push(...runExample(i + 1, ex), ''));
  lines.push(...searchExample(EXAMPLES.length + 1), '');
  lines.push(
    'Try it on your own function (a module exporting fn and inputs), or on a paper task:',
    '  crosscountry print examples/griewank.ts',
    '  crosscountry cost examples/griewank.ts --order rev --steps',
    '  crosscountry jacobian examples/tanh-layer.ts --at examples/tanh-layer.inputs.json',
    '  crosscountry optimize RoeFlux_1d --budget 10 --cost-model alphagrad',
  );
  return lines.join('\n');
}

/** A paper task: the baselines against a 2-second search, with the proven lower bound. */
function searchExample(index: number): string[] {
  const task = findTask('RoeFlux_1d') as NonNullable<ReturnType<typeof findTask>>;
  const graph = taskGraph(task, 'ts');
  const count = (order: readonly number[]) => countOrder(graph, order).multiplications;
  const found = quickOptimize(graph, 2000);
  const bound = [...vertexLowerBounds(searchProblem(graph, 'native')).values()].reduce((a, b) => a + b, 0);
  const fwd = count(resolveOrder(graph, 'forward'));
  const rev = count(resolveOrder(graph, 'reverse'));
  const mk = count(resolveOrder(graph, 'markowitz'));
  return [
    `${index}. A paper task: RoeFlux_1d (Roe flux of the 1-D Euler equations, ${graph.vertices.length} vertices)`,
    '',
    `   forward ${fwd}, reverse ${rev}, markowitz ${mk} multiplications`,
    `   2 s of search (annealing, one thread): ${found.multiplications}, ${(100 * (1 - found.multiplications / Math.min(fwd, rev, mk))).toFixed(1)}% below the best of them`,
    `   proven lower bound (vertex cuts): ${bound}; AlphaGrad's published order: 320`,
  ];
}
