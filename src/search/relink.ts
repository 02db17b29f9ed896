import type { VertexId } from '../graph/graph.js';
import type { Game } from './problem.js';

export interface RelinkResult {
  /** The cheapest order met strictly between the two ends, or null when there is none. */
  readonly best: { order: VertexId[]; multiplications: number } | null;
  /** Intermediate orders evaluated, and the vertex eliminations that cost. */
  readonly steps: number;
  readonly eliminations: number;
}

/**
 * Path relinking (Glover): walks from `from` towards `guide` one move at a time, each move taking the
 * vertex the guide has at the first position where the two differ and inserting it there, so after k
 * moves the order agrees with the guide on its first k differing positions. Every intermediate order is
 * a valid order (a permutation of the same vertices) and is costed exactly: its prefix equals the
 * guide's, whose state is carried along, so a step re-eliminates only the suffix (O(n²) eliminations
 * in all). Orders between two good ones mix their prefixes and suffixes, which neither annealing's
 * single moves nor a restart would try.
 */
export function relinkOrders(
  game: Game,
  from: readonly VertexId[],
  guide: readonly VertexId[],
): RelinkResult {
  const n = from.length;
  if (guide.length !== n) throw new RangeError(`relinking orders of ${n} and ${guide.length} vertices`);
  const current = [...from];
  const prefix = game.initial();
  let prefixCost = 0;
  let best: RelinkResult['best'] = null;
  let steps = 0;
  let eliminations = 0;
  for (let i = 0; i < n; i++) {
    if (current[i] !== guide[i]) {
      const j = current.indexOf(guide[i], i + 1);
      if (j < 0) throw new RangeError(`vertex ${guide[i]} of the guide is not in the order`);
      current.splice(j, 1);
      current.splice(i, 0, guide[i]);
      if (current.every((v, k) => k < i || v === guide[k])) break; // reached the guide
      steps++;
      const state = prefix.clone();
      let cost = prefixCost;
      for (let k = i; k < n; k++) cost += state.eliminate(current[k]);
      eliminations += n - i;
      if (best === null || cost < best.multiplications) best = { order: [...current], multiplications: cost };
    }
    prefixCost += prefix.eliminate(current[i]);
    eliminations++;
  }
  return { best, steps, eliminations };
}
