/**
 * One run of the portfolio ablation (bench/portfolio.ts): one task, one variant, one seed, a move budget.
 * Runs in a worker thread when started by the bench (workerData holds the job), or in process through
 * runAblationJob.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { countOrderWith } from '../src/elimination/cost-model.js';
import { validateOrder } from '../src/elimination/order.js';
import type { VertexId } from '../src/graph/graph.js';
import { improveOrders, type ImproveParts } from '../src/search/improve.js';
import { vertexLowerBounds } from '../src/search/lower-bound.js';
import { portfolioStarts } from '../src/search/portfolio.js';
import { searchProblem } from '../src/search/problem.js';
import { findTask, taskGraph } from '../src/tasks/index.js';
import { readDataFile } from '../src/util/data.js';

/** What a variant keeps: the seed sources and the improvement parts. */
export interface Variant {
  readonly name: string;
  readonly catalogue: boolean;
  readonly published: boolean;
  readonly parts: ImproveParts;
}

export interface AblationJob {
  readonly task: string;
  readonly variant: Variant;
  readonly seed: number;
  readonly maxMoves: number;
}

export interface AblationRun {
  readonly task: string;
  readonly variant: string;
  readonly seed: number;
  readonly maxMoves: number;
  /** The best count, recounted by countOrderWith (alphagrad model). */
  readonly multiplications: number;
  /** The part that found it: a seed's name (work 0), anneal, lns, relink or relink+lns. */
  readonly foundBy: string;
  readonly workToBest: number;
  readonly work: number;
  readonly bestStart: number;
  readonly bestStartSource: string;
  readonly lowerBound: number;
  readonly seconds: number;
  readonly stats: Record<string, number>;
  readonly order: VertexId[];
}

/** The paper's published orders for a task that are complete orders of this graph (stale ones are skipped). */
export function publishedOrders(task: string): VertexId[][] {
  const data = JSON.parse(readDataFile(`paper/graphs/${task}.json`)) as {
    publishedOrders?: { order: number[] }[];
  };
  const graph = taskGraph(findTask(task)!, 'jaxpr');
  const out: VertexId[][] = [];
  for (const p of data.publishedOrders ?? []) {
    try {
      out.push(validateOrder(graph, p.order));
    } catch {
      // An order of an older version of the graph (the data file marks these STALE).
    }
  }
  return out;
}

export function runAblationJob(job: AblationJob): AblationRun {
  const { task, variant, seed, maxMoves } = job;
  const graph = taskGraph(findTask(task)!, 'jaxpr');
  const problem = searchProblem(graph, 'alphagrad');
  const t0 = performance.now();
  const starts = portfolioStarts(problem, seed, variant.published ? publishedOrders(task) : [], {
    catalogue: variant.catalogue,
  });
  const lowerBound = [...vertexLowerBounds(problem).values()].reduce((s, x) => s + x, 0);
  const r = improveOrders(problem, starts, { seed, maxMoves, parts: variant.parts, lowerBound });
  const seconds = (performance.now() - t0) / 1000;
  const check = countOrderWith(graph, r.order, 'alphagrad').multiplications;
  if (check !== r.multiplications)
    throw new Error(`${task} ${variant.name}: search reported ${r.multiplications}, recount gives ${check}`);
  return {
    task,
    variant: variant.name,
    seed,
    maxMoves,
    multiplications: check,
    foundBy: r.source,
    workToBest: r.stats.workToBest,
    work: r.stats.work,
    bestStart: starts[0].multiplications,
    bestStartSource: starts[0].source,
    lowerBound,
    seconds: Number(seconds.toFixed(2)),
    stats: { ...r.stats },
    order: r.order,
  };
}

if (parentPort && (workerData as { ablationJob?: AblationJob } | null)?.ablationJob) {
  const port = parentPort;
  try {
    port.postMessage({
      ok: true,
      run: runAblationJob((workerData as { ablationJob: AblationJob }).ablationJob),
    });
  } catch (err) {
    port.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
  }
}
