import {
  countOrderWith,
  resolveOrder,
  eliminableVertices,
  graphToJson,
  jacobianAtPoint,
  pprintGraph,
} from '../index.js';
import { checkOptimizeOptions, OPTIMIZE_METHODS, type OptimizeOptions } from '../search/index.js';
import { TASKS, taskGraph, type TaskSource } from '../tasks/index.js';
import { CliError } from './errors.js';
import { exitAsInterrupted, interruptOnSignals } from './interrupt.js';
import {
  costModelOf,
  countOption,
  optional,
  parseSource,
  secondsOption,
  wholeNumber,
} from './parse-options.js';
import { checkOutputFile, writeFileAtomically } from './paths.js';
import { progressLine } from './progress.js';
import { optimizeInWorker } from './run-optimize.js';
import { loadGraph } from './load-graph.js';
import { costJson, costText, jacobianJson, jacobianText, toJsonLine } from './output.js';
import { parseOrder } from './parse-order.js';
import { readInputs } from './read-inputs.js';

/** Each command returns the text to print on stdout; errors are thrown and reported by main. */

export interface CostOptions {
  readonly order: string;
  readonly costModel: string;
  readonly source?: string;
  readonly steps?: boolean;
  readonly json?: boolean;
  readonly out?: string;
}

export async function costCommand(graphPath: string, opts: CostOptions): Promise<string> {
  const costModel = costModelOf(opts.costModel);
  if (opts.out !== undefined) checkOutputFile(opts.out, '--out');
  const { graph, name } = await loadGraph(graphPath, parseSource(opts.source));
  const { order, label } = parseOrder(graph, opts.order, costModel);
  const { multiplications, steps } = countOrderWith(graph, order, costModel);
  if (opts.out) {
    // The shared order format: paste `order` into graphax.jacve(f, order=[...]) unchanged.
    const record = { task: name, costModel, multiplications, order };
    writeFileAtomically(opts.out, `${JSON.stringify(record)}\n`);
  }
  const shownSteps = opts.steps ? steps : undefined;
  return opts.json
    ? toJsonLine(costJson(multiplications, order, costModel, shownSteps))
    : costText(multiplications, label, order, costModel, shownSteps);
}

export interface JacobianOptions {
  readonly at: string;
  readonly order: string;
  readonly source?: string;
  readonly json?: boolean;
  readonly checkFinite?: boolean;
}

export async function jacobianCommand(graphPath: string, opts: JacobianOptions): Promise<string> {
  const { graph } = await loadGraph(graphPath, parseSource(opts.source));
  const { order, label } = parseOrder(graph, opts.order);
  const inputs = readInputs(graph, opts.at);
  const result = jacobianAtPoint(graph, inputs, order, { checkFinite: opts.checkFinite === true });
  return opts.json
    ? toJsonLine(jacobianJson(result, order))
    : jacobianText(graph, inputs, result, label, order);
}

export async function printCommand(
  graphPath: string,
  opts: { readonly json?: boolean; readonly source?: string },
): Promise<string> {
  const { graph } = await loadGraph(graphPath, parseSource(opts.source));
  return opts.json ? JSON.stringify(graphToJson(graph), null, 2) : pprintGraph(graph);
}

/** The built-in tasks with their sizes, for both sources. */
export function tasksCommand(opts: { readonly json?: boolean }): string {
  const rows = TASKS.map((task) => {
    const sizes = (source: TaskSource) => {
      const g = taskGraph(task, source);
      return {
        vertices: g.vertices.length,
        eliminable: eliminableVertices(g).length,
        inputs: g.inputs.length,
        outputs: g.outputs.length,
      };
    };
    return { name: task.name, description: task.description, ts: sizes('ts'), jaxpr: sizes('jaxpr') };
  });
  if (opts.json) return JSON.stringify(rows, null, 2);
  const lines = [
    'task                    vertices  eliminable  inputs  outputs   (TS version; jaxpr version if different)',
  ];
  for (const r of rows) {
    const same = JSON.stringify(r.ts) === JSON.stringify(r.jaxpr);
    const cell = (n: number, m: number, w: number) => (same || n === m ? String(n) : `${n}/${m}`).padStart(w);
    lines.push(
      `${r.name.padEnd(22)} ${cell(r.ts.vertices, r.jaxpr.vertices, 9)} ${cell(r.ts.eliminable, r.jaxpr.eliminable, 11)} ${cell(r.ts.inputs, r.jaxpr.inputs, 7)} ${cell(r.ts.outputs, r.jaxpr.outputs, 8)}   ${r.description}`,
    );
  }
  lines.push('', "Use a task name wherever a <graph> is expected; add --source jaxpr for the paper's graph.");
  return lines.join('\n');
}

export interface OptimizeCliOptions {
  readonly method: string;
  readonly costModel: string;
  readonly source?: string;
  /** Seconds; absent with a work limit (no time limit then). */
  readonly budget?: string;
  readonly seed: string;
  readonly maxMoves?: string;
  readonly maxStates?: string;
  readonly threads?: string;
  /** Orders the search starts from (order specs: a vertex list or an order JSON file), e.g. learned ones. */
  readonly start?: readonly string[];
  readonly out?: string;
  readonly json?: boolean;
  readonly verbose?: boolean;
  readonly quiet?: boolean;
}

/** Orders longer than this are abbreviated on the terminal (the JSON record always holds all of it). */
const MAX_ORDER_SHOWN = 200;

type SearchSettings = Omit<OptimizeOptions, 'onProgress' | 'signal'> & {
  readonly budgetSeconds: number;
  readonly costModel: NonNullable<OptimizeOptions['costModel']>;
};

/** Every `optimize` option parsed and range-checked, before the graph is loaded or a search starts. */
export function optimizeSettings(opts: OptimizeCliOptions): SearchSettings {
  const costModel = costModelOf(opts.costModel);
  const method = OPTIMIZE_METHODS.find((m) => m === opts.method);
  if (method === undefined)
    throw new CliError(
      `unknown method '${opts.method}' (use ${[...OPTIMIZE_METHODS, 'policy', 'alphazero', 'ppo'].join(', ')})`,
    );
  if (opts.out !== undefined) checkOutputFile(opts.out, '--out');
  const settings: SearchSettings = {
    method,
    costModel,
    budgetSeconds: opts.budget === undefined ? Infinity : secondsOption(opts.budget, '--budget'),
    seed: wholeNumber(opts.seed, '--seed'),
    maxMoves: optional(opts.maxMoves, '--max-moves', wholeNumber),
    maxStates: optional(opts.maxStates, '--max-states', countOption),
    threads: optional(opts.threads, '--threads', countOption),
  };
  checkOptimizeOptions(settings);
  return settings;
}

/**
 * `optimize`: the search portfolio; prints the best order with its certificate and writes the order JSON.
 * Ctrl-C (or SIGTERM) stops the search: the best order so far is printed and written, marked
 * interrupted, and the process exits with 130.
 */
export async function optimizeCommand(graphPath: string, opts: OptimizeCliOptions): Promise<string> {
  const settings = optimizeSettings(opts);
  const { costModel, budgetSeconds, maxMoves, maxStates } = settings;
  const loadStart = performance.now();
  const { graph, name } = await loadGraph(graphPath, parseSource(opts.source));
  const loadSeconds = (performance.now() - loadStart) / 1000;
  const interruption = interruptOnSignals();
  const progress = progressLine({
    stream: process.stderr,
    live: process.stderr.isTTY === true && opts.quiet !== true,
    budgetSeconds,
  });
  let result;
  let shownBest = Infinity;
  try {
    const starts = (opts.start ?? []).map((spec) => parseOrder(graph, spec, costModel).order);
    result = await optimizeInWorker(graph, starts.length > 0 ? { ...settings, starts } : settings, {
      signal: interruption.signal,
      onProgress: (e) => {
        progress.update(e);
        // --verbose lists improvements of the order (not of the bound), as lines that stay.
        if (opts.verbose && opts.quiet !== true && e.multiplications < shownBest)
          progress.log(`[${e.seconds.toFixed(1)} s] ${e.multiplications} (${e.source})`);
        shownBest = Math.min(shownBest, e.multiplications);
      },
    });
  } finally {
    progress.stop();
    interruption.dispose();
  }
  const record = {
    task: name,
    costModel,
    method: opts.method,
    budgetSeconds: Number.isFinite(budgetSeconds) ? budgetSeconds : null,
    ...(maxMoves === undefined ? {} : { maxMoves }),
    ...(maxStates === undefined ? {} : { maxStates }),
    seconds: Number(result.seconds.toFixed(3)),
    multiplications: result.multiplications,
    order: result.order,
    certificate: result.certificate,
    ...(result.interrupted ? { interrupted: true } : {}),
  };
  if (opts.out) writeFileAtomically(opts.out, `${JSON.stringify(record)}\n`);
  if (result.interrupted) {
    exitAsInterrupted();
    process.stderr.write(
      `interrupted after ${result.seconds.toFixed(1)} s: the best order so far${opts.out ? ` (written to ${opts.out})` : ''}\n`,
    );
  }
  if (opts.json) return JSON.stringify(record);
  const baseline = (spec: 'forward' | 'reverse' | 'markowitz') =>
    result.baselines?.[spec] ??
    countOrderWith(graph, resolveOrder(graph, spec, costModel), costModel).multiplications;
  const order = result.order ?? [];
  const shown =
    order.length > MAX_ORDER_SHOWN
      ? `${order.slice(0, MAX_ORDER_SHOWN).join(',')},… (${order.length} in all; --out writes them)`
      : order.join(',');
  const cert =
    result.certificate === 'optimal'
      ? 'proven optimal'
      : `lower bound ${result.certificate.lowerBound} (gap ${((((result.multiplications ?? 0) - result.certificate.lowerBound) / (result.multiplications || 1)) * 100).toFixed(1)}%)`;
  const limit = Number.isFinite(budgetSeconds)
    ? `of a ${budgetSeconds} s budget`
    : `(work limit: ${[maxMoves === undefined ? '' : `${maxMoves} moves`, maxStates === undefined ? '' : `${maxStates} states`].filter(Boolean).join(', ')})`;
  return [
    `${name}: ${result.multiplications} multiplications (${cert}; cost model ${costModel})`,
    `  forward ${baseline('forward')}, reverse ${baseline('reverse')}, markowitz ${baseline('markowitz')}`,
    `  found by ${result.foundBy} in ${result.seconds.toFixed(2)} s ${limit} (method ${opts.method}; graph loaded in ${loadSeconds.toFixed(2)} s)`,
    ...(result.interrupted ? ['  interrupted: the best order found before Ctrl-C, not the full budget'] : []),
    `  order: ${shown}`,
    ...(result.stats?.stopReason === 'memory'
      ? [
          `  exact search stopped at its state limit (${result.stats.statesStored} states stored): the lower bound is what it proved; --max-states raises the limit`,
        ]
      : []),
  ].join('\n');
}
