import type { Architecture, Losses, PolicyValueNet } from '../nn/network.js';
import { Rng } from '../util/random.js';
import {
  AgentBase,
  cosineLearningRate,
  decodeFloats,
  encodeFloats,
  meanLosses,
  networkStateFromJson,
  networkStateToJson,
  type AgentProgressState,
  type NetworkStateJson,
  type EpisodeReport,
} from './agent.js';
import { cachingEvaluator, counting, networkEvaluator, uniformEvaluator } from './evaluators.js';
import type { EliminationGame } from './game.js';
import { DEFAULT_GUMBEL, type GumbelConfig } from './gumbel.js';
import { greedyOrder, loadGeneralist } from './generalist.js';
import { warmStart } from './imitation.js';
import { networkFor, type NetworkOverrides } from './network-factory.js';
import { ReplayBuffer } from './replay.js';
import { QueueSelfPlay, type QueueOptions } from './distributed/coordinator.js';
import { SelfPlayPool } from './self-play-pool.js';
import { selfPlay, type Trajectory } from './self-play.js';
import type { ValueTransformName } from './value-transform.js';

export type AlphaZeroPrior = 'network' | 'generalist' | 'uniform';

export interface AlphaZeroConfig {
  readonly seed: number;
  /** Parallel self-play games per episode (their leaves are evaluated in one batch). */
  readonly games: number;
  readonly search: GumbelConfig;
  /**
   * `network`: a fresh network (after the imitation warm start); `generalist`: the shipped pretrained
   * policy (data/generalist.json) as prior and value, fine-tuned on these graphs (its architecture and
   * sizes replace `architecture`/`network`, and there is no warm start); `uniform` = the ablation: the same
   * search with a uniform prior, value 0 and no learning.
   */
  readonly prior: AlphaZeroPrior;
  readonly architecture: Architecture;
  /** Overrides of the architecture's default sizes. */
  readonly network: NetworkOverrides;
  readonly learningRate: number;
  /** Episodes over which the learning rate decays (cosine to 0). */
  readonly scheduleEpisodes: number;
  readonly valueWeight: number;
  readonly clipNorm: number;
  readonly batchSize: number;
  /** Gradient steps per episode (0 = one pass over the positions the episode produced). */
  readonly trainSteps: number;
  /** Warm-start steps imitating the best baseline order before the first episode (0 = from scratch). */
  readonly imitationSteps: number;
  /** Self-play threads (1 = play on the main thread; more = a pool of network replicas). */
  readonly workers: number;
  /** Episodes kept in the replay buffer (the paper keeps only the latest). */
  readonly replayEpisodes: number;
  readonly valueTransform: ValueTransformName;
  /** With the generalist prior: its search scale instead of the shipped file's (for calibration). */
  readonly generalistScale?: number;
  /** Self-play through a BullMQ queue on Redis instead of threads (absent = the embedded default). */
  readonly queue?: QueueOptions;
}

export const DEFAULT_ALPHAZERO: AlphaZeroConfig = {
  seed: 0,
  games: 16,
  search: DEFAULT_GUMBEL,
  prior: 'network',
  architecture: 'mlp',
  network: {},
  learningRate: 1e-3,
  scheduleEpisodes: 200,
  valueWeight: 1,
  clipNorm: 1,
  batchSize: 256,
  trainSteps: 0,
  imitationSteps: 100,
  workers: 1,
  replayEpisodes: 4,
  valueTransform: 'r2d2',
};

/** Serializable trajectory (the game is referred to by index). */
interface TrajectoryJson {
  readonly game: number;
  readonly order: number[];
  readonly policies: string;
  readonly stepCosts: number[];
}

export interface AlphaZeroCheckpoint extends AgentProgressState {
  readonly kind: 'alphazero';
  readonly version: 1;
  readonly config: AlphaZeroConfig;
  readonly network: NetworkStateJson | null;
  readonly replay: TrajectoryJson[][];
}

/**
 * AlphaZero with Gumbel MuZero policy improvement on the exact game (alphagrad-spec §7): each episode
 * plays `games` games with a batched search, stores the search policies and realised returns, and takes
 * a few Adam steps on cross-entropy + weighted value loss with cosine-decayed learning rate.
 */
export class AlphaZeroTrainer extends AgentBase {
  private readonly replay: ReplayBuffer;
  private pool: SelfPlayPool | undefined;
  private queue: QueueSelfPlay | undefined;

  private constructor(
    games: readonly EliminationGame[],
    readonly config: AlphaZeroConfig,
    private readonly net: PolicyValueNet | null,
  ) {
    super(games, new Rng(config.seed));
    this.replay = new ReplayBuffer(config.replayEpisodes);
  }

  get method(): string {
    return this.config.prior === 'network' ? 'alphazero' : `alphazero-${this.config.prior}-prior`;
  }

  static async create(games: readonly EliminationGame[], config: AlphaZeroConfig): Promise<AlphaZeroTrainer> {
    if (config.prior === 'generalist') {
      const { net, valueTransform } = await loadGeneralist(games, undefined, config.generalistScale);
      return new AlphaZeroTrainer(games, { ...config, imitationSteps: 0, valueTransform }, net);
    }
    const net = config.prior === 'network' ? await networkFor(games, config) : null;
    return new AlphaZeroTrainer(games, config, net);
  }

  get parameterCount(): number {
    return this.net?.parameterCount ?? 0;
  }

  /** Plays one episode of self-play (in worker threads when configured) and trains on the buffer. */
  async runEpisode(): Promise<EpisodeReport> {
    const t0 = performance.now();
    if (this.episode === 0 && this.net) warmStart(this.net, this.games, this.config, this.rng);
    // A pretrained prior's own greedy order is the first answer, so the search never returns worse than
    // `optimize --method policy` would; its forward passes count as evaluations of this episode.
    let greedyEvaluations = 0;
    if (this.episode === 0 && this.net && this.config.prior === 'generalist') {
      for (const g of this.games) {
        const played = greedyOrder(this.net, g);
        this.best.offerOrder(g, played.order, played.multiplications);
        greedyEvaluations += played.evaluations;
      }
    }
    this.startEpisode();
    const games = this.episodeGames(this.config.games);
    let trajectories: Trajectory[];
    let evaluations: number;
    if (this.net && this.config.queue) {
      const queue = await this.queueSelfPlay(this.net, this.config.queue);
      const played = await queue.play(
        this.episode,
        games.map((g) => this.games.indexOf(g)),
        this.net.getWeights(),
        this.config.seed,
      );
      for (const t of played.terminals) this.best.offerOrder(t.game, t.order, t.cost);
      trajectories = played.trajectories;
      evaluations = played.evaluations;
    } else if (this.net && this.config.workers > 1) {
      const pool = await this.selfPlayPool(this.net);
      const seeds = Array.from({ length: pool.size }, () => this.rng.int(0, 2 ** 31 - 1));
      const played = await pool.play(
        games.map((g) => this.games.indexOf(g)),
        this.net.getWeights(),
        seeds,
      );
      for (const t of played.terminals) this.best.offerOrder(t.game, t.order, t.cost);
      trajectories = played.trajectories;
      evaluations = played.evaluations;
    } else {
      // Counted before the cache: `evaluations` are real network calls.
      const evaluator = counting(
        this.net ? networkEvaluator(this.net, this.config.valueTransform) : uniformEvaluator,
      );
      trajectories = selfPlay(
        games,
        cachingEvaluator(evaluator.evaluate),
        this.config.search,
        this.rng,
        (s) => this.best.offer(s),
      );
      evaluations = evaluator.count();
    }
    for (const t of trajectories) this.best.offerOrder(t.game, t.order, t.cost);
    let losses: Losses | null = null;
    if (this.net) {
      this.replay.add(trajectories);
      losses = this.train(this.net);
    }
    return {
      episode: this.episode,
      points: this.recordEpisode(trajectories, losses),
      losses,
      evaluations: evaluations + greedyEvaluations,
      seconds: (performance.now() - t0) / 1000,
    };
  }

  private async selfPlayPool(net: PolicyValueNet): Promise<SelfPlayPool> {
    this.pool ??= await SelfPlayPool.start(this.config.workers, this.games, {
      network: net.config,
      search: this.config.search,
      valueTransform: this.config.valueTransform,
    });
    return this.pool;
  }

  private async queueSelfPlay(net: PolicyValueNet, options: QueueOptions): Promise<QueueSelfPlay> {
    // The run id makes job ids unique across runs sharing one Redis; the seed keeps it readable.
    const run = `s${this.config.seed}-${Date.now().toString(36)}-${process.pid}`;
    this.queue ??= await QueueSelfPlay.start(
      options,
      this.games,
      { network: net.config, search: this.config.search, valueTransform: this.config.valueTransform },
      run,
    );
    return this.queue;
  }

  private train(net: PolicyValueNet): Losses {
    const { config } = this;
    const learningRate = cosineLearningRate(config.learningRate, this.episode - 1, config.scheduleEpisodes);
    const all: Losses[] = [];
    const latest = this.replay.episodeList.at(-1) ?? [];
    const positions = latest.reduce((n, t) => n + t.order.length, 0);
    const steps =
      config.trainSteps > 0 ? config.trainSteps : Math.max(1, Math.ceil(positions / config.batchSize));
    for (let k = 0; k < steps; k++) {
      const batch = this.replay.sample(config.batchSize, this.rng, config.valueTransform);
      all.push(
        net.trainAlphaZero(batch, {
          learningRate,
          clipNorm: config.clipNorm,
          valueWeight: config.valueWeight,
        }),
      );
    }
    return meanLosses(all);
  }

  checkpoint(): AlphaZeroCheckpoint {
    const index = new Map(this.games.map((g, i) => [g, i]));
    return {
      kind: 'alphazero',
      version: 1,
      config: this.config,
      ...this.progressState(),
      network: this.net ? networkStateToJson(this.net.getState()) : null,
      replay: this.replay.episodeList.map((episode) =>
        episode.map((t) => ({
          game: index.get(t.game) ?? 0,
          order: t.order,
          policies: encodePolicies(t.policies),
          stepCosts: t.stepCosts,
        })),
      ),
    };
  }

  /** Continues a checkpointed run on the same graphs: the next episodes are the ones it would have played. */
  static async resume(
    games: readonly EliminationGame[],
    checkpoint: AlphaZeroCheckpoint,
  ): Promise<AlphaZeroTrainer> {
    const trainer = await AlphaZeroTrainer.create(games, checkpoint.config);
    trainer.restoreProgress(checkpoint);
    if (checkpoint.network) trainer.net?.setState(networkStateFromJson(checkpoint.network));
    trainer.replay.load(
      checkpoint.replay.map((episode) =>
        episode.map((t): Trajectory => {
          const game = games[t.game];
          return {
            game,
            order: t.order,
            policies: decodePolicies(t.policies, game.numVertices),
            stepCosts: t.stepCosts,
            cost: t.stepCosts.reduce((s, c) => s + c, 0),
          };
        }),
      ),
    );
    return trainer;
  }

  dispose(): void {
    this.net?.dispose();
    void this.pool?.close();
    this.pool = undefined;
    void this.queue?.close();
    this.queue = undefined;
  }
}

function encodePolicies(policies: readonly Float32Array[]): string {
  const n = policies[0]?.length ?? 0;
  const flat = new Float32Array(policies.length * n);
  policies.forEach((p, i) => flat.set(p, i * n));
  return encodeFloats(flat);
}

function decodePolicies(s: string, width: number): Float32Array[] {
  const flat = decodeFloats(s);
  const out: Float32Array[] = [];
  for (let i = 0; i + width <= flat.length; i += width) out.push(flat.slice(i, i + width));
  return out;
}
