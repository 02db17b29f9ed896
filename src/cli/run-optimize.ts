import { countOrderWith, eliminableVertices, graphToJson, type Graph } from '../index.js';
import type { OptimizeOptions, OptimizeResult, ProgressEvent } from '../search/index.js';
import { startModuleWorker } from '../util/worker.js';
import { CliError } from './errors.js';
import type { OptimizeMessage, OptimizeTask } from './optimize-worker.js';

/**
 * optimizeOrder in a worker thread, stoppable at any moment by `signal`: the result then is the best
 * order the search had reported (interrupted: true), with the best lower bound it had proven.
 */
export function optimizeInWorker(
  graph: Graph,
  options: Omit<OptimizeOptions, 'onProgress' | 'signal'>,
  hooks: { readonly onProgress?: (e: ProgressEvent) => void; readonly signal?: AbortSignal },
): Promise<OptimizeResult> {
  const task: OptimizeTask = { graph: graphToJson(graph), options };
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const worker = startModuleWorker(import.meta.url, 'optimize-worker', task);
    let last: ProgressEvent | null = null;
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      hooks.signal?.removeEventListener('abort', stop);
      void worker.terminate();
      fn();
    };
    const stop = (): void =>
      settle(() => {
        // Interrupted before the worker's first report: the forward order stands in.
        if (!last) {
          const order = eliminableVertices(graph);
          const multiplications = countOrderWith(graph, order, options.costModel ?? 'native').multiplications;
          last = { order, multiplications, lowerBound: 0, source: 'forward', seconds: 0 };
        }
        const m = last.multiplications;
        resolve({
          order: [...last.order],
          multiplications: m,
          certificate: last.lowerBound >= m ? 'optimal' : { lowerBound: last.lowerBound },
          seconds: (performance.now() - start) / 1000,
          method: options.method ?? 'auto',
          costModel: options.costModel ?? 'native',
          budgetSeconds: options.budgetSeconds ?? Infinity,
          foundBy: last.source,
          stats: {},
          interrupted: true,
        });
      });
    if (hooks.signal?.aborted) return stop();
    hooks.signal?.addEventListener('abort', stop);
    worker.on('message', (m: OptimizeMessage) => {
      if (m.kind === 'progress') {
        last = m.event;
        hooks.onProgress?.(m.event);
      } else if (m.kind === 'done') settle(() => resolve(m.result));
      else settle(() => reject(m.badInput ? new CliError(m.message) : new Error(m.message)));
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) =>
      settle(() => reject(new Error(`the search worker exited (code ${code}) without a result`))),
    );
  });
}
