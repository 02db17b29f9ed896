import { graphFromJson } from '../../graph/serialize.js';
import type { PolicyValueNet } from '../../nn/network.js';
import { Rng } from '../../util/random.js';
import { BestTracker, decodeFloats, encodeFloats } from '../agent.js';
import { cachingEvaluator, counting, networkEvaluator } from '../evaluators.js';
import { EliminationGame } from '../game.js';
import type { SelfPlaySetup, TerminalOrder } from '../self-play-pool.js';
import { selfPlay } from '../self-play.js';

/** One job: some games of one episode, played with the network of that episode and a seed of its own. */
export interface SelfPlayJob {
  /** Identifies the run, so a worker builds its games and network once per run. */
  readonly run: string;
  readonly setup: SelfPlaySetup;
  readonly episode: number;
  /** Indices into setup.games. */
  readonly games: number[];
  readonly seed: number;
  /** Network weights, base64 float32. */
  readonly weights: string[];
}

export interface SelfPlayJobResult {
  readonly trajectories: { game: number; order: number[]; policies: string[]; stepCosts: number[] }[];
  readonly terminals: TerminalOrder[];
  readonly evaluations: number;
}

/**
 * The seed of a job from (run seed, episode, index of its first game): independent of which worker plays
 * it and of when, so a retried job replays exactly (FNV-1a over the three numbers).
 */
export function jobSeed(runSeed: number, episode: number, firstGame: number): number {
  let h = 0x811c9dc5;
  for (const x of [runSeed, episode, firstGame]) {
    for (let k = 0; k < 4; k++) {
      h ^= (x >>> (8 * k)) & 0xff;
      h = Math.imul(h, 0x01000193);
    }
  }
  return (h >>> 0) & 0x7fffffff;
}

/** The games and network replica of one run, kept by a worker between jobs. */
export interface RunReplica {
  readonly run: string;
  readonly games: EliminationGame[];
  readonly net: PolicyValueNet;
}

export async function replicaFor(job: SelfPlayJob, current: RunReplica | undefined): Promise<RunReplica> {
  if (current?.run === job.run) return current;
  current?.net.dispose();
  const { createNetwork } = await import('../../nn/create.js');
  const games = job.setup.games.map((g) => new EliminationGame(graphFromJson(g.graph), g.costModel, g.name));
  return { run: job.run, games, net: await createNetwork(job.setup.network) };
}

/** Plays a job: the same batched self-play as the embedded trainer, on the job's games and seed. */
export function playJob(job: SelfPlayJob, replica: RunReplica): SelfPlayJobResult {
  replica.net.setWeights(job.weights.map(decodeFloats));
  const network = counting(networkEvaluator(replica.net, job.setup.valueTransform));
  const best = new BestTracker();
  const trajectories = selfPlay(
    job.games.map((i) => replica.games[i]),
    cachingEvaluator(network.evaluate),
    job.setup.search,
    new Rng(job.seed),
    (s) => best.offer(s),
  );
  return {
    trajectories: trajectories.map((t, k) => ({
      game: job.games[k],
      order: t.order,
      policies: t.policies.map(encodeFloats),
      stepCosts: t.stepCosts,
    })),
    terminals: best.entries().map(([name, b]) => ({
      game: replica.games.findIndex((g) => g.name === name),
      order: b.order,
      cost: b.multiplications,
    })),
    evaluations: network.count(),
  };
}
