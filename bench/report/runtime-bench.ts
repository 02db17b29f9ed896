import type { CompiledJacobian } from '../../src/compile/jacobian.js';
import type { Graph, VertexId } from '../../src/graph/graph.js';
import { finiteDifferenceJacobian, freezeStopGradients } from '../../src/jacobian/finite-differences.js';
import { TASKS, taskGraph, type TaskDefinition } from '../../src/tasks/index.js';
import { Rng } from '../../src/util/random.js';
import { measureOpCosts, predictNanoseconds } from '../../src/compile/op-costs.js';
import { jaxjsVariant, loadJaxjs } from './jaxjs-peer.js';
import {
  chooseBestOrder,
  compiledVariant,
  finiteDifferenceError,
  packPoints,
  primalOnly,
  RUNTIME_VARIANTS,
  timeInterleaved,
  type BestOrderChoice,
  type RuntimeRow,
  type TimedVariant,
} from './runtime.js';

export interface RuntimeBenchOptions {
  readonly batches: readonly number[];
  readonly runs: number;
  readonly warmup: number;
  /** Searched order per task (native model): one candidate of the best-order row (see chooseBestOrder). */
  readonly bestOrders: ReadonlyMap<string, readonly VertexId[]>;
  readonly tasks?: readonly string[];
  readonly seed?: number;
  readonly log?: (line: string) => void;
  /** Budget for the timed rounds of one (task, batch) group of variants (default 30 s). */
  readonly groupBudgetMs?: number;
  /** Variants whose single call would take longer than this (extrapolated) are skipped (default 4 s). */
  readonly maxCallMs?: number;
  /** Moves of annealing on the compiled operation count for the best-order candidates (default 0: none). */
  readonly annealMoves?: number;
  /** Best-order choices made earlier (a repeat in another process): used as they are, nothing is searched. */
  readonly choices?: ReadonlyMap<string, BestOrderChoice>;
  /** Time the jax-js peer (default true). */
  readonly peer?: boolean;
  /** Also time the layouts and price the programs (default true). */
  readonly extras?: boolean;
}

export interface RuntimeBenchResult {
  rows: RuntimeRow[];
  /** Variants that could not run or failed their correctness check, with the reason. */
  omitted: { task: string; variant: string; reason: string }[];
  /** Worst relative disagreement with finite differences per (task, variant). */
  checks: { task: string; variant: string; maxRelativeError: number }[];
  /** How each task's best-order row was chosen. */
  bestChoices: BestOrderChoice[];
  /** The same order in both code layouts, at one batch size. */
  layouts: { task: string; batch: number; pointMs: number; batchMs: number }[];
  /** The program's outputs alone (no Jacobian), timed against the best order: the floor under every order. */
  primal: { task: string; batch: number; primalMs: number; bestMs: number }[];
  /**
   * The best order writing into reused result arrays (as timed everywhere else) and into fresh ones; for the
   * repeated tasks the medians over processes (`processes` of them).
   */
  allocation: { task: string; batch: number; reusedMs: number; freshMs: number; processes?: number }[];
  /** Measured nanoseconds per operation kind (op-costs.ts), for the priced run-time proxy. */
  opCosts: Record<string, number>;
  /** Per compiled variant at the layout batch: the priced proxy's nanoseconds per point. */
  predictions: { task: string; variant: string; predictedNs: number }[];
  /**
   * Batch-512 medians of the compiled variants from this process and from repeats in fresh processes (each
   * process compiles and optimises the code anew, which moves a variant's time by a few per cent).
   */
  repeats: { task: string; variant: string; medianMs: number[] }[];
}

/** Dense (all outputs flattened) × (all inputs flattened) finite-difference Jacobian of one point. */
function flatFiniteDifferences(
  graph: Graph,
  point: Parameters<typeof finiteDifferenceJacobian>[1],
): number[][] {
  const fd = finiteDifferenceJacobian(freezeStopGradients(graph, point), point);
  const inSizes = point.map((t) => t.data.length);
  const rows: number[][] = [];
  for (const row of fd.jacobian) {
    const outSize = row[0].data.length / inSizes[0];
    for (let r = 0; r < outSize; r++)
      rows.push(
        row.flatMap((block, j) => Array.from(block.data.slice(r * inSizes[j], (r + 1) * inSizes[j]))),
      );
  }
  return rows;
}

/**
 * The runtime benchmark: for each task and batch size, every compiled variant (and the jax-js peer where
 * it runs) is checked against finite differences, then timed interleaved in one process.
 */
export async function runtimeBenchmark(options: RuntimeBenchOptions): Promise<RuntimeBenchResult> {
  const {
    batches,
    runs,
    warmup,
    bestOrders,
    seed = 7,
    log = () => undefined,
    groupBudgetMs = 30_000,
    maxCallMs = 4_000,
  } = options;
  const result: RuntimeBenchResult = {
    rows: [],
    omitted: [],
    checks: [],
    bestChoices: [],
    layouts: [],
    primal: [],
    allocation: [],
    opCosts: {},
    predictions: [],
    repeats: [],
  };
  const { peer = true, extras = true } = options;
  const layoutBatch = batches.includes(512) ? 512 : Math.max(...batches);
  const jax = !peer
    ? null
    : await loadJaxjs().catch((err: unknown) => {
        result.omitted.push({
          task: '*',
          variant: 'jaxjs-*',
          reason: `@jax-js/jax could not be loaded: ${String(err)}`,
        });
        return null;
      });
  const tasks: TaskDefinition[] = TASKS.filter((t) => !options.tasks || options.tasks.includes(t.name));
  // Per-operation prices for the run-time proxy, measured once, before any generated code runs.
  const kinds = new Set<string>();
  if (extras)
    for (const task of tasks)
      for (const variant of RUNTIME_VARIANTS)
        if (variant !== 'best-order')
          for (const key of Object.keys(compiledVariant(taskGraph(task, 'jaxpr'), variant, [], 'point').work))
            kinds.add(key);
  const opCosts = extras ? measureOpCosts(kinds) : new Map<string, number>();
  result.opCosts = Object.fromEntries(opCosts);
  for (const task of tasks) {
    const graph = taskGraph(task, 'jaxpr');
    const choice =
      options.choices?.get(task.name) ??
      chooseBestOrder(graph, task.name, task.paperName, bestOrders.get(task.name), options.annealMoves ?? 0);
    result.bestChoices.push(choice);
    const best = choice.order;
    const rng = new Rng(seed);
    const maxBatch = Math.max(...batches);
    const points = Array.from({ length: maxBatch }, () => task.samplePoint(rng));
    // Correctness gate, once per task and variant (the code does not depend on the batch size).
    const compiled = RUNTIME_VARIANTS.filter((variant) => variant !== 'best-order' || best.length > 0).map(
      (variant) => ({ variant, J: compiledVariant(graph, variant, best, 'point') }),
    );
    const usable = compiled.filter(({ variant, J }) => {
      const err = finiteDifferenceError(graph, J, points);
      result.checks.push({ task: task.name, variant, maxRelativeError: err });
      if (err > 1e-5)
        result.omitted.push({
          task: task.name,
          variant,
          reason: `disagrees with finite differences (${err.toExponential(1)})`,
        });
      return err <= 1e-5;
    });
    const peerModes: ('jacfwd' | 'jacrev')[] = [];
    if (jax) {
      for (const mode of ['jacfwd', 'jacrev'] as const) {
        try {
          const v = jaxjsVariant(jax, graph, mode, packFlat(points.slice(0, 2)), 2);
          const got = await v.firstJacobian();
          const fd = flatFiniteDifferences(graph, points[0]);
          let err = 0;
          fd.forEach((row, r) =>
            row.forEach(
              (x, c) =>
                (err = Math.max(err, Math.abs(x - got[r * row.length + c]) / Math.max(1, Math.abs(x)))),
            ),
          );
          result.checks.push({ task: task.name, variant: `jaxjs-${mode}`, maxRelativeError: err });
          // float32: a looser gate than for the float64 variants.
          if (err > 1e-2)
            result.omitted.push({
              task: task.name,
              variant: `jaxjs-${mode}`,
              reason: `disagrees with finite differences (${err.toExponential(1)}, float32)`,
            });
          else peerModes.push(mode);
        } catch (err) {
          result.omitted.push({
            task: task.name,
            variant: `jaxjs-${mode}`,
            reason: String(err instanceof Error ? err.message : err).split('\n')[0],
          });
        }
      }
    }
    // Per-point time of each variant at the last batch size, to skip calls that would take too long.
    const perPointMs = new Map<string, number>();
    for (const batch of batches) {
      const inputs = packPoints(points.slice(0, batch));
      const affordable = usable.filter(({ variant }) => {
        const estimate = (perPointMs.get(variant) ?? 0) * batch;
        if (estimate <= maxCallMs) return true;
        result.omitted.push({
          task: task.name,
          variant: `${variant} (batch ${batch})`,
          reason: `skipped: about ${(estimate / 1000).toFixed(0)} s per call, extrapolated from the smaller batch`,
        });
        return false;
      });
      // Every call writes into the arrays of its variant's first result: the time of the Jacobian, not of
      // allocating its arrays (measured apart below).
      const timed = affordable.map(({ variant, J }) => reusingVariant(variant, J, inputs));
      const ours = timeInterleaved(timed, {
        runs,
        warmup,
        warmupPoints: 4000,
        batch,
        budgetMs: groupBudgetMs,
      });
      timed.forEach((v, k) =>
        result.rows.push({
          task: task.name,
          batch,
          variant: v.variant,
          medianMs: ours[k].medianMs,
          cpuMs: ours[k].cpuMs,
          multiplications: v.multiplications,
          stats: v.stats,
          runs: ours[k].runs,
        }),
      );
      timed.forEach((v, k) => perPointMs.set(v.variant, ours[k].medianMs / batch));
      if (batch === layoutBatch) {
        // The other layout (structure of arrays, batch innermost), timed against the default on the same points.
        // Code compiled just now needs about ten calls before V8 optimises it: 30 warm-up rounds.
        const order = best.length > 0 ? best : undefined;
        const variant = (order ? 'best-order' : 'markowitz-order') as RuntimeRow['variant'];
        if (extras) {
          const pair = (['point', 'batch'] as const).map((layout) =>
            reusingVariant(variant, compiledVariant(graph, variant as 'best-order', best, layout), inputs),
          );
          const t = timeInterleaved(pair, {
            runs: Math.min(runs, 20),
            warmup: 30,
            warmupPoints: 4000,
            batch,
            budgetMs: groupBudgetMs / 4,
          });
          result.layouts.push({ task: task.name, batch, pointMs: t[0].medianMs, batchMs: t[1].medianMs });
          const primal = primalOnly(graph);
          const floor = timeInterleaved(
            [pair[0], { variant, multiplications: null, stats: null, run: () => void primal(inputs, batch) }],
            { runs: Math.min(runs, 20), warmup: 30, warmupPoints: 4000, batch, budgetMs: groupBudgetMs / 4 },
          );
          result.primal.push({
            task: task.name,
            batch,
            primalMs: floor[1].medianMs,
            bestMs: floor[0].medianMs,
          });
        }
        const J = compiledVariant(graph, variant as 'best-order', best, 'point');
        const into = J(inputs);
        const reuse = timeInterleaved(
          [
            { variant, multiplications: null, stats: null, run: () => void J(inputs, into) },
            { variant, multiplications: null, stats: null, run: () => void J(inputs) },
          ],
          { runs, warmup: 30, warmupPoints: 4000, batch, budgetMs: groupBudgetMs / 4 },
        );
        result.allocation.push({
          task: task.name,
          batch,
          reusedMs: reuse[0].medianMs,
          freshMs: reuse[1].medianMs,
        });
        if (extras)
          for (const { variant: v, J: compiledJ } of affordable)
            result.predictions.push({
              task: task.name,
              variant: v,
              predictedNs: predictNanoseconds(compiledJ.work, opCosts),
            });
      }
      if (jax && peerModes.length > 0) {
        const flat = packFlat(points.slice(0, batch));
        const peers = peerModes.map((mode) => ({ mode, v: jaxjsVariant(jax, graph, mode, flat, batch) }));
        const times = await timeAsync(
          peers.map((p) => p.v.run),
          Math.min(runs, 50),
          Math.min(warmup, 5),
        );
        peers.forEach((p, k) =>
          result.rows.push({
            task: task.name,
            batch,
            variant: `jaxjs-${p.mode}`,
            medianMs: times[k].medianMs,
            cpuMs: times[k].cpuMs,
            multiplications: null,
            stats: null,
            runs: Math.min(runs, 50),
          }),
        );
      }
      log(
        `${task.name} batch ${batch}: ${result.rows
          .filter((r) => r.task === task.name && r.batch === batch)
          .map((r) => `${r.variant} ${r.medianMs.toFixed(3)}`)
          .join(', ')}`,
      );
    }
  }
  return result;
}

/** A timed compiled variant whose calls write into the arrays of its first result. */
function reusingVariant(
  variant: RuntimeRow['variant'],
  J: CompiledJacobian,
  inputs: readonly Float64Array[],
): TimedVariant {
  const into = J(inputs);
  return { variant, multiplications: J.multiplications, stats: J.stats, run: () => void J(inputs, into) };
}

/** All inputs of each point concatenated: the [batch, inputs] layout of the jax-js replay. */
function packFlat(points: Parameters<typeof packPoints>[0]): Float64Array {
  const n = points[0].reduce((s, t) => s + t.data.length, 0);
  const out = new Float64Array(points.length * n);
  points.forEach((p, b) => {
    let o = b * n;
    for (const t of p) {
      out.set(t.data, o);
      o += t.data.length;
    }
  });
  return out;
}

async function timeAsync(
  runs: readonly (() => Promise<void>)[],
  count: number,
  warmup: number,
): Promise<{ medianMs: number; cpuMs: number }[]> {
  for (let w = 0; w < warmup; w++) for (const r of runs) await r();
  const wall = runs.map(() => [] as number[]);
  const cpu = runs.map(() => [] as number[]);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < runs.length; k++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await runs[k]();
      wall[k].push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu[k].push((c.user + c.system) / 1000);
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return runs.map((_r, k) => ({ medianMs: median(wall[k]), cpuMs: median(cpu[k]) }));
}
