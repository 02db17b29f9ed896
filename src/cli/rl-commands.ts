import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import {
  createAgent,
  curveCsv,
  curveRows,
  EliminationGame,
  resumeAgent,
  RL_METHODS,
  runAgent,
  type AgentBase,
  type AgentCheckpoint,
  type AlphaZeroPrior,
  type Architecture,
  type EpisodeReport,
  type RunSummary,
} from '../rl/index.js';
import { greedyOrder, loadGeneralist } from '../rl/generalist.js';
import { isRlMethod } from '../rl/methods.js';
import { findTask } from '../tasks/index.js';
import { CliError, readJsonFile } from './errors.js';
import { loadGraph } from './load-graph.js';
import { costModelOf, parseSource, positiveNumber } from './parse-options.js';

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
  readonly progressSeconds?: string;
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

function limitsOf(opts: RlCliOptions): { budgetSeconds?: number; episodes?: number } {
  const episodes =
    opts.episodes === undefined ? undefined : positiveNumber(opts.episodes, '--episodes', true);
  const budgetSeconds =
    opts.budget === undefined
      ? episodes === undefined
        ? 60
        : undefined
      : positiveNumber(opts.budget, '--budget');
  return { budgetSeconds, episodes };
}

async function agentFor(
  games: EliminationGame[],
  opts: RlCliOptions,
  scheduleEpisodes?: number,
): Promise<AgentBase> {
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
  const optional = (v: string | undefined, what: string) =>
    v === undefined ? undefined : Math.max(1, positiveNumber(v, what, true));
  return createAgent(games, {
    method: opts.method,
    seed: positiveNumber(opts.seed, '--seed', true),
    architecture: opts.arch as Architecture | undefined,
    games: optional(opts.games, '--games'),
    simulations: optional(opts.simulations, '--simulations'),
    workers: optional(opts.workers, '--workers'),
    imitationSteps: opts.imitate === undefined ? undefined : positiveNumber(opts.imitate, '--imitate', true),
    prior: prior as AlphaZeroPrior | undefined,
    scheduleEpisodes,
  });
}

/** A live one-line progress display on a terminal; one line per interval in logs. */
function progressPrinter(games: readonly EliminationGame[], intervalSeconds: number) {
  const tty = process.stderr.isTTY === true;
  let lastPrint = -Infinity;
  let evaluations = 0;
  let evalSeconds = 0;
  return {
    update(report: EpisodeReport, agent: AgentBase): void {
      evaluations += report.evaluations;
      evalSeconds += report.seconds;
      const now = agent.elapsedSeconds;
      if (!tty && now - lastPrint < intervalSeconds) return;
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
    done(): void {
      if (tty) process.stderr.write('\n');
    },
  };
}

function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/** The curve as CSV, and as PNG when the optional plotting packages are installed; the files written. */
async function writeCurve(
  prefix: string,
  agent: AgentBase,
  games: readonly EliminationGame[],
  title: string,
): Promise<string[]> {
  writeAtomically(`${prefix}.csv`, curveCsv(agent.curve));
  const plot = await loadPlotting();
  if (!plot) return [`${prefix}.csv`];
  const spec = plot.learningCurveSpec(title, curveRows(agent.curve, games));
  writeFileSync(`${prefix}.png`, await plot.renderPng(spec));
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
}

function records(
  agent: AgentBase,
  games: readonly EliminationGame[],
  opts: RlCliOptions,
  run: RunSummary,
): RunRecord[] {
  const { budgetSeconds } = limitsOf(opts);
  return games.map((g) => {
    const best = agent.best.get(g);
    return {
      task: g.name,
      costModel: g.costModel,
      method: agent.method,
      seed: Number(opts.seed),
      budgetSeconds: budgetSeconds ?? null,
      episodes: agent.episode,
      multiplications: best?.multiplications ?? null,
      order: best?.order ?? null,
      cpuSeconds: Number(agent.cpuSeconds.toFixed(2)),
      evaluationsPerSecond: Math.round(run.evaluations / Math.max(1e-9, run.seconds)),
      meanCosts: agent.curve.filter((p) => p.task === g.name).map((p) => Number(p.meanCost.toFixed(1))),
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

/** `optimize --method alphazero|ppo`: trains on one graph within the budget and reports the best order seen. */
export async function rlOptimizeCommand(graphPath: string, opts: RlCliOptions): Promise<string> {
  const games = await loadGames([graphPath], opts);
  const limits = limitsOf(opts);
  const agent = await agentFor(games, opts, limits.episodes);
  const progress = progressPrinter(games, positiveNumber(opts.progressSeconds ?? '10', '--progress-seconds'));
  let run: RunSummary;
  try {
    run = await runAgent(agent, { ...limits, onEpisode: (r, a) => progress.update(r, a) });
  } finally {
    progress.done();
    agent.dispose();
  }
  const rows = records(agent, games, opts, run);
  if (opts.out) {
    writeAtomically(opts.out, `${JSON.stringify(rows[0])}\n`);
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
  const games = await loadGames(graphPaths, opts);
  const limits = limitsOf(opts);
  const dir = opts.checkpoint ?? 'rl-checkpoint';
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
    agent = await agentFor(games, opts, limits.episodes);
  }
  const save = () => writeAtomically(checkpointPath, JSON.stringify(agent.checkpoint()));
  const progress = progressPrinter(games, positiveNumber(opts.progressSeconds ?? '10', '--progress-seconds'));
  let lastSave = agent.elapsedSeconds;
  let run: RunSummary;
  try {
    run = await runAgent(agent, {
      ...limits,
      onEpisode: (r, a) => {
        progress.update(r, a);
        if (a.elapsedSeconds - lastSave > 60) {
          save();
          lastSave = a.elapsedSeconds;
        }
      },
    });
    save();
  } finally {
    progress.done();
    agent.dispose();
  }
  const rows = records(agent, games, opts, run);
  writeAtomically(join(dir, 'orders.json'), `${JSON.stringify(rows, null, 2)}\n`);
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
  if (opts.out) writeAtomically(opts.out, `${JSON.stringify(record)}\n`);
  if (opts.json) return JSON.stringify(record);
  const { forward, reverse, markowitz } = game.baselines;
  const change = ((played.multiplications - game.bestBaseline) / game.bestBaseline) * 100;
  return [
    `${game.name}: ${played.multiplications} multiplications (policy, cost model ${game.costModel}, ${change.toFixed(1)}% vs best baseline)`,
    `  forward ${forward}, reverse ${reverse}, markowitz ${markowitz}; greedy generalist policy, ${played.evaluations} forward passes in ${seconds.toFixed(2)} s`,
    `  order: ${played.order.join(',')}`,
  ].join('\n');
}
