import type { Architecture } from '../nn/network.js';

const ARCHITECTURES: readonly Architecture[] = ['mlp', 'gnn', 'transformer'];
import type { AgentBase } from './agent.js';
import {
  AlphaZeroTrainer,
  DEFAULT_ALPHAZERO,
  type AlphaZeroCheckpoint,
  type AlphaZeroConfig,
  type AlphaZeroPrior,
} from './alphazero.js';
import type { QueueOptions } from './distributed/coordinator.js';
import type { EliminationGame } from './game.js';
import { DEFAULT_PPO, PpoTrainer, type PpoCheckpoint, type PpoConfig } from './ppo.js';

import { OptionError } from '../graph/errors.js';
import { checkChoice, checkNumber } from '../util/options.js';
import { RL_METHODS, type RlMethod } from './methods.js';

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
  /** AlphaZero: self-play through a BullMQ queue (`crosscountry worker` processes) instead of threads. */
  readonly queue?: QueueOptions;
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
    ...(options.queue ? { queue: options.queue } : {}),
  };
}

export function ppoConfig(options: AgentOptions): PpoConfig {
  return shared(DEFAULT_PPO, options);
}

/** The agent options' types and ranges, checked before any network is built. */
export function checkAgentOptions(options: AgentOptions): void {
  checkChoice(options.method, RL_METHODS, 'RL method');
  if (options.method === undefined) throw new OptionError('an RL method is required (alphazero or ppo)');
  checkChoice(options.architecture, ARCHITECTURES, 'architecture');
  checkChoice(options.prior, ['network', 'generalist', 'uniform'], 'prior');
  checkNumber(options.seed, 'seed', { integer: true });
  for (const key of ['games', 'workers', 'simulations', 'scheduleEpisodes'] as const)
    checkNumber(options[key], key, { min: 1, integer: true });
  checkNumber(options.imitationSteps, 'imitationSteps', { min: 0, integer: true });
  checkNumber(options.learningRate, 'learningRate', { min: 0, exclusive: true });
}

export async function createAgent(
  games: readonly EliminationGame[],
  options: AgentOptions,
): Promise<AgentBase> {
  checkAgentOptions(options);
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
