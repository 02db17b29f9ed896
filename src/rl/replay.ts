import type { VertexId } from '../graph/graph.js';
import type { AlphaZeroBatch, Observation } from '../nn/network.js';
import type { Rng } from '../util/random.js';
import type { EliminationGame } from './game.js';
import { observe, tokenPolicy } from './observation.js';
import type { Trajectory } from './self-play.js';
import { transformValue, type ValueTransformName } from './value-transform.js';

/**
 * The AlphaZero replay buffer: the trajectories of the last few episodes. Observations are large
 * (vertices × 2·nodes floats each), so the buffer keeps only orders and search policies and rebuilds an
 * observation by replaying its order prefix when a batch is sampled.
 */
export class ReplayBuffer {
  private episodes: Trajectory[][] = [];

  constructor(readonly capacityEpisodes: number) {}

  add(episode: Trajectory[]): void {
    this.episodes.push(episode);
    while (this.episodes.length > this.capacityEpisodes) this.episodes.shift();
  }

  get trajectories(): Trajectory[] {
    return this.episodes.flat();
  }

  /** Restores the buffer from a checkpoint (episodes oldest first). */
  load(episodes: Trajectory[][]): void {
    this.episodes = episodes.slice(-this.capacityEpisodes);
  }

  get episodeList(): readonly Trajectory[][] {
    return this.episodes;
  }

  get size(): number {
    let n = 0;
    for (const e of this.episodes) for (const t of e) n += t.order.length;
    return n;
  }

  /**
   * A uniform sample (with replacement) of `batchSize` positions. Value target = transform(return-to-go /
   * costScale): the realised cost still to come, as in the paper, not the search value.
   */
  sample(batchSize: number, rng: Rng, transform: ValueTransformName): AlphaZeroBatch {
    const all = this.trajectories;
    const picks = new Map<number, number[]>();
    const total = this.size;
    for (let k = 0; k < batchSize; k++) {
      let r = rng.int(0, total - 1);
      let t = 0;
      while (r >= all[t].order.length) r -= all[t++].order.length;
      const list = picks.get(t) ?? [];
      list.push(r);
      picks.set(t, list);
    }
    const observations: Observation[] = [];
    const policyTargets: Float32Array[] = [];
    const values: number[] = [];
    for (const [t, steps] of picks) {
      const traj = all[t];
      const wanted = [...steps].sort((a, b) => a - b);
      const toGo = returnsToGo(traj.stepCosts);
      const observed = observeSteps(traj.game, traj.order, wanted);
      observations.push(...observed);
      wanted.forEach((s, k) => {
        policyTargets.push(tokenPolicy(observed[k], traj.policies[s]));
        values.push(transformValue(transform, -toGo[s] / traj.game.costScale));
      });
    }
    return { observations, policyTargets, valueTargets: Float32Array.from(values) };
  }
}

/** Observations of the positions before steps `steps` (ascending) of an order, by replaying it once. */
export function observeSteps(
  game: EliminationGame,
  order: readonly VertexId[],
  steps: readonly number[],
): Observation[] {
  const state = game.initial();
  const out: Observation[] = [];
  let cached: Observation | null = null;
  let step = 0;
  for (const s of steps) {
    while (step < s) {
      state.play(order[step++] - 1);
      cached = null;
    }
    cached ??= observe(state);
    out.push(cached);
  }
  return out;
}

/** Multiplications from each step to the end of the episode. */
export function returnsToGo(stepCosts: readonly number[]): number[] {
  const out = new Array<number>(stepCosts.length);
  let acc = 0;
  for (let t = stepCosts.length - 1; t >= 0; t--) {
    acc += stepCosts[t];
    out[t] = acc;
  }
  return out;
}
