import type { Architecture, Losses, Observation, PolicyValueNet } from '../nn/network.js';
import { Rng } from '../util/random.js';
import {
  AgentBase,
  cosineLearningRate,
  meanLosses,
  networkStateFromJson,
  networkStateToJson,
  type AgentProgressState,
  type NetworkStateJson,
  type EpisodeReport,
} from './agent.js';
import { warmStart } from './imitation.js';
import { networkFor, type NetworkOverrides } from './network-factory.js';
import type { EliminationGame, GameState } from './game.js';
import { observe, tokenOfVertex, vertexLogits } from './observation.js';
import { observeSteps } from './replay.js';
import { inverseTransformValue, transformValue, type ValueTransformName } from './value-transform.js';

export interface PpoConfig {
  readonly seed: number;
  /** Parallel rollouts per episode. */
  readonly games: number;
  readonly architecture: Architecture;
  readonly network: NetworkOverrides;
  readonly learningRate: number;
  readonly scheduleEpisodes: number;
  readonly clipRatio: number;
  readonly gaeLambda: number;
  readonly valueWeight: number;
  readonly entropyWeight: number;
  readonly minibatches: number;
  /** Passes over each episode's data. */
  readonly epochs: number;
  readonly clipNorm: number;
  readonly valueTransform: ValueTransformName;
  /** Warm-start steps imitating the best baseline order before the first episode (0 = from scratch). */
  readonly imitationSteps: number;
}

/** alphagrad-spec §8.2, except the learning rate (the paper's 2.5e-4 learns too slowly for a CPU budget). */
export const DEFAULT_PPO: PpoConfig = {
  seed: 0,
  games: 16,
  architecture: 'mlp',
  network: {},
  learningRate: 1e-3,
  scheduleEpisodes: 1500,
  clipRatio: 0.2,
  gaeLambda: 0.95,
  valueWeight: 1,
  entropyWeight: 0.01,
  minibatches: 4,
  epochs: 1,
  clipNorm: 0.5,
  valueTransform: 'symlog',
  imitationSteps: 100,
};

export interface PpoCheckpoint extends AgentProgressState {
  readonly kind: 'ppo';
  readonly version: 1;
  readonly config: PpoConfig;
  readonly network: NetworkStateJson;
}

/** One sampled rollout with what PPO needs from the behaviour policy. */
interface Rollout {
  readonly game: EliminationGame;
  readonly order: number[];
  /** Rewards in cost-scale units (−multiplications / costScale). */
  readonly rewards: number[];
  readonly logProbs: number[];
  /** V(s_t) in cost-scale units. */
  readonly values: number[];
  readonly cost: number;
}

/**
 * PPO (alphagrad-spec §8) with one shared policy/value network: stochastic masked-softmax rollouts,
 * GAE(γ = 1, λ), clipped surrogate + value loss − entropy bonus, minibatch Adam with cosine decay. The
 * spec's off-by-one value indexing is not reproduced: V(s_t) is used for step t.
 */
export class PpoTrainer extends AgentBase {
  readonly method = 'ppo';
  private constructor(
    games: readonly EliminationGame[],
    readonly config: PpoConfig,
    private readonly net: PolicyValueNet,
  ) {
    super(games, new Rng(config.seed));
  }

  static async create(games: readonly EliminationGame[], config: PpoConfig): Promise<PpoTrainer> {
    return new PpoTrainer(games, config, await networkFor(games, config));
  }

  get parameterCount(): number {
    return this.net.parameterCount;
  }

  runEpisode(): EpisodeReport {
    const t0 = performance.now();
    // The warm start samples batches like AlphaZero's (PPO itself trains on whole episodes).
    if (this.episode === 0) warmStart(this.net, this.games, { ...this.config, batchSize: 256 }, this.rng);
    this.startEpisode();
    const { rollouts, evaluations } = this.rollouts(this.episodeGames(this.config.games));
    for (const r of rollouts) this.best.offerOrder(r.game, r.order, r.cost);
    const losses = this.train(rollouts);
    return {
      episode: this.episode,
      points: this.recordEpisode(rollouts, losses),
      losses,
      evaluations,
      seconds: (performance.now() - t0) / 1000,
    };
  }

  /** Samples one complete order per game from the current policy, all games batched per step. */
  private rollouts(games: readonly EliminationGame[]): { rollouts: Rollout[]; evaluations: number } {
    const states: GameState[] = games.map((g) => g.initial());
    const rewards: number[][] = games.map(() => []);
    const logProbs: number[][] = games.map(() => []);
    const values: number[][] = games.map(() => []);
    let evaluations = 0;
    for (;;) {
      const live = states.map((_, i) => i).filter((i) => !states[i].terminal);
      if (live.length === 0) break;
      const observations = live.map((i) => observe(states[i]));
      const prediction = this.net.predict(observations);
      evaluations += live.length;
      live.forEach((i, k) => {
        const state = states[i];
        const logits = vertexLogits(observations[k], prediction.logits[k], state.legal.length);
        const { action, logProb } = sampleMasked(logits, state.legal, this.rng);
        values[i].push(inverseTransformValue(this.config.valueTransform, prediction.values[k]));
        logProbs[i].push(logProb);
        rewards[i].push(state.play(action) / state.game.costScale);
      });
    }
    const rollouts = states.map((s, i) => ({
      game: games[i],
      order: s.order,
      rewards: rewards[i],
      logProbs: logProbs[i],
      values: values[i],
      cost: s.cost,
    }));
    return { rollouts, evaluations };
  }

  private train(rollouts: readonly Rollout[]): Losses {
    const { config } = this;
    const samples: { r: number; t: number; advantage: number; ret: number }[] = [];
    rollouts.forEach((rollout, r) => {
      const advantages = gae(rollout.rewards, rollout.values, config.gaeLambda);
      advantages.forEach((advantage, t) =>
        samples.push({
          r,
          t,
          advantage,
          ret: transformValue(config.valueTransform, advantage + rollout.values[t]),
        }),
      );
    });
    const learningRate = cosineLearningRate(config.learningRate, this.episode - 1, config.scheduleEpisodes);
    const all: Losses[] = [];
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      const shuffled = this.rng.shuffle(samples);
      const size = Math.ceil(shuffled.length / config.minibatches);
      for (let start = 0; start < shuffled.length; start += size) {
        const mb = shuffled.slice(start, start + size);
        // Group by rollout so each order is replayed once to rebuild its observations.
        mb.sort((a, b) => a.r - b.r || a.t - b.t);
        const observations: Observation[] = [];
        for (let k = 0; k < mb.length;) {
          let end = k;
          while (end < mb.length && mb[end].r === mb[k].r) end++;
          const rollout = rollouts[mb[k].r];
          observations.push(
            ...observeSteps(
              rollout.game,
              rollout.order,
              mb.slice(k, end).map((s) => s.t),
            ),
          );
          k = end;
        }
        all.push(
          this.net.trainPpo(
            {
              observations,
              actions: Int32Array.from(mb, (s, k) =>
                tokenOfVertex(observations[k], rollouts[s.r].order[s.t] - 1),
              ),
              oldLogProbs: Float32Array.from(mb.map((s) => rollouts[s.r].logProbs[s.t])),
              advantages: normalise(mb.map((s) => s.advantage)),
              returns: Float32Array.from(mb.map((s) => s.ret)),
            },
            {
              learningRate,
              clipNorm: config.clipNorm,
              clipRatio: config.clipRatio,
              valueWeight: config.valueWeight,
              entropyWeight: config.entropyWeight,
            },
          ),
        );
      }
    }
    return meanLosses(all);
  }

  checkpoint(): PpoCheckpoint {
    return {
      kind: 'ppo',
      version: 1,
      config: this.config,
      ...this.progressState(),
      network: networkStateToJson(this.net.getState()),
    };
  }

  static async resume(games: readonly EliminationGame[], checkpoint: PpoCheckpoint): Promise<PpoTrainer> {
    const trainer = await PpoTrainer.create(games, checkpoint.config);
    trainer.restoreProgress(checkpoint);
    trainer.net.setState(networkStateFromJson(checkpoint.network));
    return trainer;
  }

  dispose(): void {
    this.net.dispose();
  }
}

/** Samples from softmax(logits) restricted to legal actions; returns the action and its log-probability. */
export function sampleMasked(
  logits: ArrayLike<number>,
  legal: Uint8Array,
  rng: Rng,
): { action: number; logProb: number } {
  let max = -Infinity;
  for (let a = 0; a < legal.length; a++) if (legal[a]) max = Math.max(max, logits[a]);
  let sum = 0;
  for (let a = 0; a < legal.length; a++) if (legal[a]) sum += Math.exp(logits[a] - max);
  let u = rng.float() * sum;
  let action = -1;
  for (let a = 0; a < legal.length; a++) {
    if (!legal[a]) continue;
    action = a;
    u -= Math.exp(logits[a] - max);
    if (u <= 0) break;
  }
  return { action, logProb: logits[action] - max - Math.log(sum) };
}

/** Generalised advantage estimation with γ = 1 and a terminal value of 0. */
export function gae(rewards: readonly number[], values: readonly number[], lambda: number): number[] {
  const out = new Array<number>(rewards.length);
  let next = 0;
  let acc = 0;
  for (let t = rewards.length - 1; t >= 0; t--) {
    const delta = rewards[t] + next - values[t];
    acc = delta + lambda * acc;
    out[t] = acc;
    next = values[t];
  }
  return out;
}

function normalise(xs: readonly number[]): Float32Array {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length);
  return Float32Array.from(xs, (x) => (x - m) / (sd + 1e-7));
}
