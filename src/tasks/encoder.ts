/**
 * Encoder: two transformer encoder blocks (single-head attention, residual connection, layer norm, then
 * SiLU(W·+b)) followed by a softmax cross-entropy loss (graphax `examples/deep_learning.py`, spec
 * graphax-spec.md 5.5), as in `data/paper/jaxpr/Encoder.jaxpr` (traced without vmap).
 *
 * Faithful to the Python, including its NumPy broadcasting: `mean(x, -1)` and the variance are taken
 * per row without keepdims, so the (4,) vectors are rank-promoted to (1, 4) and broadcast along the
 * rows, i.e. column j of x is centred and scaled with the statistics of row j. The traced equation
 * sequence is identical to the jaxpr's (94 vertices, same primitives, operand order, literals, shapes
 * and parameters).
 */
import type { Shape } from '../graph/shape.js';
import * as np from '../trace/tensor-api.js';
import type { Traced } from '../trace/tensor-api.js';
import type { TaskDefinition } from './task.js';
import { probabilities, uniform } from './sampling.js';
import { asFloat32, softmax, softmaxCrossEntropy } from './jax-lowering.js';

/** jnp's implicit rank promotion before a binary operation: leading size-1 axes (broadcast_in_dim). */
const promoteRank = (t: Traced, rank: number): Traced =>
  t.ndim === rank ? t : np.broadcastTo(t, [...Array<number>(rank - t.ndim).fill(1), ...t.shape]);

/** Hand-written sigmoid 1/(1 + e^(−x)), as in the Python (not jax.nn.sigmoid). */
const sigmoid = (x: Traced): Traced => np.div(1, np.add(1, np.exp(np.neg(x))));

const silu = (x: Traced): Traced => np.mul(x, sigmoid(x));

/** Single-head attention: softmax(qᵀk, axis=1) @ v. */
const attention = (q: Traced, k: Traced, v: Traced): Traced => np.matmul(softmax(np.matmul(q.T, k), 1), v);

/** (x − mean(x, −1))/√(var + 1e−6)·γ + β, the statistics broadcast NumPy-style (see the file header). */
function layerNorm(x: Traced, gamma: Traced, beta: Traced): Traced {
  const n = x.shape[x.ndim - 1];
  const mean = np.div(np.sum(x, -1), n);
  const variance = np.div(np.sum(np.pow(np.sub(x, promoteRank(mean, x.ndim)), 2), -1), n);
  const normalised = np.div(
    np.sub(x, promoteRank(mean, x.ndim)),
    promoteRank(np.sqrt(np.add(variance, 1e-6)), x.ndim),
  );
  return np.add(np.mul(normalised, asFloat32(gamma)), asFloat32(beta));
}

interface BlockParams {
  readonly WQ: Traced;
  readonly WK: Traced;
  readonly WV: Traced;
  readonly W: Traced;
  readonly b: Traced;
  readonly gamma: Traced;
  readonly beta: Traced;
}

/** SiLU(W·LN(x + attn(WQ·x, WK·x, WV·x), γ, β) + b). */
function encoderBlock(x: Traced, p: BlockParams): Traced {
  const a = attention(np.matmul(p.WQ, x), np.matmul(p.WK, x), np.matmul(p.WV, x));
  const z = layerNorm(np.add(x, a), p.gamma, p.beta);
  const Wz = np.matmul(p.W, z);
  return silu(np.add(Wz, promoteRank(p.b, Wz.ndim)));
}

function encoder(
  x: Traced,
  y: Traced,
  WQ1: Traced,
  WQ2: Traced,
  WK1: Traced,
  WK2: Traced,
  WV1: Traced,
  WV2: Traced,
  W1: Traced,
  W2: Traced,
  b1: Traced,
  b2: Traced,
  gamma0: Traced,
  beta0: Traced,
  gamma1: Traced,
  beta1: Traced,
): Traced {
  const z1 = encoderBlock(x, { WQ: WQ1, WK: WK1, WV: WV1, W: W1, b: b1, gamma: gamma0, beta: beta0 });
  const z2 = encoderBlock(z1, { WQ: WQ2, WK: WK2, WV: WV2, W: W2, b: b2, gamma: gamma1, beta: beta1 });
  return softmaxCrossEntropy(z2, y);
}

const INPUTS: { name: string; shape: Shape }[] = [
  { name: 'x', shape: [4, 4] },
  { name: 'y', shape: [2, 4] },
  { name: 'WQ1', shape: [4, 4] },
  { name: 'WQ2', shape: [4, 4] },
  { name: 'WK1', shape: [4, 4] },
  { name: 'WK2', shape: [4, 4] },
  { name: 'WV1', shape: [4, 4] },
  { name: 'WV2', shape: [4, 4] },
  { name: 'W1', shape: [4, 4] },
  { name: 'W2', shape: [2, 4] },
  { name: 'b1', shape: [4] },
  { name: 'b2', shape: [2, 1] },
  { name: 'gamma0', shape: [] },
  { name: 'beta0', shape: [] },
  { name: 'gamma1', shape: [] },
  { name: 'beta1', shape: [] },
];

export const Encoder: TaskDefinition = {
  name: 'Encoder',
  paperName: 'Encoder',
  description:
    'deep learning: softmax cross-entropy of two single-head transformer encoder blocks (attention, layer norm, SiLU)',
  inputs: INPUTS,
  fn: encoder,
  // Smooth everywhere (softmax ties only move the stop_gradient shift): any finite point works; the
  // scales keep attention logits and SiLU arguments moderate, and the γ away from 0.
  samplePoint: (rng) =>
    INPUTS.map(({ name, shape }) => {
      if (name === 'y') return probabilities(rng, 2, 4);
      if (name.startsWith('gamma')) return uniform(rng, shape, 0.5, 1.5);
      if (name.startsWith('beta') || name.startsWith('b')) return uniform(rng, shape, -0.5, 0.5);
      return uniform(rng, shape, -1, 1);
    }),
};
