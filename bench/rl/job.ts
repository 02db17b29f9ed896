/**
 * One run of the RL benchmark, in its own process (bench/rl.ts starts two at a time, one per core):
 *
 *   npx tsx bench/rl/job.ts '<JobSpec as JSON>'   → one JobResult as JSON on the last stdout line
 *
 * Every budget is work: AlphaZero runs a fixed number of episodes, the search-only ablation a fixed
 * number of evaluations, annealing a fixed number of eliminations (for the equal-time comparison, the
 * eliminations this machine does in AlphaZero's CPU seconds). Wall and CPU time are recorded beside;
 * `annealSeconds` (a wall-clock limit) remains for runs on an otherwise idle machine.
 */
import type { Architecture, PolicyValueNet } from '../../src/nn/network.js';
import { cpuSeconds, networkStateFromJson } from '../../src/rl/agent.js';
import { AlphaZeroTrainer, DEFAULT_ALPHAZERO, type AlphaZeroConfig } from '../../src/rl/alphazero.js';
import { EliminationGame } from '../../src/rl/game.js';
import { greedyPolicyOrder } from '../../src/rl/greedy-policy.js';
import { networkFor } from '../../src/rl/network-factory.js';
import { anneal } from '../../src/search/anneal.js';
import { findTask, taskGraph } from '../../src/tasks/index.js';

export type JobKind = 'alphazero' | 'search-only' | 'anneal';

export interface JobSpec {
  readonly kind: JobKind;
  readonly task: string;
  readonly seed: number;
  /** The label the report groups by (e.g. `alphazero`, `alphazero-gnn`, `anneal-equal-time`). */
  readonly method: string;
  readonly architecture?: Architecture;
  /** AlphaZero: episodes to train (the learning-rate schedule spans exactly these). */
  readonly episodes?: number;
  readonly games?: number;
  readonly simulations?: number;
  readonly imitationSteps?: number;
  readonly learningRate?: number;
  readonly replayEpisodes?: number;
  /** Gradient steps per episode (absent = one pass over the episode's positions). */
  readonly trainSteps?: number;
  /**
   * AlphaZero: the Gumbel noise scale (the exploration temperature) falls linearly from the default 1 at the
   * first episode to this at the last (absent = constant).
   */
  readonly gumbelScaleEnd?: number;
  /** Search only: stop at the first episode end with at least this many evaluations. */
  readonly evaluations?: number;
  /** Annealing: eliminations (work budget) or seconds (the one wall-clock budget). */
  readonly annealEliminations?: number;
  readonly annealSeconds?: number;
  /**
   * Annealing: the CPU seconds to match (AlphaZero's, for an equal-time comparison on a shared machine).
   * Turned into an elimination budget by a short measurement of this machine's elimination rate, so the
   * run itself is work-budgeted and the count it used is recorded.
   */
  readonly annealCpuSeconds?: number;
}

export interface JobResult {
  readonly spec: JobSpec;
  /** Best complete order seen anywhere: played in self-play or reached inside the search tree. */
  readonly multiplications: number;
  readonly order: number[];
  /** The trained policy played greedily (no search) at the end; null without a network. */
  readonly greedy: { readonly multiplications: number; readonly order: number[] } | null;
  /** Greedy policy-only cost after each tenth of training (index 0 = before the first episode). */
  readonly greedyByTenth: number[];
  /** Mean self-play episode cost per episode. */
  readonly meanCosts: number[];
  /** Wall seconds since the start of training at the end of each episode. */
  readonly episodeSeconds: number[];
  /** CPU seconds of this process at the end of each episode (since the start of the job). */
  readonly episodeCpuSeconds?: number[];
  /** Best cost seen by the end of each episode. */
  readonly bestCosts: number[];
  readonly episodes: number;
  /** Network (or uniform-prior) evaluations; annealing: eliminations. */
  readonly evaluations: number;
  readonly annealMoves?: number;
  /** Annealing with annealCpuSeconds: the measured eliminations per CPU second behind its budget. */
  readonly annealRate?: number;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
}

/** The episodes after which the greedy policy is measured: the end of each tenth of training. */
export function tenthEnds(episodes: number): number[] {
  return Array.from({ length: 10 }, (_, k) => Math.max(1, Math.round(((k + 1) * episodes) / 10)));
}

/** From `start` at episode index 0 to `end` at the last of `episodes` (index episodes − 1). */
export function linearSchedule(start: number, end: number, index: number, episodes: number): number {
  return start + ((end - start) * Math.min(index, episodes - 1)) / Math.max(1, episodes - 1);
}

function gameOf(task: string): EliminationGame {
  const t = findTask(task);
  if (!t) throw new Error(`unknown task ${task}`);
  return new EliminationGame(taskGraph(t, 'jaxpr'), 'alphagrad', t.name);
}

function azConfig(spec: JobSpec, prior: 'network' | 'uniform'): AlphaZeroConfig {
  const d = DEFAULT_ALPHAZERO;
  return {
    ...d,
    seed: spec.seed,
    prior,
    architecture: spec.architecture ?? d.architecture,
    games: spec.games ?? d.games,
    search: { ...d.search, simulations: spec.simulations ?? d.search.simulations },
    learningRate: spec.learningRate ?? d.learningRate,
    imitationSteps: spec.imitationSteps ?? d.imitationSteps,
    replayEpisodes: spec.replayEpisodes ?? d.replayEpisodes,
    trainSteps: spec.trainSteps ?? d.trainSteps,
    scheduleEpisodes: spec.episodes ?? d.scheduleEpisodes,
  };
}

async function runAlphaZero(spec: JobSpec, game: EliminationGame): Promise<Omit<JobResult, 'spec'>> {
  const t0 = performance.now();
  const cpu0 = cpuSeconds();
  const searchOnly = spec.kind === 'search-only';
  const config = azConfig(spec, searchOnly ? 'uniform' : 'network');
  // The trainer reads config.search at every episode: a getter makes the noise scale follow the schedule.
  let gumbelScale = config.search.gumbelScale;
  const scheduled: AlphaZeroConfig = {
    ...config,
    get search() {
      return { ...config.search, gumbelScale };
    },
  };
  const trainer = await AlphaZeroTrainer.create([game], scheduled);
  // A second network of the same shape: the trainer's weights are copied into it to play greedily.
  let probe: PolicyValueNet | null = null;
  if (!searchOnly) probe = await networkFor([game], config);
  const greedyNow = (): { multiplications: number; order: number[] } | null => {
    const state = trainer.checkpoint().network;
    if (!probe || !state) return null;
    probe.setState(networkStateFromJson(state));
    return greedyPolicyOrder(probe, game, config.valueTransform);
  };
  const greedyByTenth: number[] = [];
  const start = greedyNow();
  if (start) greedyByTenth.push(start.multiplications);
  const ends = new Set(tenthEnds(spec.episodes ?? 1));
  const meanCosts: number[] = [];
  const episodeSeconds: number[] = [];
  const episodeCpuSeconds: number[] = [];
  const bestCosts: number[] = [];
  let evaluations = 0;
  for (;;) {
    if (spec.gumbelScaleEnd !== undefined)
      gumbelScale = linearSchedule(
        config.search.gumbelScale,
        spec.gumbelScaleEnd,
        trainer.episode,
        spec.episodes ?? 1,
      );
    const report = await trainer.runEpisode();
    evaluations += report.evaluations;
    meanCosts.push(report.points[0].meanCost);
    bestCosts.push(trainer.best.get(game)?.multiplications ?? NaN);
    episodeSeconds.push((performance.now() - t0) / 1000);
    episodeCpuSeconds.push(cpuSeconds() - cpu0);
    // Progress for whoever watches the job's stderr (the bench keeps only stdout).
    process.stderr.write(
      `episode ${trainer.episode}: mean ${report.points[0].meanCost.toFixed(1)}, best ${bestCosts.at(-1)}, ${episodeSeconds.at(-1)?.toFixed(1)} s\n`,
    );
    if (!searchOnly && ends.has(trainer.episode)) {
      const g = greedyNow();
      if (g) greedyByTenth.push(g.multiplications);
    }
    const done = searchOnly
      ? evaluations >= (spec.evaluations ?? 0)
      : trainer.episode >= (spec.episodes ?? 1);
    if (done) break;
  }
  const greedy = greedyNow();
  const best = trainer.best.get(game);
  if (!best) throw new Error('no complete order');
  trainer.dispose();
  probe?.dispose();
  return {
    multiplications: best.multiplications,
    order: best.order,
    greedy,
    greedyByTenth,
    meanCosts,
    episodeSeconds,
    episodeCpuSeconds,
    bestCosts,
    episodes: trainer.episode,
    evaluations,
    wallSeconds: (performance.now() - t0) / 1000,
    cpuSeconds: cpuSeconds() - cpu0,
  };
}

/** Eliminations per CPU second of annealing on this game (runs until at least half a CPU second). */
function annealRate(game: EliminationGame, seed: number): number {
  for (let n = 4000; ; n *= 4) {
    const cpu0 = cpuSeconds();
    anneal(game.problem, { seed, start: game.bestBaselineOrder, timeLimitMs: Infinity, maxEliminations: n });
    const cpu = cpuSeconds() - cpu0;
    if (cpu >= 0.5) return n / cpu;
  }
}

function runAnneal(spec: JobSpec, game: EliminationGame): Omit<JobResult, 'spec'> {
  const rate = spec.annealCpuSeconds === undefined ? undefined : annealRate(game, spec.seed);
  const eliminations =
    rate === undefined ? spec.annealEliminations : Math.round(rate * (spec.annealCpuSeconds ?? 0));
  const t0 = performance.now();
  const cpu0 = cpuSeconds();
  const result = anneal(game.problem, {
    seed: spec.seed,
    start: game.bestBaselineOrder,
    timeLimitMs: spec.annealSeconds === undefined ? Infinity : spec.annealSeconds * 1000,
    ...(eliminations === undefined ? {} : { maxEliminations: eliminations }),
  });
  return {
    multiplications: result.multiplications,
    order: result.order,
    greedy: null,
    greedyByTenth: [],
    meanCosts: [],
    episodeSeconds: [],
    bestCosts: [],
    episodes: 0,
    evaluations: result.eliminations,
    annealMoves: result.moves,
    ...(rate === undefined ? {} : { annealRate: Math.round(rate) }),
    wallSeconds: (performance.now() - t0) / 1000,
    cpuSeconds: cpuSeconds() - cpu0,
  };
}

const spec = JSON.parse(process.argv[2] ?? '{}') as JobSpec;
const game = gameOf(spec.task);
const result = spec.kind === 'anneal' ? runAnneal(spec, game) : await runAlphaZero(spec, game);
process.stdout.write(`${JSON.stringify({ spec, ...result })}\n`);
