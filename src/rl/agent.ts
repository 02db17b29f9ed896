import type { VertexId } from '../graph/graph.js';
import type { Losses, NetworkState } from '../nn/network.js';
import { Rng } from '../util/random.js';
import type { EliminationGame, GameState } from './game.js';

/** The best complete order seen for one game, by any episode or simulation. */
export interface BestOrder {
  readonly multiplications: number;
  readonly order: VertexId[];
  /** Episode in which it was found (0 = before training). */
  readonly episode: number;
}

/** Keeps the best order per game: the agent's answer, never lost once seen. */
export class BestTracker {
  private readonly best = new Map<string, BestOrder>();
  episode = 0;

  offer(state: GameState): void {
    this.offerOrder(state.game, state.order, state.cost);
  }

  offerOrder(game: EliminationGame, order: readonly VertexId[], multiplications: number): void {
    const current = this.best.get(game.name);
    if (!current || multiplications < current.multiplications) {
      this.best.set(game.name, { multiplications, order: [...order], episode: this.episode });
    }
  }

  get(game: EliminationGame): BestOrder | undefined {
    return this.best.get(game.name);
  }

  entries(): [string, BestOrder][] {
    return [...this.best.entries()];
  }

  load(entries: readonly [string, BestOrder][]): void {
    this.best.clear();
    for (const [k, v] of entries) this.best.set(k, v);
  }
}

/** One point of the learning curve, per game and episode. */
export interface CurvePoint {
  readonly episode: number;
  readonly task: string;
  readonly elapsedSeconds: number;
  readonly cpuSeconds: number;
  readonly bestCost: number;
  readonly meanCost: number;
  readonly loss: number;
}

/** What one training episode did, for progress display and the learning curve. */
export interface EpisodeReport {
  readonly episode: number;
  readonly points: CurvePoint[];
  readonly losses: Losses | null;
  /** Network (or prior) evaluations in this episode. */
  readonly evaluations: number;
  readonly seconds: number;
}

/** Cosine decay to 0 over `horizon` steps (optax `cosine_decay_schedule` with α = 0). */
export function cosineLearningRate(base: number, step: number, horizon: number): number {
  const t = Math.min(step, horizon) / Math.max(1, horizon);
  return base * 0.5 * (1 + Math.cos(Math.PI * t));
}

/** Seconds of CPU this process has used (all threads). */
export function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((s, x) => s + x, 0) / xs.length;
}

export function encodeFloats(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function decodeFloats(s: string): Float32Array {
  const bytes = Buffer.from(s, 'base64');
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** What every agent's checkpoint holds besides its own state. */
export interface AgentProgressState {
  readonly tasks: string[];
  readonly episode: number;
  readonly elapsedSeconds: number;
  readonly cpuSeconds: number;
  readonly rng: number[];
  readonly best: [string, BestOrder][];
  readonly curve: CurvePoint[];
}

/** The bookkeeping AlphaZero and PPO share: episodes, clocks, the best orders, the learning curve. */
export abstract class AgentBase {
  readonly best = new BestTracker();
  readonly curve: CurvePoint[] = [];
  episode = 0;
  private priorElapsed = 0;
  private priorCpu = 0;
  private readonly started = performance.now();
  private readonly cpuStart = cpuSeconds();

  protected constructor(
    readonly games: readonly EliminationGame[],
    protected rng: Rng,
  ) {
    if (games.length === 0) throw new Error('an agent needs at least one graph');
  }

  /** The method name recorded with results (e.g. `alphazero`, `ppo`). */
  abstract readonly method: string;
  abstract runEpisode(): EpisodeReport | Promise<EpisodeReport>;
  /** Everything needed to resume: JSON-serialisable. */
  abstract checkpoint(): AgentProgressState & { readonly kind: string };
  abstract dispose(): void;

  get elapsedSeconds(): number {
    return this.priorElapsed + (performance.now() - this.started) / 1000;
  }

  get cpuSeconds(): number {
    return this.priorCpu + cpuSeconds() - this.cpuStart;
  }

  /** The games of one episode: round-robin over the graphs, so joint training sees each equally. */
  protected episodeGames(count: number): EliminationGame[] {
    const n = this.games.length;
    return Array.from({ length: count }, (_, i) => this.games[(this.episode * count + i) % n]);
  }

  protected startEpisode(): void {
    this.episode++;
    this.best.episode = this.episode;
  }

  /** Records the learning-curve points of an episode from the costs of its finished games. */
  protected recordEpisode(
    finished: readonly { game: EliminationGame; cost: number }[],
    losses: Losses | null,
  ): CurvePoint[] {
    const points = this.games.map((game) => ({
      episode: this.episode,
      task: game.name,
      elapsedSeconds: this.elapsedSeconds,
      cpuSeconds: this.cpuSeconds,
      bestCost: this.best.get(game)?.multiplications ?? NaN,
      meanCost: mean(finished.filter((t) => t.game === game).map((t) => t.cost)),
      loss: losses?.total ?? NaN,
    }));
    this.curve.push(...points);
    return points;
  }

  protected progressState(): AgentProgressState {
    return {
      tasks: this.games.map((g) => g.name),
      episode: this.episode,
      elapsedSeconds: this.elapsedSeconds,
      cpuSeconds: this.cpuSeconds,
      rng: this.rng.state(),
      best: this.best.entries(),
      curve: this.curve,
    };
  }

  protected restoreProgress(state: AgentProgressState): void {
    const names = this.games.map((g) => g.name);
    if (names.join('\n') !== state.tasks.join('\n')) {
      throw new Error(`checkpoint was trained on ${state.tasks.join(', ')}, not ${names.join(', ')}`);
    }
    this.rng = new Rng(0, state.rng);
    this.episode = state.episode;
    this.priorElapsed = state.elapsedSeconds;
    this.priorCpu = state.cpuSeconds;
    this.best.load(state.best);
    this.curve.length = 0;
    this.curve.push(...state.curve);
  }
}

/** Mean of each loss component over several gradient steps. */
export function meanLosses(all: readonly Losses[]): Losses {
  const entropy = all.map((l) => l.entropy).filter((e): e is number => e !== undefined);
  return {
    total: mean(all.map((l) => l.total)),
    policy: mean(all.map((l) => l.policy)),
    value: mean(all.map((l) => l.value)),
    ...(entropy.length ? { entropy: mean(entropy) } : {}),
  };
}

/** A network state in JSON form: float arrays as base64 (JSON.stringify would spell out every element). */
export interface NetworkStateJson {
  readonly config: NetworkState['config'];
  readonly weights: string[];
  readonly optimizer: { readonly step: number; readonly moments: string[] };
}

export function networkStateToJson(state: NetworkState): NetworkStateJson {
  return {
    config: state.config,
    weights: state.weights.map(encodeFloats),
    optimizer: { step: state.optimizer.step, moments: state.optimizer.moments.map(encodeFloats) },
  };
}

export function networkStateFromJson(json: NetworkStateJson): NetworkState {
  return {
    config: json.config,
    weights: json.weights.map(decodeFloats),
    optimizer: { step: json.optimizer.step, moments: json.optimizer.moments.map(decodeFloats) },
  };
}
