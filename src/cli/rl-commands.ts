import { existsSync } from 'node:fs';
import { join } from 'node:path';

import {
  checkAgentOptions,
  createAgent,
  curveCsv,
  curveRows,
  EliminationGame,
  resumeAgent,
  RL_METHODS,
  runAgent,
  type AgentBase,
  type AgentCheckpoint,
  type AgentOptions,
  type AlphaZeroPrior,
  type Architecture,
  type EpisodeReport,
  type RunSummary,
} from '../rl/index.js';
import { greedyOrder, loadGeneralist } from '../rl/generalist.js';
import { isRlMethod } from '../rl/methods.js';
import { findTask } from '../tasks/index.js';
import type { QueueOptions } from '../rl/distributed/coordinator.js';
import { redisConnection } from '../rl/distributed/bullmq.js';
import { startQueueWorker } from '../rl/distributed/worker.js';
import { CliError, readJsonFile } from './errors.js';
import { loadGraph } from './load-graph.js';
import { exitAsInterrupted, interruptOnSignals } from './interrupt.js';
import {
  costModelOf,
  countOption,
  optional,
  parseSource,
  secondsOption,
  wholeNumber,
} from './parse-options.js';
import { checkCheckpointDir, checkOutputFile, writeFileAtomically } from './paths.js';

export interface RlCliOptions {
  readonly method: string;
  readonly budget?: string;
  readonly episodes?: string;
  readonly seed: string;
  readonly costModel?: string;
  readonly source?: string;
  readonly arch?: string;
  readonly games?: string;
  readonly simulations?: string;
  readonly workers?: string;
  readonly imitate?: string;
  readonly prior?: string;
  readonly out?: string;
  readonly json?: boolean;
  readonly checkpoint?: string;
  readonly resume?: boolean;
  readonly overwrite?: boolean;
  readonly progressSeconds?: string;
  readonly quiet?: boolean;
  readonly queue?: string;
  readonly gamesPerJob?: string;
}

/** Paper tasks default to the paper's cost model, anything else to the executor's. */
async function loadGames(paths: readonly string[], opts: RlCliOptions): Promise<EliminationGame[]> {
  const games: EliminationGame[] = [];
  for (const path of paths) {
    const { graph, name } = await loadGraph(path, parseSource(opts.source));
    const costModel = opts.costModel ? costModelOf(opts.costModel) : findTask(path) ? 'alphagrad' : 'native';
    if (graph.vertices.length === 0) throw new CliError(`graph ${name} has no vertices to eliminate`);
    games.push(new EliminationGame(graph, costModel, name));
  }
  if (new Set(games.map((g) => g.name)).size !== games.length)
    throw new CliError('the same graph is given twice');
  return games;
}

interface RlSettings {
  readonly limits: { readonly budgetSeconds?: number; readonly episodes?: number };
  readonly agent: AgentOptions;
  readonly progressSeconds: number;
}

/** Every RL option parsed and range-checked, before any graph is loaded or network built. */
export function rlSettings(opts: RlCliOptions): RlSettings {
  if (!isRlMethod(opts.method))
    throw new CliError(`unknown RL method '${opts.method}' (use ${RL_METHODS.join(', ')})`);
  if (opts.arch !== undefined && !['mlp', 'gnn', 'transformer'].includes(opts.arch))
    throw new CliError(`unknown architecture '${opts.arch}' (use mlp, gnn or transformer)`);
  if (opts.prior !== undefined && !['network', 'generalist', 'uniform'].includes(opts.prior))
    throw new CliError(`unknown prior '${opts.prior}' (use generalist, network or uniform)`);
  // The shipped policy is the default start unless the user asks for a network of their own.
  const prior =
    opts.prior ??
    (opts.method === 'alphazero' && opts.arch === undefined && opts.imitate === undefined
      ? 'generalist'
      : undefined);
  if (opts.costModel !== undefined) costModelOf(opts.costModel);
  parseSource(opts.source);
  const episodes = optional(opts.episodes, '--episodes', countOption);
  // A zero budget would train nothing and report no order: refused like --episodes 0.
  const budget = optional(opts.budget, '--budget', (v, w) =>
    secondsOption(v, w, { min: 0, exclusive: true }),
  );
  const agent: AgentOptions = {
    method: opts.method,
    seed: wholeNumber(opts.seed, '--seed'),
    architecture: opts.arch as Architecture | undefined,
    games: optional(opts.games, '--games', countOption),
    simulations: optional(opts.simulations, '--simulations', countOption),
    workers: optional(opts.workers, '--workers', countOption),
    imitationSteps: optional(opts.imitate, '--imitate', wholeNumber),
    prior: prior as AlphaZeroPrior | undefined,
    scheduleEpisodes: episodes,
    ...(opts.queue === undefined ? {} : { queue: queueOptions(opts) }),
  };
  checkAgentOptions(agent);
  return {
    limits: { budgetSeconds: budget ?? (episodes === undefined ? 60 : undefined), episodes },
    agent,
    progressSeconds: secondsOption(opts.progressSeconds ?? '10', '--progress-seconds', {
      min: 0,
      exclusive: true,
    }),
  };
}

function queueOptions(opts: RlCliOptions): QueueOptions {
  if (opts.method !== 'alphazero') throw new CliError('--queue distributes alphazero self-play only');
  const url = opts.queue ?? '';
  redisConnection(url); // checked now: one clear error before any training
  const gamesPerJob = optional(opts.gamesPerJob, '--games-per-job', countOption) ?? 1;
  return { url, gamesPerJob, attempts: 3 };
}

export interface WorkerCliOptions {
  readonly queue: string;
  readonly lockSeconds: string;
}

/** `worker`: plays self-play jobs from a BullMQ queue until stopped (SIGINT/SIGTERM). */
export async function workerCommand(opts: WorkerCliOptions): Promise<string> {
  const url = opts.queue;
  redisConnection(url);
  const lockSeconds = secondsOption(opts.lockSeconds, '--lock-seconds', { min: 0, exclusive: true });
  const worker = await startQueueWorker({
    url,
    lockSeconds,
    onJob: (id, job) =>
      process.stderr.write(
        `worker ${process.pid}: job ${id} (episode ${job.episode}, ${job.games.length} games)\n`,
      ),
  });
  process.stderr.write(`worker ${process.pid}: waiting for self-play jobs on ${url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await worker.close();
  return `worker ${process.pid}: stopped`;
}

/** A live one-line progress display on a terminal; one line per interval in logs. */
function progressPrinter(games: readonly EliminationGame[], intervalSeconds: number, quiet: boolean) {
  const tty = process.stderr.isTTY === true;
  let lastPrint = -Infinity;
  let evaluations = 0;
  let evalSeconds = 0;
  return {
    update(report: EpisodeReport, agent: AgentBase): void {
      evaluations += report.evaluations;
      evalSeconds += report.seconds;
      const now = agent.elapsedSeconds;
      if (quiet || (!tty && now - lastPrint < intervalSeconds)) return;
      lastPrint = now;
      const tasks = games
        .map((g) => {
          const best = agent.best.get(g)?.multiplications ?? '-';
          const { forward, reverse, markowitz } = g.baselines;
          return `${g.name} best ${best} (fwd ${forward} rev ${reverse} mM ${markowitz})`;
        })
        .join(' | ');
      const rate = evalSeconds > 0 ? Math.round(evaluations / evalSeconds) : 0;
      const loss = report.losses ? ` loss ${report.losses.total.toFixed(3)}` : '';
      const line = `episode ${agent.episode} ${now.toFixed(1)} s | ${tasks} | ${rate} evals/s${loss}`;
      process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
    },
    /** Ends the live line (once). */
    done(): void {
      if (tty && !quiet && lastPrint > -Infinity) process.stderr.write('\n');
      lastPrint = -Infinity;
    },
  };
}

/** The curve as CSV, and as PNG when the optional plotting packages are installed; the files written. */
async function writeCurve(
  prefix: string,
  agent: AgentBase,
  games: readonly EliminationGame[],
  title: string,
): Promise<string[]> {
  writeFileAtomically(`${prefix}.csv`, curveCsv(agent.curve));
  const plot = await loadPlotting();
  if (!plot) return [`${prefix}.csv`];
  const spec = plot.learningCurveSpec(title, curveRows(agent.curve, games));
  writeFileAtomically(`${prefix}.png`, await plot.renderPng(spec));
  return [`${prefix}.csv`, `${prefix}.png`];
}

/** The plotting modules, or null (with one line on stderr) when vega, vega-lite or resvg is not installed. */
async function loadPlotting(): Promise<{
  renderPng: typeof import('../plot/charts.js').renderPng;
  learningCurveSpec: typeof import('../plot/learning-curve.js').learningCurveSpec;
} | null> {
  try {
    const [{ renderPng }, { learningCurveSpec }] = await Promise.all([
      import('../plot/charts.js'),
      import('../plot/learning-curve.js'),
    ]);
    return { renderPng, learningCurveSpec };
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw e;
    process.stderr.write(
      'note: no PNG curve (to plot, install the optional vega vega-lite @resvg/resvg-js)\n',
    );
    return null;
  }
}

interface RunRecord {
  readonly task: string;
  readonly costModel: string;
  readonly method: string;
  readonly seed: number;
  readonly budgetSeconds: number | null;
  readonly episodes: number;
  readonly multiplications: number | null;
  readonly order: number[] | null;
  readonly cpuSeconds: number;
  readonly evaluationsPerSecond: number;
  /** Mean episode cost per episode: the learning curve in one line. */
  readonly meanCosts: number[];
  /** Present when Ctrl-C ended the run before its budget. */
  readonly interrupted?: true;
}

function records(
  agent: AgentBase,
  games: readonly EliminationGame[],
  settings: RlSettings,
  run: RunSummary,
): RunRecord[] {
  const { budgetSeconds } = settings.limits;
  return games.map((g) => {
    const best = agent.best.get(g);
    return {
      task: g.name,
      costModel: g.costModel,
      method: agent.method,
      seed: settings.agent.seed ?? 1,
      budgetSeconds: budgetSeconds ?? null,
      episodes: agent.episode,
      multiplications: best?.multiplications ?? null,
      order: best?.order ?? null,
      cpuSeconds: Number(agent.cpuSeconds.toFixed(2)),
      evaluationsPerSecond: Math.round(run.evaluations / Math.max(1e-9, run.seconds)),
      meanCosts: agent.curve.filter((p) => p.task === g.name).map((p) => Number(p.meanCost.toFixed(1))),
      ...(run.interrupted ? { interrupted: true } : {}),
    };
  });
}

function summary(rows: readonly RunRecord[], games: readonly EliminationGame[], agent: AgentBase): string {
  return rows
    .map((r, i) => {
      const g = games[i];
      const base = g.bestBaseline;
      const change =
        r.multiplications === null
          ? ''
          : `, ${(((r.multiplications - base) / base) * 100).toFixed(1)}% vs best baseline`;
      const { forward, reverse, markowitz } = g.baselines;
      return [
        `${r.task}: ${r.multiplications ?? 'no complete order'} multiplications (${r.method}, cost model ${r.costModel}${change})`,
        `  forward ${forward}, reverse ${reverse}, markowitz ${markowitz}; ${agent.episode} episodes in ${agent.elapsedSeconds.toFixed(1)} s (${agent.cpuSeconds.toFixed(1)} CPU s)`,
        `  order: ${(r.order ?? []).join(',')}`,
      ].join('\n');
    })
    .join('\n');
}

/** Trains with Ctrl-C/SIGTERM ending the run after the current episode (the best orders are kept). */
async function train(
  agent: AgentBase,
  games: readonly EliminationGame[],
  settings: RlSettings,
  quiet: boolean,
  onEpisode?: (a: AgentBase) => void,
): Promise<RunSummary> {
  const progress = progressPrinter(games, settings.progressSeconds, quiet);
  const interruption = interruptOnSignals();
  try {
    const run = await runAgent(agent, {
      ...settings.limits,
      signal: interruption.signal,
      onEpisode: (r, a) => {
        progress.update(r, a);
        onEpisode?.(a);
      },
    });
    if (run.interrupted) {
      exitAsInterrupted();
      progress.done();
      process.stderr.write(`interrupted after ${agent.episode} episodes: keeping the best orders so far\n`);
    }
    return run;
  } finally {
    progress.done();
    interruption.dispose();
  }
}

/** `optimize --method alphazero|ppo`: trains on one graph within the budget and reports the best order seen. */
export async function rlOptimizeCommand(graphPath: string, opts: RlCliOptions): Promise<string> {
  const settings = rlSettings(opts);
  if (opts.out !== undefined) checkOutputFile(opts.out, '--out');
  const games = await loadGames([graphPath], opts);
  const agent = await createAgent(games, settings.agent);
  let run: RunSummary;
  try {
    run = await train(agent, games, settings, opts.quiet === true);
  } finally {
    agent.dispose();
  }
  const rows = records(agent, games, settings, run);
  if (opts.out) {
    writeFileAtomically(opts.out, `${JSON.stringify(rows[0])}\n`);
    await writeCurve(
      opts.out.replace(/\.json$/i, '') + '.curve',
      agent,
      games,
      `${opts.method} on ${games[0].name}`,
    );
  }
  return opts.json ? JSON.stringify(rows[0]) : summary(rows, games, agent);
}

/** `train`: (joint) training on one or more graphs with checkpoints that a later run resumes. */
export async function trainCommand(graphPaths: readonly string[], opts: RlCliOptions): Promise<string> {
  const settings = rlSettings(opts);
  const dir = opts.checkpoint ?? 'rl-checkpoint';
  checkCheckpointDir(dir, { resume: opts.resume, overwrite: opts.overwrite });
  const games = await loadGames(graphPaths, opts);
  const checkpointPath = join(dir, 'checkpoint.json');
  let agent: AgentBase;
  if (opts.resume) {
    if (!existsSync(checkpointPath)) throw new CliError(`--resume: no checkpoint at ${checkpointPath}`);
    const checkpoint = readJsonFile(checkpointPath, 'checkpoint') as AgentCheckpoint;
    if (checkpoint.kind !== 'alphazero' && checkpoint.kind !== 'ppo')
      throw new CliError(`${checkpointPath} is not a crosscountry RL checkpoint`);
    try {
      agent = await resumeAgent(games, checkpoint);
    } catch (err) {
      throw new CliError(err instanceof Error ? err.message : String(err));
    }
  } else {
    agent = await createAgent(games, settings.agent);
  }
  const save = () => writeFileAtomically(checkpointPath, JSON.stringify(agent.checkpoint()));
  let lastSave = agent.elapsedSeconds;
  let run: RunSummary;
  try {
    run = await train(agent, games, settings, opts.quiet === true, (a) => {
      if (a.elapsedSeconds - lastSave > 60) {
        save();
        lastSave = a.elapsedSeconds;
      }
    });
    save();
  } finally {
    agent.dispose();
  }
  const rows = records(agent, games, settings, run);
  writeFileAtomically(join(dir, 'orders.json'), `${JSON.stringify(rows, null, 2)}\n`);
  const curves = await writeCurve(
    join(dir, 'curve'),
    agent,
    games,
    `${agent.method}: ${games.map((g) => g.name).join(', ')}`,
  );
  const files = [checkpointPath, join(dir, 'orders.json'), ...curves];
  const written = `wrote ${files.slice(0, -1).join(', ')} and ${files[files.length - 1]}`;
  return opts.json ? JSON.stringify(rows) : `${summary(rows, games, agent)}\n${written}`;
}

/** `optimize --method policy`: the shipped generalist plays greedily, one forward pass per move, no search. */
export async function policyOptimizeCommand(graphPath: string, opts: RlCliOptions): Promise<string> {
  if (opts.costModel !== undefined) costModelOf(opts.costModel);
  if (opts.out !== undefined) checkOutputFile(opts.out, '--out');
  const games = await loadGames([graphPath], opts);
  const game = games[0];
  const t0 = performance.now();
  const { net } = await loadGeneralist(games);
  let played;
  try {
    played = greedyOrder(net, game);
  } finally {
    net.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  const record = {
    task: game.name,
    costModel: game.costModel,
    method: 'policy',
    seconds: Number(seconds.toFixed(3)),
    forwardPasses: played.evaluations,
    multiplications: played.multiplications,
    order: played.order,
  };
  if (opts.out) writeFileAtomically(opts.out, `${JSON.stringify(record)}\n`);
  if (opts.json) return JSON.stringify(record);
  const { forward, reverse, markowitz } = game.baselines;
  const change = ((played.multiplications - game.bestBaseline) / game.bestBaseline) * 100;
  return [
    `${game.name}: ${played.multiplications} multiplications (policy, cost model ${game.costModel}, ${change.toFixed(1)}% vs best baseline)`,
    `  forward ${forward}, reverse ${reverse}, markowitz ${markowitz}; greedy generalist policy, ${played.evaluations} forward passes in ${seconds.toFixed(2)} s`,
    `  order: ${played.order.join(',')}`,
  ].join('\n');
}
