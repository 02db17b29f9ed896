import type { Observation, PolicyValueNet } from '../nn/network.js';
import type { GameState } from './game.js';
import type { BatchEvaluator, Evaluation } from './gumbel.js';
import { observe, vertexLogits } from './observation.js';
import { inverseTransformValue, type ValueTransformName } from './value-transform.js';

/** The ablation: no learning at all, a uniform prior and a value of 0 everywhere. */
export const uniformEvaluator: BatchEvaluator = (states) =>
  states.map((s) => ({ logits: new Float32Array(s.legal.length), value: 0 }));

/** Counts how many positions an evaluator has seen (for evaluations/s). */
export interface CountingEvaluator {
  readonly evaluate: BatchEvaluator;
  readonly count: () => number;
}

export function counting(inner: BatchEvaluator): CountingEvaluator {
  let n = 0;
  return {
    evaluate: (states) => {
      n += states.length;
      return inner(states);
    },
    count: () => n,
  };
}

/**
 * One inner call per position: what search costs without batching the leaves of parallel games (the
 * "before" of the self-play benchmark, and the reference the batched path must agree with).
 */
export function perLeafEvaluator(inner: BatchEvaluator): BatchEvaluator {
  return (states) => states.flatMap((s) => inner([s]));
}

/**
 * Asks the network for logits and values. The value head predicts transform(return-to-go / costScale);
 * the search wants raw returns, so the prediction is inverted and rescaled per game.
 */
export function networkEvaluator(
  net: PolicyValueNet,
  transform: ValueTransformName,
  observer: (state: GameState) => Observation = net.readsEdgeRows === false
    ? (s) => observe(s, { edgeRows: false })
    : observe,
): BatchEvaluator {
  return (states: readonly GameState[]): Evaluation[] => {
    if (states.length === 0) return [];
    const observations = states.map(observer);
    const prediction = net.predict(observations);
    return states.map((s, i) => ({
      logits: vertexLogits(observations[i], prediction.logits[i], s.legal.length),
      value: Math.min(0, inverseTransformValue(transform, prediction.values[i]) * s.game.costScale),
    }));
  };
}

/**
 * Remembers evaluations by position within one episode: consecutive searches revisit the positions of the
 * previous move's tree. Positions are keyed by the set of eliminated vertices when the game is order
 * independent (the state depends only on that set), else by the exact order.
 */
export function cachingEvaluator(inner: BatchEvaluator): BatchEvaluator & { clear(): void; hits(): number } {
  const cache = new Map<string, Evaluation>();
  let hits = 0;
  const keyOf = (s: GameState): string => `${s.game.name}:${positionKey(s)}`;
  const evaluate = (states: readonly GameState[]): Evaluation[] => {
    const keys = states.map(keyOf);
    // A position several games reach in the same batch (every game's first root) is evaluated once.
    const missing = new Map<string, number>();
    keys.forEach((k, i) => {
      if (!cache.has(k) && !missing.has(k)) missing.set(k, i);
    });
    const fresh = missing.size > 0 ? inner([...missing.values()].map((i) => states[i])) : [];
    [...missing.keys()].forEach((k, j) => cache.set(k, fresh[j]));
    hits += states.length - missing.size;
    return keys.map((k) => cache.get(k) as Evaluation);
  };
  return Object.assign(evaluate, { clear: () => cache.clear(), hits: () => hits });
}

/**
 * A position as a short string: the legal mask 16 vertices per character when the state depends only on
 * the set of eliminated vertices (the mask determines that set), else the order one vertex per character.
 */
function positionKey(s: GameState): string {
  if (s.game.problem.orderIndependent) {
    const { legal } = s;
    const codes = new Array<number>(Math.ceil(legal.length / 16)).fill(0);
    for (let v = 0; v < legal.length; v++) if (legal[v]) codes[v >> 4] |= 1 << (v & 15);
    return String.fromCharCode(...codes);
  }
  return s.game.numVertices < 0x10000 ? String.fromCharCode(...s.order) : s.order.join(',');
}
