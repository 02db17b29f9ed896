import type { VertexId } from '../graph/graph.js';
import type { Rng } from '../util/random.js';
import type { CostState, Game } from './problem.js';

/** What a greedy rule minimises at each step (smaller is better). */
export type GreedyScore = 'markowitz' | 'cost';

export interface GreedyOptions {
  readonly score?: GreedyScore;
  /** Break ties at random instead of towards the lowest vertex id. */
  readonly rng?: Rng;
  /**
   * With an rng: instead of the minimum, pick among vertices whose score is within this factor of the
   * minimum (1 = only ties). A cheap way to sample good, diverse starting orders.
   */
  readonly slack?: number;
}

/**
 * Greedy elimination: repeatedly eliminate the vertex of smallest score in the current graph.
 * `markowitz` = |preds|·|succs| (every adjacent node counts, the classical rule); `cost` = what the
 * elimination costs now under the problem's cost model (the two agree on graphs without free edges).
 */
export function greedyOrder(
  problem: Game,
  options: GreedyOptions = {},
): { order: VertexId[]; multiplications: number } {
  const { score = 'markowitz', rng, slack = 1 } = options;
  const state: CostState = problem.initial();
  const remaining = [...problem.eliminable];
  const order: VertexId[] = [];
  let total = 0;
  const scores = new Float64Array(remaining.length);
  while (remaining.length > 0) {
    let min = Infinity;
    for (let i = 0; i < remaining.length; i++) {
      const v = remaining[i];
      scores[i] = score === 'markowitz' ? state.markowitzDegree(v) : state.eliminationCost(v);
      if (scores[i] < min) min = scores[i];
    }
    let pick = 0;
    if (rng) {
      const limit = min * slack;
      const candidates: number[] = [];
      for (let i = 0; i < remaining.length; i++) if (scores[i] <= limit) candidates.push(i);
      pick = rng.pick(candidates);
    } else {
      while (scores[pick] !== min) pick++;
    }
    const [v] = remaining.splice(pick, 1);
    total += state.eliminate(v);
    order.push(v);
  }
  return { order, multiplications: total };
}
