/**
 * Runs `optimize`'s search off the CLI's main thread, so that Ctrl-C is seen at once even while a
 * single-thread search holds its thread: every improvement is streamed to the parent, which keeps the
 * best and can terminate this worker at any moment without losing it.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { CrosscountryError } from '../graph/errors.js';
import { graphFromJson, type GraphJson } from '../graph/serialize.js';
import {
  optimizeOrder,
  type OptimizeOptions,
  type OptimizeResult,
  type ProgressEvent,
} from '../search/index.js';

export interface OptimizeTask {
  readonly graph: GraphJson;
  /** The options without callbacks (they cannot cross threads). */
  readonly options: Omit<OptimizeOptions, 'onProgress' | 'signal'>;
}

export type OptimizeMessage =
  | { readonly kind: 'progress'; readonly event: ProgressEvent }
  | { readonly kind: 'done'; readonly result: OptimizeResult }
  /** `bad input`: the library's typed errors and exact search's size limit (a RangeError), else a bug. */
  | { readonly kind: 'error'; readonly message: string; readonly badInput: boolean };

const port = parentPort;
if (port) {
  const task = workerData as OptimizeTask;
  optimizeOrder(graphFromJson(task.graph), {
    ...task.options,
    onProgress: (event) => port.postMessage({ kind: 'progress', event } satisfies OptimizeMessage),
  }).then(
    (result) => port.postMessage({ kind: 'done', result } satisfies OptimizeMessage),
    (err: unknown) =>
      port.postMessage({
        kind: 'error',
        message: err instanceof Error ? err.message : String(err),
        badInput: err instanceof CrosscountryError || err instanceof RangeError,
      } satisfies OptimizeMessage),
  );
}
