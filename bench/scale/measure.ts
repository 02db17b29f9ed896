/**
 * Measures one family member in this process (the driver runs each in a fresh one, so peak RSS belongs to
 * it): trace, heuristic orders, cost counts, optimize at a fixed budget, compile, first and steady calls.
 * Prints one JSON line. Usage: tsx bench/scale/measure.ts <family> <size> <budgetSeconds>
 */
import {
  compileGraphJacobian,
  countOrder,
  evaluateGraph,
  outputValues,
  tensor,
  type Graph,
} from '../../src/index.js';
import { forwardOrder, reverseOrder } from '../../src/elimination/order.js';
import { autoOrder } from '../../src/compile/choose.js';
import { optimizeOrder } from '../../src/search/portfolio.js';
import { median } from '../../src/util/stats.js';
import { Rng } from '../../src/util/random.js';
import { scaleHeuristics } from './heuristics.js';
import { familyByName } from './members.js';

export interface Stage {
  readonly stage: string;
  readonly ms: number;
  /** Peak resident set of the process so far, MB. */
  readonly peakMB: number;
  readonly multiplications?: number;
  readonly note?: string;
}

export interface MemberResult {
  readonly family: string;
  readonly size: number;
  readonly vertices: number;
  readonly edges: number;
  /** Scalar entries of all inputs and vertices: the size axis (equals the node count on scalar graphs). */
  readonly scalars: number;
  readonly stages: Stage[];
  /** magnitude: the largest |J·v| seen; 0 means the Jacobian underflowed and the check says little. */
  readonly check?: {
    readonly relativeError: number;
    readonly directions: number;
    readonly magnitude?: number;
  };
  readonly resultBytes?: number;
  /** jacobian(fn)'s default path: trace + auto order + compile + first call (ms), peak RSS after it, its check. */
  readonly defaultPipeline?: { readonly ms: number; readonly peakMB: number; readonly relativeError: number };
  readonly error?: string;
}

const peakMB = (): number => process.resourceUsage().maxRSS / 1024;
const now = (): number => performance.now();

function timed<T>(
  stages: Stage[],
  stage: string,
  fn: () => T,
  extra: (r: T) => Partial<Stage> = () => ({}),
): T {
  const t0 = now();
  const r = fn();
  stages.push({ stage, ms: now() - t0, peakMB: peakMB(), ...extra(r) });
  return r;
}

/** Flat inputs at one random point, scaled down so every family stays in its smooth range. */
function randomPoint(graph: Graph, rng: Rng): Float64Array[] {
  return graph.inputs.map((x) =>
    Float64Array.from({ length: x.shape.reduce((a, b) => a * b, 1) }, () => 0.8 * rng.float() - 0.4),
  );
}

function evaluate(graph: Graph, point: readonly Float64Array[]): Float64Array {
  const ev = evaluateGraph(
    graph,
    point.map((v, j) => tensor(graph.inputs[j].shape, v)),
  );
  const outs = outputValues(graph, ev);
  const flat = new Float64Array(outs.reduce((n, t) => n + t.data.length, 0));
  let k = 0;
  for (const t of outs) for (const x of t.data) flat[k++] = x;
  return flat;
}

/** J·v from a compiled result at batch 1, over the flattened outputs and inputs. */
type Apply = (v: readonly Float64Array[]) => Float64Array;

/**
 * Checks J against central finite differences along random directions: (f(x+hv) − f(x−hv)) / 2h ≈ J·v.
 * Independent of the elimination (only the interpreter's values), and affordable at 10^5 vertices where a
 * full finite-difference Jacobian is not. Returns the largest relative error over the directions.
 */
function directionalCheck(
  graph: Graph,
  x: Float64Array[],
  apply: Apply,
  rng: Rng,
  inputs?: readonly number[],
): { relativeError: number; magnitude: number } {
  let worst = 0;
  let magnitude = 0;
  const directions = 3;
  for (let d = 0; d < directions; d++) {
    const v = x.map((xi, j) =>
      inputs && !inputs.includes(j) ? new Float64Array(xi.length) : xi.map(() => rng.float() - 0.5),
    );
    const h = 1e-5;
    const plus = evaluate(
      graph,
      x.map((xi, j) => xi.map((e, k) => e + h * v[j][k])),
    );
    const minus = evaluate(
      graph,
      x.map((xi, j) => xi.map((e, k) => e - h * v[j][k])),
    );
    const jv = apply(v);
    // Relative to the larger of |J·v| and the finite differences' own rounding floor (~1e-6·|f| at this h),
    // so derivatives that are tiny next to the outputs do not turn rounding noise into an error.
    let num = 0;
    let scale = 0;
    for (let r = 0; r < jv.length; r++) {
      const fd = (plus[r] - minus[r]) / (2 * h);
      num = Math.max(num, Math.abs(fd - jv[r]));
      scale = Math.max(scale, Math.abs(jv[r]), 1e-6 * Math.abs(plus[r]), 1e-6);
      magnitude = Math.max(magnitude, Math.abs(jv[r]));
    }
    worst = Math.max(worst, num / scale);
  }
  return { relativeError: worst, magnitude };
}

function applyResult(
  graph: Graph,
  format: string,
  result: { jacobian?: unknown; values?: Float64Array; pattern?: { rowPtr: Int32Array; colIdx: Int32Array } },
): Apply {
  const inSizes = graph.inputs.map((x) => x.shape.reduce((a, b) => a * b, 1));
  const cols = inSizes.reduce((a, b) => a + b, 0);
  const flatten = (v: readonly Float64Array[]): Float64Array => {
    const out = new Float64Array(cols);
    let k = 0;
    for (const vi of v) for (const e of vi) out[k++] = e;
    return out;
  };
  if (format === 'sparse') {
    const { rowPtr, colIdx } = result.pattern as { rowPtr: Int32Array; colIdx: Int32Array };
    const values = result.values as Float64Array;
    return (v) => {
      const x = flatten(v);
      const y = new Float64Array(rowPtr.length - 1);
      for (let r = 0; r < y.length; r++)
        for (let q = rowPtr[r]; q < rowPtr[r + 1]; q++) y[r] += values[q] * x[colIdx[q]];
      return y;
    };
  }
  if (format === 'dense') {
    const dense = result.jacobian as Float64Array;
    return (v) => {
      const x = flatten(v);
      const y = new Float64Array(dense.length / cols);
      for (let r = 0; r < y.length; r++) for (let c = 0; c < cols; c++) y[r] += dense[r * cols + c] * x[c];
      return y;
    };
  }
  const blocks = result.jacobian as Float64Array[][];
  return (v) => {
    const rows = blocks.map((row) => row[0].length / inSizes[0]);
    const y = new Float64Array(rows.reduce((a, b) => a + b, 0));
    let r0 = 0;
    blocks.forEach((row, i) => {
      row.forEach((block, j) => {
        const n = inSizes[j];
        for (let r = 0; r < rows[i]; r++) {
          let s = 0;
          for (let c = 0; c < n; c++) s += block[r * n + c] * v[j][c];
          y[r0 + r] += s;
        }
      });
      r0 += rows[i];
    });
    return y;
  };
}

/** Median ms per call over calls that reuse their result arrays, after warm-up. */
/**
 * Calls until V8 has had time to optimise the generated code: a large program's chunks are compiled by
 * TurboFan in the background only after several calls (the 1,000-cell flux kernel runs 16× faster once all
 * of its 54 chunks are, which takes about 60 calls), so a steady state measured after 2 calls is not one.
 */
function warmUp(call: () => void, seconds = 2, maxCalls = 300): void {
  const start = now();
  for (let i = 0; i < 2 || (i < maxCalls && now() - start < seconds * 1000); i++) call();
}

function steadyCall(call: () => void, minRuns: number): number {
  warmUp(call);
  const times: number[] = [];
  const start = now();
  while (times.length < minRuns || (times.length < 50 && now() - start < 1000)) {
    const t0 = now();
    call();
    times.push(now() - t0);
  }
  return median(times);
}

/**
 * Medians of two calls timed in alternating blocks, so machine load affects both alike. Before each block
 * a full collection clears the other call's garbage (a dense flux result is 800 MB), and untimed calls run
 * for SETTLE_MS while the collector finishes sweeping on the other core: a 3 ms call timed right after
 * gc() of a 2 GB heap ran 2–3× slower than in steady state. Within a block each call pays for its own
 * garbage, as in a user's loop.
 */
const SETTLE_MS = 250;

function pairedCalls(a: () => void, b: () => void, blocks: number, perBlock = 5): [number, number] {
  const collect = (globalThis as { gc?: () => void }).gc ?? ((): void => undefined);
  warmUp(a);
  warmUp(b);
  const ta: number[] = [];
  const tb: number[] = [];
  const block = (call: () => void, times: number[]): void => {
    collect();
    const start = now();
    for (let i = 0; i < 2 || now() - start < SETTLE_MS; i++) call();
    for (let i = 0; i < perBlock; i++) {
      const t0 = now();
      call();
      times.push(now() - t0);
    }
  };
  for (let i = 0; i < blocks; i++) {
    block(a, ta);
    block(b, tb);
  }
  return [median(ta), median(tb)];
}

async function timedAsync<T>(
  stages: Stage[],
  stage: string,
  fn: () => Promise<T>,
  extra: (r: T) => Partial<Stage>,
): Promise<T> {
  const t0 = now();
  const r = await fn();
  stages.push({ stage, ms: now() - t0, peakMB: peakMB(), ...extra(r) });
  return r;
}

export async function measureMember(
  familyName: string,
  size: number,
  budgetSeconds: number,
): Promise<MemberResult> {
  const family = familyByName(familyName);
  const stages: Stage[] = [];
  const graph = timed(stages, 'trace', () => family.build(size));
  const edges = graph.vertices.reduce((n, v) => n + v.operands.filter((o) => o.kind !== 'literal').length, 0);
  const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
  const scalars =
    graph.inputs.reduce((n, x) => n + sizeOf(x.shape), 0) +
    graph.vertices.reduce((n, v) => n + sizeOf(v.shape), 0);
  const base = { family: family.name, size, vertices: graph.vertices.length, edges, scalars, stages };
  const rng = new Rng(7);
  const stageOf = (name: string): Stage | undefined => stages.find((st) => st.stage === name);
  try {
    // What jacobian(fn) does by default, first, so the peak RSS after it is the default pipeline's own.
    const format = family.format;
    const auto = timed(stages, 'auto-order', () => autoOrder(graph));
    const A = timed(stages, 'compile:auto', () => compileGraphJacobian(graph, auto, { format }));
    const x = randomPoint(graph, rng);
    const firstAuto = timed(stages, 'first-call:auto', () => A(x));
    const defaultPipeline = {
      ms: ['trace', 'auto-order', 'compile:auto', 'first-call:auto'].reduce(
        (t, n) => t + (stageOf(n)?.ms ?? 0),
        0,
      ),
      peakMB: peakMB(),
      relativeError: directionalCheck(
        graph,
        x,
        applyResult(graph, format, firstAuto as never),
        rng,
        family.checkedInputs,
      ).relativeError,
    };
    const fwd = timed(stages, 'order:forward', () => forwardOrder(graph));
    const rev = timed(stages, 'order:reverse', () => reverseOrder(graph));
    timed(
      stages,
      'count:forward',
      () => countOrder(graph, fwd).multiplications,
      (m) => ({ multiplications: m }),
    );
    timed(
      stages,
      'count:reverse',
      () => countOrder(graph, rev).multiplications,
      (m) => ({ multiplications: m }),
    );
    for (const h of scaleHeuristics(graph))
      timed(
        stages,
        `heuristic:${h.name}`,
        () => h.run(),
        (r) => ({ multiplications: r.multiplications }),
      );
    timed(
      stages,
      'count:auto',
      () => countOrder(graph, auto).multiplications,
      (m) => ({ multiplications: m }),
    );
    const optimized = await timedAsync(
      stages,
      'optimize',
      () => optimizeOrder(graph, { budgetSeconds, seed: 1 }),
      (r) => ({ multiplications: r.multiplications ?? undefined, note: `budget ${budgetSeconds} s` }),
    );
    const best = optimized.order ?? fwd;
    const J = timed(stages, 'compile', () => compileGraphJacobian(graph, best, { format }));
    const first = timed(stages, 'first-call:1', () => J(x));
    const { relativeError, magnitude } = directionalCheck(
      graph,
      x,
      applyResult(graph, format, first as never),
      rng,
      family.checkedInputs,
    );
    const resultBytes =
      8 *
      ('values' in first
        ? first.values.length
        : first.jacobian instanceof Float64Array
          ? first.jacobian.length
          : (first.jacobian as Float64Array[][]).flat().reduce((n, a) => n + a.length, 0));
    let into = first;
    stages.push({
      stage: 'steady-call:1',
      ms: steadyCall(() => void (into = J(x, into as never)), 5),
      peakMB: peakMB(),
    });
    const batch = family.maxBatch(size);
    if (batch > 1) {
      const xs = graph.inputs.map((_inp, j) => {
        const out = new Float64Array(batch * x[j].length);
        for (let b = 0; b < batch; b++) out.set(x[j], b * x[j].length);
        return out;
      });
      let r = timed(stages, `first-call:${batch}`, () => J(xs));
      stages.push({
        stage: `steady-call:${batch}`,
        ms: steadyCall(() => void (r = J(xs, r as never)), 5),
        peakMB: peakMB(),
      });
    }
    const denseEntries =
      graph.outputs.reduce(
        (n, op) => n + sizeOf(op.kind === 'vertex' ? graph.vertices[op.id - 1].shape : []),
        0,
      ) * graph.inputs.reduce((n, inp) => n + sizeOf(inp.shape), 0);
    if (format === 'sparse' && family.compareDense && denseEntries <= 2 ** 28) {
      // The same order returned dense: a fresh result per call, as a user without the sparse format gets it.
      const D = timed(stages, 'compile:dense', () => compileGraphJacobian(graph, best, { format: 'dense' }));
      // Both programs fully optimised first: V8 optimises a straight-line chunk only after about 900 runs
      // of it (ticks ∝ bytecode size), and at batch 1 a chunk runs once per call. Results are reused here,
      // so the warm-up times the computation, not allocation.
      const denseInto = D(x);
      warmUp(() => void D(x, denseInto), 40, 1200);
      let sparseInto = J(x);
      warmUp(() => void (sparseInto = J(x, sparseInto)), 40, 1200);
      const [dense, sparse] = pairedCalls(
        () => void D(x),
        () => void J(x),
        5,
      );
      stages.push({ stage: 'fresh-call:dense', ms: dense, peakMB: peakMB() });
      stages.push({ stage: 'fresh-call:sparse', ms: sparse, peakMB: peakMB() });
    }
    return { ...base, check: { relativeError, directions: 3, magnitude }, resultBytes, defaultPipeline };
  } catch (e) {
    return { ...base, error: e instanceof Error ? e.message.split('\n')[0] : String(e) };
  }
}

if (process.argv[1]?.endsWith('measure.ts')) {
  const [family, size, budget] = process.argv.slice(2);
  const result = await measureMember(family, Number(size), Number(budget ?? 10));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  // Search workers may still be winding down; the measurement is complete.
  process.exit(0);
}
