/**
 * A worker thread of the search portfolio: rebuilds the graph from JSON, runs one strategy and streams
 * every improvement to the parent, so the portfolio stays anytime even if the worker is terminated.
 */
import { parentPort, workerData } from 'node:worker_threads';

import type { CostModelName } from '../elimination/cost-model.js';
import type { VertexId } from '../graph/graph.js';
import { graphFromJson, type GraphJson } from '../graph/serialize.js';
import { localJacobians } from '../evaluate/linearize.js';
import { cutRelaxationBound } from './cut-relaxation.js';
import { exactSearch } from './exact.js';
import { MilpSolverUnavailableError } from './highs.js';
import { improveOrders, type Candidate } from './improve.js';
import { searchProblem } from './problem.js';

export interface WorkerTask {
  readonly graph: GraphJson;
  readonly costModel: CostModelName;
  readonly strategy: 'improve' | 'exact';
  readonly seed: number;
  readonly timeLimitMs: number;
  readonly incumbent: { readonly order: VertexId[]; readonly multiplications: number };
  /** The elite starting orders, cheapest first, for the improvement loop. */
  readonly starts: readonly Candidate[];
  /** A proven lower bound: reaching it ends the search. */
  readonly lowerBound: number;
  /** One float shared by all workers: the best cost any of them has reached. */
  readonly shared: SharedArrayBuffer;
  /** States A* may store (exactSearch's default when absent). */
  readonly exactStates?: number;
}

export type WorkerMessage =
  | {
      readonly kind: 'improve';
      readonly multiplications: number;
      readonly order: VertexId[];
      /** The part that found the order (anneal, lns, relink, …; exact search leaves it out). */
      readonly source?: string;
    }
  | {
      readonly kind: 'bound';
      readonly lowerBound: number;
      readonly optimal: boolean;
      readonly stats: Record<string, number | string>;
    }
  | { readonly kind: 'failed'; readonly message: string };

const task = workerData as WorkerTask;
const port = parentPort;
/** Of the time A* leaves, the share the cut relaxation gets before the thread goes back to improving. */
const RELAXATION_SHARE = 0.5;

async function run(port: NonNullable<typeof parentPort>): Promise<void> {
  const problem = searchProblem(graphFromJson(task.graph), task.costModel);
  const shared = new Float64Array(task.shared);
  const improveFor = (timeLimitMs: number): void => {
    improveOrders(problem, task.starts, {
      seed: task.seed,
      timeLimitMs,
      lowerBound: task.lowerBound,
      onImprove: (multiplications, order, source) => {
        if (multiplications < task.incumbent.multiplications) {
          port.postMessage({
            kind: 'improve',
            multiplications,
            order: [...order],
            source,
          } satisfies WorkerMessage);
          if (multiplications < shared[0]) shared[0] = multiplications;
        }
      },
    });
  };
  if (task.strategy === 'exact') {
    const started = performance.now();
    const r = exactSearch(problem, {
      timeLimitMs: task.timeLimitMs,
      incumbent: task.incumbent,
      sharedUpperBound: shared,
      ...(task.exactStates !== undefined ? { maxStates: task.exactStates } : {}),
    });
    if (r.order && r.multiplications !== null && r.multiplications < task.incumbent.multiplications) {
      port.postMessage({
        kind: 'improve',
        multiplications: r.multiplications,
        order: r.order,
      } satisfies WorkerMessage);
    }
    // Ending below no open state proves the shared bound optimal even when another worker holds the order.
    const optimal = r.certificate === 'optimal' || (r.stats?.stopReason === 'done' && r.order === null);
    const lowerBound =
      r.certificate === 'optimal'
        ? (r.multiplications as number)
        : (r.certificate as { lowerBound: number }).lowerBound;
    port.postMessage({ kind: 'bound', lowerBound, optimal, stats: { ...r.stats } } satisfies WorkerMessage);
    const left = (): number => task.timeLimitMs - (performance.now() - started);
    // Out of states before the budget: where A* ran out of memory, the cut relaxation (min over all
    // orders of the same per-state cuts, solved with HiGHS) often bounds much higher (RoeFlux_1d: 223 →
    // 289). Scalar graphs without copy edges only, as in milpOrder. Then the thread improves orders.
    let proven = optimal;
    if (!proven && left() > 0 && problem.engine === 'bitset' && !hasCopyEdges()) {
      const relaxed = await cutRelaxationBound(problem, {
        timeLimitMs: left() * RELAXATION_SHARE,
        upperBound: shared[0],
      }).catch((err: unknown) => {
        // Without the solver the search still has A*'s bound: no reason to fail the portfolio.
        if (err instanceof MilpSolverUnavailableError) return null;
        throw err;
      });
      if (relaxed) {
        // Posted even when not higher (the parent keeps the maximum), so every run reports what it tried.
        proven = relaxed.lowerBound >= shared[0];
        port.postMessage({
          kind: 'bound',
          lowerBound: relaxed.lowerBound,
          optimal: proven,
          stats: { relaxationBound: relaxed.lowerBound, relaxationRounds: relaxed.rounds },
        } satisfies WorkerMessage);
      }
    }
    if (!proven && left() > 0) improveFor(left());
  } else improveFor(task.timeLimitMs);
}

function hasCopyEdges(): boolean {
  const graph = graphFromJson(task.graph);
  return localJacobians(graph, null).some((edges) => edges.some((e) => e.block.structural));
}

if (port) {
  run(port).catch((err: unknown) => {
    port.postMessage({
      kind: 'failed',
      message: err instanceof Error ? err.message : String(err),
    } satisfies WorkerMessage);
  });
}
