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
 * Asks the network for logits and values. The value head predicts transform(return-to-go / costScale);
 * the search wants raw returns, so the prediction is inverted and rescaled per game.
 */
export function networkEvaluator(
  net: PolicyValueNet,
  transform: ValueTransformName,
  observer: (state: GameState) => Observation = observe,
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
  const keyOf = (s: GameState): string =>
    `${s.game.name}:${s.game.problem.orderIndependent ? [...s.order].sort((a, b) => a - b).join(',') : s.order.join(',')}`;
  const evaluate = (states: readonly GameState[]): Evaluation[] => {
    const keys = states.map(keyOf);
    const missing: number[] = [];
    keys.forEach((k, i) => {
      if (!cache.has(k)) missing.push(i);
    });
    const fresh = missing.length > 0 ? inner(missing.map((i) => states[i])) : [];
    missing.forEach((i, k) => cache.set(keys[i], fresh[k]));
    hits += states.length - missing.length;
    return keys.map((k) => cache.get(k) as Evaluation);
  };
  return Object.assign(evaluate, { clear: () => cache.clear(), hits: () => hits });
}
