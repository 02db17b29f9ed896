/**
 * A worker thread of the search portfolio: rebuilds the graph from JSON, runs one strategy and streams
 * every improvement to the parent, so the portfolio stays anytime even if the worker is terminated.
 */
import { parentPort, workerData } from 'node:worker_threads';

import type { CostModelName } from '../elimination/cost-model.js';
import type { VertexId } from '../graph/graph.js';
import { graphFromJson, type GraphJson } from '../graph/serialize.js';
import { exactSearch } from './exact.js';
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
if (port) {
  try {
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
      // Out of states before the budget: the thread improves orders for the rest instead of idling.
      const left = task.timeLimitMs - (performance.now() - started);
      if (!optimal && left > 0) improveFor(left);
    } else improveFor(task.timeLimitMs);
  } catch (err) {
    port.postMessage({
      kind: 'failed',
      message: err instanceof Error ? err.message : String(err),
    } satisfies WorkerMessage);
  }
}
