import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import ts from 'typescript';

import {
  compileGraphJacobian,
  CrosscountryError,
  emitStandaloneModule,
  finiteDifferenceJacobian,
  freezeStopGradients,
  np,
  trace,
  type Graph,
  type ResultFormat,
  type StandaloneLanguage,
  type Tensor,
  type Traced,
} from '../src/index.js';
import { erf as stdlibErf } from '../src/primitives/erf.js';
import { findTask, taskGraph } from '../src/tasks/index.js';
import { Rng } from '../src/util/random.js';
import { cli, failsOneLine, ROOT, succeeds } from './cli-helpers.js';

/**
 * Emitted modules are written to fresh directories under the OS temp directory (no node_modules, no
 * package.json) and run by plain `node`, without tsx: what a user of the file gets. A TypeScript module is
 * typechecked by the repository's tsc under --strict and run after stripping its types.
 */

const root = mkdtempSync(join(tmpdir(), 'crosscountry-standalone-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Runs the module through an entry point in its directory; prints the results, the metadata and the checks. */
const RUNNER = `import { readFileSync } from 'node:fs';
const m = await import(process.argv[2]);
const { inputs, batch } = JSON.parse(readFileSync(process.argv[3], 'utf8'));
const arrays = inputs.map((a) => Float64Array.from(a));
const list = (a) => Array.from(a);
const jac = (r) => ('values' in r ? list(r.values) : r.jacobian instanceof Float64Array ? list(r.jacobian) : r.jacobian.map((row) => row.map(list)));
const first = m.jacobian(arrays, batch);
const snapshot = jac(first);
first.outputs[0].fill(7);
const again = m.jacobian(arrays, batch, first);
const errors = [];
const fails = (f) => { try { f(); errors.push('no error'); } catch (e) { errors.push(e.constructor.name + ': ' + e.message); } };
fails(() => m.jacobian(arrays.slice(1), batch));
fails(() => m.jacobian(arrays, batch + 1));
fails(() => m.jacobian(arrays, 0));
fails(() => m.jacobian(arrays, batch, { outputs: [] }));
fails(() => m.values(arrays.map((a) => list(a)), batch));
const p = m.pattern;
process.stdout.write(JSON.stringify({
  outputs: again.outputs.map(list), jacobian: snapshot, again: jac(again), reused: again === first, batch: first.batch,
  values: m.values(arrays, batch).map(list),
  meta: { order: m.order, format: m.format, multiplications: m.multiplications, costModel: m.costModel,
    inputNames: m.inputNames, inputShapes: m.inputShapes, outputShapes: m.outputShapes, generator: m.generator,
    pattern: p ? { rows: p.rows, cols: p.cols, rowPtr: list(p.rowPtr), colIdx: list(p.colIdx) } : null },
  errors,
}));
`;

type Nested = number | Nested[];

interface RunResult {
  readonly outputs: number[][];
  readonly jacobian: Nested;
  readonly again: Nested;
  readonly reused: boolean;
  readonly batch: number;
  readonly values: number[][];
  readonly meta: {
    readonly order: number[];
    readonly format: string;
    readonly multiplications: number;
    readonly costModel: string;
    readonly inputNames: string[];
    readonly inputShapes: number[][];
    readonly outputShapes: number[][];
    readonly generator: string;
    readonly pattern: { rows: number; cols: number; rowPtr: number[]; colIdx: number[] } | null;
  };
  readonly errors: string[];
}

/** Plain node: no tsx loader, no test-runner context inherited. */
function plainNode(args: readonly string[], cwd: string): string {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env, timeout: 60_000 });
  assert.equal(r.status, 0, `node ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** The repository's tsc over files in `dir` (no tsconfig there: only the options given), strict. */
function typecheck(dir: string, files: readonly string[]): void {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext'];
  const r = spawnSync(process.execPath, [...args, ...files], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `tsc --strict failed:\n${r.stdout}${r.stderr}`);
}

interface Case {
  readonly name: string;
  readonly graph: Graph;
  readonly points: Tensor[][];
  readonly order?: 'auto' | 'markowitz' | 'reverse';
  readonly format: ResultFormat;
  readonly language: StandaloneLanguage;
}

/** Writes the case's module into a fresh directory and runs it there; returns the module and the run. */
function emitAndRun(c: Case): { dir: string; source: string; order: readonly number[]; run: RunResult } {
  const dir = join(root, c.name);
  mkdirSync(dir);
  const emitted = emitStandaloneModule(c.graph, {
    order: c.order ?? 'auto',
    format: c.format,
    language: c.language,
    name: c.name,
  });
  assert.doesNotMatch(emitted.source, /^\s*import\b|\bimport\(|\brequire\(/m, 'the module imports nothing');
  if (c.language === 'ts') {
    writeFileSync(join(dir, 'jac.ts'), emitted.source);
    const js = ts.transpileModule(emitted.source, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    }).outputText;
    writeFileSync(join(dir, 'jac.mjs'), js);
  } else {
    assert.ok(emitted.declarations);
    writeFileSync(join(dir, 'jac.mjs'), emitted.source);
    writeFileSync(join(dir, 'jac.d.mts'), emitted.declarations);
  }
  const batch = c.points.length;
  const inputs = c.graph.inputs.map((_x, j) => c.points.flatMap((p) => [...p[j].data]));
  writeFileSync(join(dir, 'points.json'), JSON.stringify({ inputs, batch }));
  writeFileSync(join(dir, 'run.mjs'), RUNNER);
  assert.ok(!existsSync(join(dir, 'node_modules')));
  const run = JSON.parse(plainNode(['run.mjs', './jac.mjs', 'points.json'], dir)) as RunResult;
  return { dir, source: emitted.source, order: emitted.order, run };
}

const close = (a: number, b: number, tol: number): boolean =>
  Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));

function assertClose(actual: Nested, expected: Nested, tol: number, what: string): void {
  if (typeof expected === 'number') {
    assert.equal(typeof actual, 'number', what);
    assert.ok(close(actual as number, expected, tol), `${what}: ${String(actual)} vs ${expected}`);
    return;
  }
  assert.ok(Array.isArray(actual) && actual.length === expected.length, `${what}: lengths differ`);
  expected.forEach((e, k) => assertClose((actual as Nested[])[k], e, tol, `${what}[${k}]`));
}

/** The in-process compiled Jacobian's result in the runner's JSON form. */
function inProcess(c: Case, order: readonly number[]): { outputs: number[][]; jacobian: Nested } {
  const compiled = compileGraphJacobian(c.graph, [...order], { format: c.format });
  const inputs = c.graph.inputs.map((_x, j) => Float64Array.from(c.points.flatMap((p) => [...p[j].data])));
  const r = compiled(inputs);
  const list = (a: Float64Array): number[] => Array.from(a);
  const jacobian =
    'values' in r
      ? list(r.values)
      : r.jacobian instanceof Float64Array
        ? list(r.jacobian)
        : r.jacobian.map((row) => row.map(list));
  return { outputs: r.outputs.map(list), jacobian };
}

/** Point b's Jacobian as a dense rows × cols matrix, from any of the three result formats. */
function denseAt(c: Case, run: RunResult, b: number): number[] {
  const inSizes = c.graph.inputs.map((x) => x.shape.reduce((s, d) => s * d, 1));
  const outSizes = run.meta.outputShapes.map((s) => s.reduce((p, d) => p * d, 1));
  const rows = outSizes.reduce((s, n) => s + n, 0);
  const cols = inSizes.reduce((s, n) => s + n, 0);
  const dense = new Array<number>(rows * cols).fill(0);
  if (c.format === 'dense') return (run.jacobian as number[]).slice(b * rows * cols, (b + 1) * rows * cols);
  if (c.format === 'sparse') {
    const p = run.meta.pattern;
    assert.ok(p);
    const nnz = p.colIdx.length;
    for (let r = 0; r < rows; r++)
      for (let k = p.rowPtr[r]; k < p.rowPtr[r + 1]; k++)
        dense[r * cols + p.colIdx[k]] = (run.jacobian as number[])[b * nnz + k];
    return dense;
  }
  const blocks = run.jacobian as number[][][];
  let r0 = 0;
  outSizes.forEach((m, i) => {
    let c0 = 0;
    inSizes.forEach((n, j) => {
      for (let o = 0; o < m; o++)
        for (let e = 0; e < n; e++) dense[(r0 + o) * cols + c0 + e] = blocks[i][j][b * m * n + o * n + e];
      c0 += n;
    });
    r0 += m;
  });
  return dense;
}

/**
 * Central differences of the interpreter at point b (stop_gradient frozen at the point, as the exact
 * Jacobian treats it), dense like denseAt (read as a blocks result of batch 1).
 */
function finiteDifferencesAt(c: Case, b: number): number[] {
  const point = c.points[b];
  const fd = finiteDifferenceJacobian(freezeStopGradients(c.graph, point), point);
  const asRun = {
    jacobian: fd.jacobian.map((row) => row.map((t) => Array.from(t.data))),
    meta: { outputShapes: fd.outputs.map((o) => [...o.shape]), pattern: null },
  } as unknown as RunResult;
  return denseAt({ ...c, format: 'blocks' }, asRun, 0);
}

function samplePoints(taskName: string, count: number): { graph: Graph; points: Tensor[][] } {
  const task = findTask(taskName);
  assert.ok(task);
  const rng = new Rng(16);
  return { graph: taskGraph(task), points: Array.from({ length: count }, () => task.samplePoint(rng)) };
}

const tensorOf = (shape: number[], data: number[]): Tensor => ({ shape, data: Float64Array.from(data) });

/** A graph whose code calls every written-out table function: select_n, reduce_max ties, erf, pow by a literal. */
function tableFunctionGraph(): { graph: Graph; points: Tensor[][] } {
  const graph = trace(
    (x: Traced, y: Traced) => [
      np.where(np.greater(x, y), np.mul(np.sin(x), y), np.pow(x, 2)),
      np.max(np.mul(x, y)),
      np.erf(np.sub(x, y)),
    ],
    [[4], [4]],
  );
  const points = [
    [tensorOf([4], [0.3, -1.2, 2.5, 0.7]), tensorOf([4], [0.1, 0.4, -0.6, 1.9])],
    [tensorOf([4], [1.1, 0.2, -0.4, 0.9]), tensorOf([4], [1.5, -0.3, 0.8, 0.2])],
  ];
  return { graph, points };
}

describe('standalone Jacobian modules, run by plain node in a directory without node_modules', () => {
  const roe = samplePoints('RoeFlux_1d', 3);
  const tensor = samplePoints('f', 2);
  const table = tableFunctionGraph();
  const cases: Case[] = [
    { name: 'roeflux', ...roe, format: 'blocks', language: 'js' },
    { name: 'tensor-f', ...tensor, order: 'markowitz', format: 'dense', language: 'js' },
    { name: 'table-sparse', ...table, order: 'reverse', format: 'sparse', language: 'ts' },
  ];
  for (const c of cases)
    test(`${c.name} (${c.language}, ${c.format}): equals the in-process compiled Jacobian and finite differences`, () => {
      const { run, order } = emitAndRun(c);
      const reference = inProcess(c, order);
      assert.deepEqual(run.meta.order, [...order]);
      assert.equal(run.meta.format, c.format);
      assert.equal(run.batch, c.points.length);
      assert.deepEqual(
        run.meta.inputNames,
        c.graph.inputs.map((x) => x.name),
      );
      assertClose(run.outputs, reference.outputs, 1e-12, 'outputs');
      assertClose(run.values, reference.outputs, 1e-12, 'values()');
      assertClose(run.jacobian, reference.jacobian, 1e-12, 'jacobian');
      // `into`: the same arrays come back, overwritten (the clobbered output is recomputed).
      assert.ok(run.reused);
      assertClose(run.again, reference.jacobian, 1e-12, 'jacobian into');
      c.points.forEach((_p, b) =>
        assertClose(denseAt(c, run, b), finiteDifferencesAt(c, b), 1e-5, `point ${b + 1} vs differences`),
      );
      assert.deepEqual(
        run.errors.map((e) => e.split(':')[0]),
        ['TypeError', 'RangeError', 'RangeError', 'TypeError', 'TypeError'],
        run.errors.join('\n'),
      );
      assert.match(run.errors[1], /has \d+ values, expected batch × size/);
      assert.match(run.errors[2], /batch must be a positive integer/);
      assert.match(run.errors[3], /'into' does not have the shapes of a \w+ result/);
    });

  test('the sparse module exports the pattern of the in-process sparse result', () => {
    const c = cases[2];
    const run = JSON.parse(
      plainNode(['run.mjs', './jac.mjs', 'points.json'], join(root, c.name)),
    ) as RunResult;
    const compiled = compileGraphJacobian(c.graph, [...run.meta.order], { format: 'sparse' });
    assert.deepEqual(run.meta.pattern?.rowPtr, Array.from(compiled.sparsity.rowPtr));
    assert.deepEqual(run.meta.pattern?.colIdx, Array.from(compiled.sparsity.colIdx));
  });

  test('the TypeScript module and a consumer of the JavaScript module and its .d.mts typecheck under --strict', () => {
    const consumer = join(root, 'roeflux', 'consumer.mts');
    writeFileSync(
      consumer,
      `import { jacobian, values, inputShapes, order, multiplications, type JacobianResult } from './jac.mjs';
const inputs: Float64Array[] = inputShapes.map(() => new Float64Array(2));
const r: JacobianResult = jacobian(inputs, 2);
const again: JacobianResult = jacobian(inputs, 2, r);
const blocks: Float64Array[][] = again.jacobian;
const outs: Float64Array[] = values(inputs, 2, r.outputs);
export const summary: number = blocks.length + outs.length + order.length + multiplications;
`,
    );
    typecheck(root, [join(root, 'table-sparse', 'jac.ts'), consumer]);
  });
});

test('the written-out erf is within 2e-15 of stdlib erf on [-7, 7], and the module uses it', () => {
  const xs = Array.from({ length: 281 }, (_u, k) => -7 + k * 0.05);
  const graph = trace((x: Traced) => np.erf(x), [[xs.length]]);
  const c: Case = {
    name: 'erf',
    graph,
    points: [[tensorOf([xs.length], xs)]],
    format: 'dense',
    language: 'js',
  };
  const { run } = emitAndRun(c);
  run.outputs[0].forEach((v, k) => assert.ok(close(v, stdlibErf(xs[k]), 2e-15), `erf(${xs[k]}) = ${v}`));
  // Diagonal: d erf/dx = 2/√π e^(−x²), the library's formula.
  xs.forEach((x, k) =>
    assert.ok(
      close(
        (run.jacobian as number[])[k * xs.length + k],
        (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x),
        1e-15,
      ),
    ),
  );
});

test('emitStandaloneModule: bad options are typed errors; the header names graph, order and counts', () => {
  const graph = taskGraph(findTask('RoeFlux_1d')!);
  const bad = [
    { language: 'python' },
    { format: 'csr' },
    { costModel: 'alphagrd' },
    { order: [1, 2] },
    { order: 'sideways' },
    { searchEffort: Number.NaN },
    { searchEffort: -1 },
  ] as const;
  for (const options of bad)
    assert.throws(
      () => emitStandaloneModule(graph, options as unknown as Parameters<typeof emitStandaloneModule>[1]),
      CrosscountryError,
      JSON.stringify(options),
    );
  const m = emitStandaloneModule(graph, { order: 'reverse', name: 'RoeFlux_1d', costModel: 'alphagrad' });
  const header = m.source.split('\n').slice(0, 8).join('\n');
  assert.match(header, /Generated by crosscountry \d+\.\d+\.\d+/);
  assert.match(header, /RoeFlux_1d, 101 vertices/);
  assert.match(header, /Order: reverse, 98 eliminations/);
  assert.match(header, new RegExp(`Multiplications: ${m.multiplications} \\(cost model alphagrad\\)`));
  assert.match(m.source, new RegExp(`export const multiplications = ${m.multiplications};`));
});

describe('crosscountry compile', () => {
  test('writes the module and its declarations, which run on their own', () => {
    const dir = join(root, 'cli');
    mkdirSync(dir);
    const out = join(dir, 'roe.mjs');
    const line = succeeds(cli('compile', 'RoeFlux_1d', '--out', out, '--order', 'markowitz'), ['compile']);
    const bytes = readFileSync(out).length;
    assert.match(
      line.trim(),
      new RegExp(`^${out.replace(/[.\\/]/g, '\\$&')}: ${bytes} bytes, \\d+ multiplications`),
    );
    assert.equal(line.trim().split('\n').length, 1);
    assert.ok(existsSync(join(dir, 'roe.d.mts')));
    const printed = plainNode(
      [
        '--input-type=module',
        '-e',
        "const m = await import('./roe.mjs'); console.log(m.orderMethod, m.order.length)",
      ],
      dir,
    );
    assert.equal(printed.trim(), 'markowitz 98');
  });

  test('a bad --out is one error line, before any work', () => {
    const dir = join(root, 'cli-bad');
    mkdirSync(join(dir, 'sub.mjs'), { recursive: true });
    for (const [out, message] of [
      [join(dir, 'missing', 'x.mjs'), /does not exist/],
      [join(dir, 'sub.mjs'), /is a directory/],
      [join(dir, 'x.cjs'), /extension must be/],
    ] as const) {
      const args = ['compile', 'RoeFlux_1d', '--out', out];
      assert.match(failsOneLine(cli(...args), args), message);
    }
    const args = ['compile', 'RoeFlux_1d', '--out', join(dir, 'x.ts'), '--format', 'csr'];
    assert.match(failsOneLine(cli(...args), args), /unknown format 'csr'/);
  });
});
