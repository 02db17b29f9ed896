/** Loss terms, each a mean over the (chunk of the) batch. Illegal and padded vertices never get probability. */
import * as tf from '@tensorflow/tfjs';

/** Log-softmax over legal vertices only: illegal logits are pushed to −1e9 first. */
export function maskedLogSoftmax(logits: tf.Tensor2D, legal: tf.Tensor2D): tf.Tensor2D {
  return tf.logSoftmax(logits.add(legal.sub(1).mul(1e9)));
}

/** The value of an observation: the mean of the per-token value outputs over its real (unpadded) tokens. */
export function poolValues(tokenValues: tf.Tensor2D, real: tf.Tensor2D): tf.Tensor1D {
  return tokenValues
    .mul(real)
    .sum(1)
    .div(tf.maximum(real.sum(1), 1));
}

export interface LossTerms {
  readonly total: tf.Scalar;
  readonly policy: tf.Scalar;
  readonly value: tf.Scalar;
  readonly entropy?: tf.Scalar;
}

function valueLoss(values: tf.Tensor1D, targets: tf.Tensor1D): tf.Scalar {
  return values.sub(targets).square().mul(0.5).mean();
}

/** Cross-entropy against the search's visit distribution plus valueWeight·½(v − target)². */
export function alphaZeroLoss(
  logits: tf.Tensor2D,
  values: tf.Tensor1D,
  legal: tf.Tensor2D,
  policyTargets: tf.Tensor2D,
  valueTargets: tf.Tensor1D,
  valueWeight: number,
): LossTerms {
  // Targets are 0 wherever the mask is, so the −1e9 entries contribute exactly 0.
  const policy = policyTargets.mul(maskedLogSoftmax(logits, legal)).sum(1).neg().mean() as tf.Scalar;
  const value = valueLoss(values, valueTargets);
  return { total: policy.add(value.mul(valueWeight)), policy, value };
}

export interface PpoTargets {
  /** B×V one-hot of the taken action. */
  readonly actions: tf.Tensor2D;
  readonly oldLogProbs: tf.Tensor1D;
  readonly advantages: tf.Tensor1D;
  readonly returns: tf.Tensor1D;
}

/** −clipped surrogate + valueWeight·½(v − return)² − entropyWeight·entropy. */
export function ppoLoss(
  logits: tf.Tensor2D,
  values: tf.Tensor1D,
  legal: tf.Tensor2D,
  targets: PpoTargets,
  options: { readonly clipRatio: number; readonly valueWeight: number; readonly entropyWeight: number },
): LossTerms {
  const logp = maskedLogSoftmax(logits, legal);
  const ratio = tf.exp(logp.mul(targets.actions).sum(1).sub(targets.oldLogProbs));
  const clipped = tf.clipByValue(ratio, 1 - options.clipRatio, 1 + options.clipRatio);
  const surrogate = tf.minimum(ratio.mul(targets.advantages), clipped.mul(targets.advantages));
  const policy = surrogate.mean().neg() as tf.Scalar;
  // Multiplying by `legal` keeps 0·(−1e9) terms out of the entropy and its gradient.
  const entropy = tf.exp(logp).mul(logp).mul(legal).sum(1).neg().mean() as tf.Scalar;
  const value = valueLoss(values, targets.returns);
  const total = policy.add(value.mul(options.valueWeight)).sub(entropy.mul(options.entropyWeight));
  return { total: total as tf.Scalar, policy, value, entropy };
}
