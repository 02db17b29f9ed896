import type { Worker } from 'node:worker_threads';

import type { CostModelName } from '../elimination/cost-model.js';
import { graphToJson, type GraphJson } from '../graph/serialize.js';
import type { NetworkConfig } from '../nn/network.js';
import { startModuleWorker } from '../util/worker.js';
import type { EliminationGame } from './game.js';
import type { GumbelConfig } from './gumbel.js';
import type { Trajectory } from './self-play.js';
import type { ValueTransformName } from './value-transform.js';

/** What every worker is started with. */
export interface SelfPlaySetup {
  readonly games: { readonly graph: GraphJson; readonly costModel: CostModelName; readonly name: string }[];
  readonly network: NetworkConfig;
  readonly search: GumbelConfig;
  readonly valueTransform: ValueTransformName;
}

/** One worker's share of an episode: which games (indices into the setup) and its random seed. */
export interface PlayRequest {
  readonly weights: Float32Array[];
  readonly games: number[];
  readonly seed: number;
}

/** The cheapest complete order one game reached inside its searches. */
export interface TerminalOrder {
  readonly game: number;
  readonly order: number[];
  readonly cost: number;
}

export type PlayResult =
  | {
      readonly kind: 'played';
      readonly trajectories: {
        game: number;
        order: number[];
        policies: Float32Array[];
        stepCosts: number[];
      }[];
      readonly terminals: TerminalOrder[];
      readonly evaluations: number;
    }
  | { readonly kind: 'ready' }
  | { readonly kind: 'failed'; readonly message: string };

export interface PooledEpisode {
  readonly trajectories: Trajectory[];
  readonly terminals: { game: EliminationGame; order: number[]; cost: number }[];
  readonly evaluations: number;
}

/**
 * Self-play across worker threads: each worker holds a replica of the network and plays a contiguous share
 * of the episode's games with its own seed (drawn by the trainer, so a run is reproducible for a fixed
 * worker count). Training stays on the main thread; weights are shipped once per episode.
 */
export class SelfPlayPool {
  private constructor(
    private readonly workers: Worker[],
    private readonly games: readonly EliminationGame[],
  ) {}

  static async start(
    threads: number,
    games: readonly EliminationGame[],
    setup: Omit<SelfPlaySetup, 'games'>,
  ): Promise<SelfPlayPool> {
    const full: SelfPlaySetup = {
      ...setup,
      games: games.map((g) => ({
        graph: graphToJson(g.problem.graph),
        costModel: g.costModel,
        name: g.name,
      })),
    };
    const workers = Array.from({ length: threads }, () =>
      startModuleWorker(import.meta.url, 'self-play-worker', full),
    );
    const pool = new SelfPlayPool(workers, games);
    await Promise.all(workers.map((w) => pool.next(w)));
    return pool;
  }

  private next(worker: Worker): Promise<PlayResult> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: PlayResult) => {
        worker.off('error', onError);
        if (m.kind === 'failed') reject(new Error(`self-play worker: ${m.message}`));
        else resolve(m);
      };
      const onError = (err: Error) => {
        worker.off('message', onMessage);
        reject(err);
      };
      worker.once('message', onMessage);
      worker.once('error', onError);
    });
  }

  get size(): number {
    return this.workers.length;
  }

  /** Plays `games` (indices) split across the workers, worker k with `seeds[k]`. */
  async play(
    games: readonly number[],
    weights: Float32Array[],
    seeds: readonly number[],
  ): Promise<PooledEpisode> {
    const share = Math.ceil(games.length / this.workers.length);
    const results = await Promise.all(
      this.workers.map((w, k) => {
        const mine = games.slice(k * share, (k + 1) * share);
        if (mine.length === 0) return null;
        const reply = this.next(w);
        w.postMessage({ weights, games: mine, seed: seeds[k] } satisfies PlayRequest);
        return reply;
      }),
    );
    const out: PooledEpisode = { trajectories: [], terminals: [], evaluations: 0 };
    let evaluations = 0;
    for (const r of results) {
      if (!r || r.kind !== 'played') continue;
      for (const t of r.trajectories) {
        const game = this.games[t.game];
        out.trajectories.push({ ...t, game, cost: t.stepCosts.reduce((s, c) => s + c, 0) });
      }
      for (const t of r.terminals) out.terminals.push({ ...t, game: this.games[t.game] });
      evaluations += r.evaluations;
    }
    return { ...out, evaluations };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
