import type { VertexId } from '../graph/graph.js';
import type { Losses, PolicyValueNet } from '../nn/network.js';
import type { Rng } from '../util/random.js';
import { meanLosses } from './agent.js';
import type { EliminationGame } from './game.js';
import { ReplayBuffer } from './replay.js';
import type { Trajectory } from './self-play.js';
import type { ValueTransformName } from './value-transform.js';

/**
 * Optional warm start, like AlphaGo's supervised phase: before self-play the network imitates the best of
 * the forward, reverse and Markowitz orders (policy target `share` on the baseline's move, the rest spread
 * over the legal moves; value target = that order's cost to go). The agent still only reports orders it
 * plays itself, so this makes the baseline its starting point, not its answer.
 */
/** Probability the warm-start target puts on the baseline's move: a preference, not a certainty. */
export const IMITATION_SHARE = 0.5;

export interface ImitationOptions {
  readonly steps: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly share: number;
  readonly valueWeight: number;
  readonly clipNorm: number;
  readonly valueTransform: ValueTransformName;
}

export function baselineTrajectory(game: EliminationGame, share: number): Trajectory {
  return orderTrajectory(game, game.bestBaselineOrder, share);
}

/** An expert order as a trajectory: policy target `share` on the expert's move, the rest spread evenly. */
export function orderTrajectory(
  game: EliminationGame,
  expert: readonly VertexId[],
  share: number,
): Trajectory {
  const order = [...expert];
  const state = game.initial();
  const policies: Float32Array[] = [];
  const stepCosts: number[] = [];
  for (const v of order) {
    const legal = state.legalActions();
    const policy = new Float32Array(game.numVertices);
    for (const a of legal) policy[a] = (1 - share) / legal.length;
    policy[v - 1] += share;
    policies.push(policy);
    stepCosts.push(-state.play(v - 1));
  }
  return { game, order, policies, stepCosts, cost: state.cost };
}

/** The trainer settings a warm start reads (both agents' configs have them). */
export interface WarmStartSettings {
  readonly imitationSteps: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly valueWeight: number;
  readonly clipNorm: number;
  readonly valueTransform: ValueTransformName;
}

/** Runs the warm start with a trainer's own settings (no-op when imitationSteps is 0). */
export function warmStart(
  net: PolicyValueNet,
  games: readonly EliminationGame[],
  settings: WarmStartSettings,
  rng: Rng,
): Losses | null {
  return imitateBaselines(
    net,
    games,
    { ...settings, steps: settings.imitationSteps, share: IMITATION_SHARE },
    rng,
  );
}

export function imitateBaselines(
  net: PolicyValueNet,
  games: readonly EliminationGame[],
  options: ImitationOptions,
  rng: Rng,
): Losses | null {
  return imitateTrajectories(
    net,
    games.map((g) => baselineTrajectory(g, options.share)),
    options,
    rng,
  );
}

function imitateTrajectories(
  net: PolicyValueNet,
  trajectories: Trajectory[],
  options: ImitationOptions,
  rng: Rng,
): Losses | null {
  if (options.steps <= 0) return null;
  const buffer = new ReplayBuffer(1);
  buffer.add(trajectories);
  const all: Losses[] = [];
  for (let k = 0; k < options.steps; k++) {
    const batch = buffer.sample(options.batchSize, rng, options.valueTransform);
    all.push(
      net.trainAlphaZero(batch, {
        learningRate: options.learningRate,
        clipNorm: options.clipNorm,
        valueWeight: options.valueWeight,
      }),
    );
  }
  return meanLosses(all);
}

/** Imitation of given expert orders, one per game (the generalist's supervised pretraining). */
export function imitateOrders(
  net: PolicyValueNet,
  games: readonly EliminationGame[],
  orders: readonly (readonly VertexId[])[],
  options: ImitationOptions,
  rng: Rng,
): Losses | null {
  if (orders.length !== games.length) throw new Error('imitateOrders: one order per game');
  return imitateTrajectories(
    net,
    games.map((g, i) => orderTrajectory(g, orders[i], options.share)),
    options,
    rng,
  );
}
