import type { PolicyValueNet } from '../nn/network.js';
import type { GameState } from './game.js';
import type { BatchEvaluator, Evaluation } from './gumbel.js';
import { observe } from './observation.js';
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
export function networkEvaluator(net: PolicyValueNet, transform: ValueTransformName): BatchEvaluator {
  return (states: readonly GameState[]): Evaluation[] => {
    if (states.length === 0) return [];
    const prediction = net.predict(states.map(observe));
    return states.map((s, i) => ({
      logits: prediction.logits[i],
      value: Math.min(0, inverseTransformValue(transform, prediction.values[i]) * s.game.costScale),
    }));
  };
}
