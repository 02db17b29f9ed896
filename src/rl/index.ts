/**
 * crosscountry/rl: learning elimination orders (AlphaZero with Gumbel search, PPO) on the elimination game.
 * The networks run on @tensorflow/tfjs with its wasm backend (@tensorflow/tfjs-backend-wasm), optional
 * peer dependencies of the package: install both to use this entry point. (tfjs-core alone is not enough
 * under Node: its CommonJS bundle registers no gradients, and its ES modules use extensionless imports.)
 */
export { EliminationGame, GameState, type Baselines } from './game.js';
export { observe } from './observation.js';
export {
  gumbelSearch,
  DEFAULT_GUMBEL,
  type GumbelConfig,
  type BatchEvaluator,
  type Evaluation as SearchEvaluation,
  type SearchOutcome,
} from './gumbel.js';
export { selfPlay, type Trajectory } from './self-play.js';
export { uniformEvaluator, networkEvaluator } from './evaluators.js';
export {
  AlphaZeroTrainer,
  DEFAULT_ALPHAZERO,
  type AlphaZeroConfig,
  type AlphaZeroCheckpoint,
  type AlphaZeroPrior,
} from './alphazero.js';
export { PpoTrainer, DEFAULT_PPO, type PpoConfig, type PpoCheckpoint } from './ppo.js';
export { AgentBase, BestTracker, type BestOrder, type CurvePoint, type EpisodeReport } from './agent.js';
export {
  createAgent,
  checkAgentOptions,
  resumeAgent,
  RL_METHODS,
  type RlMethod,
  type AgentOptions,
  type AgentCheckpoint,
} from './agents.js';
export { runAgent, type RunLimits, type RunSummary } from './run.js';
export { curveCsv, curveRows } from './curve.js';
export { transformValue, inverseTransformValue, type ValueTransformName } from './value-transform.js';
export type { Architecture, NetworkConfig, Observation, PolicyValueNet } from '../nn/network.js';
export {
  loadGeneralist,
  greedyOrder,
  readGeneralist,
  generalistFile,
  GENERALIST_PATH,
  type GeneralistFile,
  type GreedyResult,
} from './generalist.js';
