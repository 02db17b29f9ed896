import type { VertexId } from '../graph/graph.js';
import type { PolicyValueNet } from '../nn/network.js';
import { networkEvaluator } from './evaluators.js';
import type { EliminationGame } from './game.js';
import type { ValueTransformName } from './value-transform.js';

/**
 * The policy alone, without search: one network call per move and the highest-logit legal vertex
 * played. What the network has learned, apart from what the search finds with its help.
 */
export function greedyPolicyOrder(
  net: PolicyValueNet,
  game: EliminationGame,
  transform: ValueTransformName,
): { readonly order: VertexId[]; readonly multiplications: number } {
  const evaluate = networkEvaluator(net, transform);
  const state = game.initial();
  while (!state.terminal) {
    const { logits } = evaluate([state])[0];
    let best = -1;
    for (let a = 0; a < state.legal.length; a++)
      if (state.legal[a] === 1 && (best < 0 || logits[a] > logits[best])) best = a;
    state.play(best);
  }
  return { order: state.order, multiplications: state.cost };
}
