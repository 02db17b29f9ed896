import { annealCompiledOrder } from '../../src/compile/anneal-compiled.js';
import { cheapestCompiledOrder, type OrderCandidate, type OrderChoice } from '../../src/compile/choose.js';
import {
  compileGraphJacobian,
  type CompileTarget,
  type CompiledJacobian,
} from '../../src/compile/jacobian.js';
import { resolveOrder } from '../../src/elimination/resolve.js';
import { validateOrder } from '../../src/elimination/order.js';
import { readDataFile } from '../../src/util/data.js';
import { buildEliminationProgram } from '../../src/compile/build.js';
import { emitProgram, type JacobianBatch, type Layout } from '../../src/compile/emit.js';
import { eliminateDeadCode } from '../../src/compile/program.js';
import type { ProgramStats } from '../../src/compile/program.js';
import { finiteDifferenceJacobian, freezeStopGradients } from '../../src/jacobian/finite-differences.js';
import type { Graph, VertexId } from '../../src/graph/graph.js';
import type { Tensor } from '../../src/graph/tensor.js';
import { median } from '../../src/util/stats.js';

export const RUNTIME_VARIANTS = [
  'forward-order',
  'reverse-order',
  'markowitz-order',
  'best-order',
  'tape-forward',
  'tape-reverse',
] as const;
export const PEER_VARIANTS = ['jaxjs-jacfwd', 'jaxjs-jacrev'] as const;
export type RuntimeVariant = (typeof RUNTIME_VARIANTS)[number] | (typeof PEER_VARIANTS)[number];

export interface RuntimeRow {
  task: string;
  batch: number;
  variant: RuntimeVariant;
  medianMs: number;
  cpuMs: number;
  /** Multiplications per point of the derivative part (null for peers). */
  multiplications: number | null;
  /** Operation counts of the generated code per point (null for peers). */
  stats: ProgramStats | null;
  /** Timed rounds behind the medians. */
  runs: number;
}

/** A timed callable: one Jacobian batch per call. */
export interface TimedVariant {
  readonly variant: RuntimeVariant;
  readonly multiplications: number | null;
  readonly stats: ProgramStats | null;
  run(): void;
}

export function compiledVariant(
  graph: Graph,
  variant: (typeof RUNTIME_VARIANTS)[number],
  bestOrder: readonly VertexId[],
  layout: Layout = 'point',
): CompiledJacobian {
  const target: CompileTarget =
    variant === 'forward-order'
      ? 'forward'
      : variant === 'reverse-order'
        ? 'reverse'
        : variant === 'markowitz-order'
          ? 'markowitz'
          : variant === 'best-order'
            ? bestOrder
            : variant;
  return compileGraphJacobian(graph, target, { layout });
}

/** How the best-order row's order was chosen: the candidate with the fewest compiled operations. */
export interface BestOrderChoice extends OrderChoice {
  readonly task: string;
}

/**
 * The best-order row: among the searched native-model order (if any), Markowitz, forward, reverse and the
 * paper's published orders that fit the graph, the one whose compiled program performs the fewest
 * operations (cheapestCompiledOrder); with `annealMoves`, also that order refined by annealing on the
 * compiled operation count (seed 1, a fixed number of moves so that the choice reproduces).
 */
export function chooseBestOrder(
  graph: Graph,
  task: string,
  paperName: string,
  searched: readonly VertexId[] | undefined,
  annealMoves = 0,
): BestOrderChoice {
  const candidates: OrderCandidate[] = [];
  if (searched && searched.length > 0) candidates.push({ source: 'searched', order: searched });
  const data = JSON.parse(readDataFile(`paper/graphs/${paperName}.json`)) as {
    publishedOrders?: { algorithm: string; order: VertexId[] }[];
  };
  const published: OrderCandidate[] = [];
  for (const p of data.publishedOrders ?? []) {
    try {
      validateOrder(graph, p.order);
      published.push({ source: `published:${p.algorithm}`, order: p.order });
    } catch {
      // Published for a different graph variant: not a candidate here.
    }
  }
  const baselines = (['markowitz', 'forward', 'reverse'] as const).map((spec) => ({
    source: spec,
    order: resolveOrder(graph, spec),
  }));
  const all = [...candidates, ...baselines, ...published];
  const first = cheapestCompiledOrder(graph, all);
  if (annealMoves <= 0) return { task, ...first };
  const annealed = annealCompiledOrder(graph, first.order, { maxMoves: annealMoves, seed: 1 });
  return { task, ...cheapestCompiledOrder(graph, [...all, { source: 'annealed', order: annealed.order }]) };
}

/** Packs points into the compiled functions' batch layout. */
export function packPoints(points: readonly Tensor[][]): Float64Array[] {
  return points[0].map((_t, j) => {
    const n = points[0][j].data.length;
    const out = new Float64Array(points.length * n);
    points.forEach((p, b) => out.set(p[j].data, b * n));
    return out;
  });
}

/**
 * Largest relative disagreement between a compiled Jacobian and central finite differences over the
 * first points of a batch (the correctness gate before timing).
 */
export function finiteDifferenceError(
  graph: Graph,
  J: CompiledJacobian,
  points: readonly Tensor[][],
  check = 2,
): number {
  const result = J(packPoints(points.slice(0, check)));
  let worst = 0;
  points.slice(0, check).forEach((point, b) => {
    // stop_gradient values are constants for the exact Jacobian, so freeze them for the differences too.
    const fd = finiteDifferenceJacobian(freezeStopGradients(graph, point), point);
    fd.jacobian.forEach((row, i) =>
      row.forEach((block, j) =>
        block.data.forEach((x, k) => {
          const y = result.jacobian[i][j][b * block.data.length + k];
          worst = Math.max(worst, Math.abs(x - y) / Math.max(1, Math.abs(x), Math.abs(y)));
        }),
      ),
    );
  });
  return worst;
}

export interface TimingPlan {
  /** Timed rounds wanted (each round runs every variant once). */
  readonly runs: number;
  /** Warm-up: at least this many rounds, and until every variant has processed `warmupPoints` points. */
  readonly warmup: number;
  readonly warmupPoints: number;
  readonly batch: number;
  /** Wall-clock budget for the timed rounds of one group; fewer rounds (at least 5) when they would exceed it. */
  readonly budgetMs: number;
}

/**
 * Times variants interleaved (round-robin, so drift and noise hit all alike) after a warm-up long enough
 * for V8 to optimise the generated code: per variant the median wall time and the median CPU time
 * (process.cpuUsage: user + system) of one call, and how many rounds were timed.
 */
export function timeInterleaved(
  variants: readonly TimedVariant[],
  plan: TimingPlan,
): { medianMs: number; cpuMs: number; runs: number }[] {
  const warmRounds = Math.max(plan.warmup, Math.ceil(plan.warmupPoints / plan.batch));
  const warmStart = performance.now();
  let roundMs = 0;
  for (let w = 0; w < warmRounds; w++) {
    const t0 = performance.now();
    for (const v of variants) v.run();
    roundMs = performance.now() - t0;
    // Slow groups stop warming early: code that runs this long per call has been optimised by then.
    if (performance.now() - warmStart > plan.budgetMs / 2) break;
  }
  const runs = Math.max(5, Math.min(plan.runs, Math.floor(plan.budgetMs / Math.max(roundMs, 1e-3))));
  const wall = variants.map(() => [] as number[]);
  const cpu = variants.map(() => [] as number[]);
  for (let r = 0; r < runs; r++) {
    variants.forEach((v, k) => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      v.run();
      wall[k].push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu[k].push((c.user + c.system) / 1000);
    });
  }
  return variants.map((_v, k) => ({ medianMs: median(wall[k]), cpuMs: median(cpu[k]), runs }));
}

/**
 * The outputs alone, no Jacobian: the primal program in the same code generator (its outputs written into
 * reused arrays). Every order's program computes at least this, so min(forward, reverse) / this time bounds
 * what any order could gain.
 */
export function primalOnly(graph: Graph): (inputs: readonly Float64Array[], batch: number) => JacobianBatch {
  const full = buildEliminationProgram(graph, resolveOrder(graph, 'reverse'));
  const program = eliminateDeadCode({ ...full, jacobian: [] });
  const compiled = emitProgram(program, 'point');
  let into: JacobianBatch | undefined;
  return (inputs, batch) => (into = compiled.run(inputs, batch, into));
}
