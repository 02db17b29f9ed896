import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { findTask, FAITHFUL_TASKS, TASKS, taskGraph } from '../src/tasks/index.js';
import { quickOptimize } from '../src/search/index.js';
import type { VertexId } from '../src/index.js';
import { median } from '../src/util/stats.js';
import { facetedLineSpec, groupedBarSpec, renderPng } from '../src/plot/charts.js';
import { runtimeBenchmark, type RuntimeBenchResult } from './report/runtime-bench.js';
import { runtimeMarkdown, type RuntimeReportContext } from './report/runtime-markdown.js';
import type { BestOrderChoice } from './report/runtime.js';
import {
  BenchError,
  checkFlags,
  flagValue,
  noteScratch,
  outputDir,
  RESULTS_DIR,
  runBench,
  selectNames,
  writeResult,
} from './output.js';

/**
 * Runtime benchmark: compiled variants and the jax-js peer over batch sizes → results/runtime.{md,json} and
 * two PNG charts.
 *
 *   npm run bench:runtime                      # full run (about 20 minutes)
 *   npm run bench:runtime -- --quick           # fewer timed rounds, no repeat processes (a smoke run)
 *   npm run bench:runtime -- --tasks f,g       # only these tasks
 *   (--quick and --tasks write to results/.scratch/ unless --write; a full run rewrites results/)
 *   npm run bench:runtime -- --report-only     # rewrite runtime.md and the charts from runtime.json
 *   npm run bench:runtime -- --repeat 3        # fresh processes repeating the batch-512 timings
 */

interface BenchOptions {
  readonly outDir: string;
  readonly quick?: boolean;
  readonly tasks?: string;
  readonly reportOnly?: boolean;
  /** Fresh processes repeating the batch-512 timings of the faithful tasks (default 2; none with quick). */
  readonly repeat?: string;
  /** Internal: run as one such repeat, with the choices and results in this directory. */
  readonly repeatChild?: string;
}

export function parseArgs(args: readonly string[]): BenchOptions {
  checkFlags(args, [
    '--out-dir',
    '--quick',
    '--tasks',
    '--report-only',
    '--repeat',
    '--repeat-child',
    '--write',
  ]);
  const value = (flag: string): string | undefined => flagValue(args, flag);
  const quick = args.includes('--quick');
  // Names as the tasks command lists them (any case); an empty or unknown selection is refused here.
  const list = value('--tasks');
  const tasks =
    list === undefined
      ? undefined
      : selectNames(
          list
            .split(',')
            .map((t) => findTask(t.trim())?.name ?? t.trim())
            .join(','),
          TASKS.map((t) => t.name),
          'task',
        ).join(',');
  const partial = quick || tasks !== undefined;
  return {
    outDir: value('--out-dir') ?? outputDir({ partial, write: args.includes('--write') }),
    quick,
    tasks,
    reportOnly: args.includes('--report-only'),
    repeat: value('--repeat'),
    repeatChild: value('--repeat-child'),
  };
}

/** `bench runtime`: compiled variants and the peer over batch sizes, as results/runtime.{md,json}. */
async function benchRuntime(opts: BenchOptions): Promise<string> {
  if (opts.repeatChild) return runRepeat(opts.repeatChild);
  const asked = Number(opts.repeat ?? 2);
  if (!Number.isInteger(asked) || asked < 0)
    throw new BenchError(`--repeat must be a whole number ≥ 0, not '${opts.repeat}'`);
  const repeats = opts.quick ? 0 : asked;
  const jsonPath = join(opts.outDir, 'runtime.json');
  if (opts.reportOnly) {
    // Rewrites the Markdown and charts from the measurements already in runtime.json (no timing).
    if (!existsSync(jsonPath)) throw new BenchError(`${jsonPath}: no such file (run the benchmark first)`);
    const saved = JSON.parse(readFileSync(jsonPath, 'utf8')) as RuntimeBenchResult & RuntimeReportContext;
    const { command, machine, runs, warmup, seed, bestOrderSource, annealMoves } = saved;
    const ctx = { command, machine, runs, warmup, seed, bestOrderSource, annealMoves };
    return writeRuntimeReports(opts.outDir, saved, ctx);
  }
  // The committed search orders, also for a run that writes to the scratch directory.
  const searchPath = [join(opts.outDir, 'search.json'), join(RESULTS_DIR, 'search.json')].find((p) =>
    existsSync(p),
  );
  const bestOrders = new Map<string, VertexId[]>();
  let bestOrderSource = 'a 5 s single-thread native search per task (quickOptimize, seed 1)';
  if (searchPath) {
    const saved = JSON.parse(readFileSync(searchPath, 'utf8')) as {
      results?: { task: string; costModel: string; order: VertexId[] }[];
    };
    for (const r of saved.results ?? []) if (r.costModel === 'native') bestOrders.set(r.task, r.order);
    if (bestOrders.size > 0)
      bestOrderSource = `the native-model orders of ${searchPath} (npm run bench:search)`;
  }
  for (const task of TASKS)
    if (!bestOrders.has(task.name))
      bestOrders.set(task.name, quickOptimize(taskGraph(task, 'jaxpr'), opts.quick ? 500 : 5000).order);
  const runs = opts.quick ? 5 : 50;
  const warmup = opts.quick ? 2 : 10;
  const seed = 7;
  const annealMoves = opts.quick ? 200 : 5000;
  const result = await runtimeBenchmark({
    batches: [1, 16, 128, 512, 2048],
    runs,
    warmup,
    bestOrders,
    seed,
    annealMoves,
    tasks: opts.tasks?.split(','),
    log: (l) => process.stderr.write(`${l}\n`),
  });
  result.repeats = repeatInFreshProcesses(result, repeats, (l) => process.stderr.write(`${l}\n`));
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}`;
  const command = opts.quick ? 'npm run bench:runtime -- --quick' : 'npm run bench:runtime';
  return writeRuntimeReports(opts.outDir, result, {
    command,
    machine,
    runs,
    warmup,
    seed,
    bestOrderSource,
    annealMoves,
  });
}

/** runtime.md, runtime.json (measurements and context) and the two charts. */
async function writeRuntimeReports(
  outDir: string,
  result: RuntimeBenchResult,
  ctx: RuntimeReportContext,
): Promise<string> {
  noteScratch(outDir);
  writeResult(join(outDir, 'runtime.md'), runtimeMarkdown(result, ctx));
  // Charts: time per point (µs) at batch 512, and over batch sizes.
  const perPoint = result.rows.map((r) => ({ ...r, us: (1000 * r.medianMs) / r.batch }));
  const at512 = perPoint
    .filter((r) => r.batch === 512)
    .map((r) => ({ group: r.task, series: r.variant, value: r.us }));
  writeResult(
    join(outDir, 'runtime-batch512.png'),
    await renderPng(
      groupedBarSpec('Jacobian time per point at batch 512 (median, log scale)', at512, 'µs per point'),
    ),
  );
  const lines = perPoint.map((r) => ({ facet: r.task, series: r.variant, x: r.batch, y: r.us }));
  writeResult(
    join(outDir, 'runtime-batches.png'),
    await renderPng(
      facetedLineSpec('Jacobian time per point over batch sizes', lines, 'batch', 'µs per point'),
    ),
  );
  const rows = result.rows.map(
    ({ task, batch, variant, medianMs, cpuMs, multiplications, stats, runs: rounds }) => ({
      task,
      batch,
      variant,
      medianMs,
      cpuMs,
      multiplications,
      stats,
      runs: rounds,
    }),
  );
  // The repeat processes' timings are kept, so --report-only reproduces the committed report.
  const { omitted, checks, bestChoices, layouts, primal, allocation, opCosts, predictions, repeats } = result;
  writeResult(
    join(outDir, 'runtime.json'),
    `${JSON.stringify(
      {
        ...ctx,
        rows,
        omitted,
        checks,
        bestChoices,
        layouts,
        primal,
        allocation,
        opCosts,
        predictions,
        repeats,
      },
      null,
      2,
    )}\n`,
  );
  return `wrote ${join(outDir, 'runtime.md')}, runtime.json and two PNG charts (${result.rows.length} rows)`;
}

const REPEAT_BATCH = 512;
const REPEAT_RUNS = 50;

/**
 * Each process compiles and optimises the generated code anew, which moves a variant's time by a few per
 * cent; so the batch-512 timings of the faithful tasks are repeated in `count` fresh processes (one after
 * the other, same orders) and the report's targets use the median over processes. The allocation timings of
 * those tasks in `main` are replaced by their medians over the processes too.
 */
function repeatInFreshProcesses(
  main: RuntimeBenchResult,
  count: number,
  log: (line: string) => void,
): RuntimeBenchResult['repeats'] {
  const faithful = main.bestChoices.filter((c) => FAITHFUL_TASKS.includes(c.task));
  const at512 = main.rows.filter((r) => r.batch === REPEAT_BATCH && r.stats !== null);
  const repeats = at512
    .filter((r) => faithful.some((c) => c.task === r.task))
    .map((r) => ({ task: r.task, variant: r.variant as string, medianMs: [r.medianMs] }));
  if (count === 0 || repeats.length === 0) return repeats;
  const dir = mkdtempSync(join(tmpdir(), 'crosscountry-repeat-'));
  // Allocation is the timing most exposed to the process (its heap decides how often allocating collects).
  const allocations = new Map(
    main.allocation.filter((a) => faithful.some((c) => c.task === a.task)).map((a) => [a.task, [a]]),
  );
  try {
    writeFileSync(join(dir, 'choices.json'), JSON.stringify(faithful));
    for (let k = 1; k <= count; k++) {
      log(`repeat ${k} of ${count} in a fresh process (batch ${REPEAT_BATCH}, ${faithful.length} tasks)`);
      const child = spawnSync(
        process.execPath,
        [...process.execArgv, process.argv[1], '--repeat-child', dir],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      );
      if (child.status !== 0) throw new BenchError(`repeat ${k} failed (exit ${child.status})`);
      const { rows, allocation } = JSON.parse(readFileSync(join(dir, 'rows.json'), 'utf8')) as Pick<
        RuntimeBenchResult,
        'rows' | 'allocation'
      >;
      for (const rep of repeats) {
        const row = rows.find((r) => r.task === rep.task && r.variant === rep.variant);
        if (row) rep.medianMs.push(row.medianMs);
      }
      for (const a of allocation) (allocations.get(a.task) ?? []).push(a);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  main.allocation = main.allocation.map((a) => {
    const all = allocations.get(a.task);
    if (!all || all.length < 2) return a;
    return {
      ...a,
      reusedMs: median(all.map((x) => x.reusedMs)),
      freshMs: median(all.map((x) => x.freshMs)),
      processes: all.length,
    };
  });
  return repeats;
}

/** One repeat: the given orders, batch 512 only, no peer and no extras; rows and allocation to `dir/rows.json`. */
async function runRepeat(dir: string): Promise<string> {
  if (!existsSync(join(dir, 'choices.json')))
    throw new BenchError(`${join(dir, 'choices.json')}: no such file`);
  const choices = JSON.parse(readFileSync(join(dir, 'choices.json'), 'utf8')) as BestOrderChoice[];
  const result = await runtimeBenchmark({
    batches: [REPEAT_BATCH],
    runs: REPEAT_RUNS,
    // A repeat compiles at batch 512 directly, without the smaller batches that warm the main run's code
    // first, and V8 needs some tens of calls to settle on optimised code.
    warmup: 40,
    bestOrders: new Map(),
    choices: new Map(choices.map((c) => [c.task, c])),
    tasks: choices.map((c) => c.task),
    peer: false,
    extras: false,
  });
  writeFileSync(join(dir, 'rows.json'), JSON.stringify({ rows: result.rows, allocation: result.allocation }));
  return `wrote ${join(dir, 'rows.json')}`;
}

// Imported by the tests for parseArgs alone: the benchmark runs only as a script.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href)
  await runBench(async () => {
    process.stdout.write(`${await benchRuntime(parseArgs(process.argv.slice(2)))}\n`);
  });
