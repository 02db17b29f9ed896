import type { Architecture } from '../nn/network.js';
import type { AgentBase } from './agent.js';
import {
  AlphaZeroTrainer,
  DEFAULT_ALPHAZERO,
  type AlphaZeroCheckpoint,
  type AlphaZeroConfig,
  type AlphaZeroPrior,
} from './alphazero.js';
import type { EliminationGame } from './game.js';
import { DEFAULT_PPO, PpoTrainer, type PpoCheckpoint, type PpoConfig } from './ppo.js';

import type { RlMethod } from './methods.js';

export { RL_METHODS, type RlMethod } from './methods.js';

/** The knobs a user turns most; everything else keeps the defaults in alphazero.ts / ppo.ts. */
export interface AgentOptions {
  readonly method: RlMethod;
  readonly seed?: number;
  readonly architecture?: Architecture;
  /** Parallel games per episode. */
  readonly games?: number;
  /** AlphaZero: self-play worker threads (1 = main thread only). */
  readonly workers?: number;
  /** AlphaZero: simulations per move. */
  readonly simulations?: number;
  /** AlphaZero: `generalist` starts from the shipped policy; `uniform` runs the search without a network. */
  readonly prior?: AlphaZeroPrior;
  /** Episodes over which the learning rate decays. */
  readonly scheduleEpisodes?: number;
  readonly learningRate?: number;
  /** Warm-start steps imitating the best of forward/reverse/Markowitz (0 = learn from scratch). */
  readonly imitationSteps?: number;
}

export type AgentCheckpoint = AlphaZeroCheckpoint | PpoCheckpoint;

/** The settings both agents share, taken from the options where given. */
type SharedSettings =
  'seed' | 'architecture' | 'games' | 'scheduleEpisodes' | 'learningRate' | 'imitationSteps';

function shared<C extends Pick<AlphaZeroConfig, SharedSettings>>(defaults: C, options: AgentOptions): C {
  const picked: Partial<Pick<AlphaZeroConfig, SharedSettings>> = {};
  for (const key of [
    'seed',
    'architecture',
    'games',
    'scheduleEpisodes',
    'learningRate',
    'imitationSteps',
  ] as const) {
    if (options[key] !== undefined) Object.assign(picked, { [key]: options[key] });
  }
  return { ...defaults, ...picked };
}

export function alphaZeroConfig(options: AgentOptions): AlphaZeroConfig {
  const d = shared(DEFAULT_ALPHAZERO, options);
  return {
    ...d,
    workers: options.workers ?? d.workers,
    search: { ...d.search, simulations: options.simulations ?? d.search.simulations },
    prior: options.prior ?? d.prior,
  };
}

export function ppoConfig(options: AgentOptions): PpoConfig {
  return shared(DEFAULT_PPO, options);
}

export async function createAgent(
  games: readonly EliminationGame[],
  options: AgentOptions,
): Promise<AgentBase> {
  return options.method === 'alphazero'
    ? AlphaZeroTrainer.create(games, alphaZeroConfig(options))
    : PpoTrainer.create(games, ppoConfig(options));
}

export async function resumeAgent(
  games: readonly EliminationGame[],
  checkpoint: AgentCheckpoint,
): Promise<AgentBase> {
  return checkpoint.kind === 'alphazero'
    ? AlphaZeroTrainer.resume(games, checkpoint)
    : PpoTrainer.resume(games, checkpoint);
}
