import type { VertexId } from '../graph/graph.js';
import type { Rng } from '../util/random.js';
import type { EliminationGame, GameState } from './game.js';
import { gumbelSearch, type BatchEvaluator, type GumbelConfig, type TerminalListener } from './gumbel.js';

/** One finished self-play game: the order played, the search's policy at every step, the step costs. */
export interface Trajectory {
  readonly game: EliminationGame;
  readonly order: VertexId[];
  /** Improved policy of the search at each step (over all vertices). */
  readonly policies: Float32Array[];
  /** Multiplications of each step. */
  readonly stepCosts: number[];
  readonly cost: number;
}

/**
 * Plays one complete game per entry of `games` in lockstep: at every step one batched Gumbel search over
 * all unfinished games, then the searched action is played. Games of different lengths simply finish at
 * different steps.
 */
export function selfPlay(
  games: readonly EliminationGame[],
  evaluate: BatchEvaluator,
  search: GumbelConfig,
  rng: Rng,
  onTerminal?: TerminalListener,
): Trajectory[] {
  const states: GameState[] = games.map((g) => g.initial());
  const policies: Float32Array[][] = games.map(() => []);
  const stepCosts: number[][] = games.map(() => []);
  for (;;) {
    const live = states.map((s, i) => i).filter((i) => !states[i].terminal);
    if (live.length === 0) break;
    const outcomes = gumbelSearch(
      live.map((i) => states[i]),
      evaluate,
      search,
      rng,
      onTerminal,
    );
    live.forEach((i, k) => {
      policies[i].push(outcomes[k].policy);
      stepCosts[i].push(-states[i].play(outcomes[k].action));
    });
  }
  return states.map((s, i) => ({
    game: games[i],
    order: s.order,
    policies: policies[i],
    stepCosts: stepCosts[i],
    cost: s.cost,
  }));
}
