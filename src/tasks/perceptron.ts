/**
 * Perceptron ("MLP" in the paper): a 2-layer tanh network with layer norm and a softmax cross-entropy
 * loss (graphax `examples/deep_learning.py`, spec graphax-spec.md 5.5), traced under `jax.vmap` over the
 * sample x and label y with batch 1, as in `data/paper/jaxpr/Perceptron.jaxpr`.
 *
 * The function below is written in its batched form: x and y are (1, 4) batches of one row, so the
 * vmapped `W @ x + b` appears as `dot_general(W, x)` contracting the feature axes, a transpose and a
 * broadcast of b; and the per-sample mean (a batched scalar of shape (1,)) is broadcast back with a
 * kept axis. The traced equation sequence is identical to the jaxpr's (40 vertices, same primitives,
 * operand order, literals, shapes and parameters).
 */
import * as np from '../trace/tensor-api.js';
import type { Traced } from '../trace/tensor-api.js';
import type { TaskDefinition } from './task.js';
import { probabilities, uniform } from './sampling.js';
import { asFloat32, keepAxis, softmaxCrossEntropy } from './jax-lowering.js';

const IN = 4;
const HIDDEN = 8;
const OUT = 4;

/** `W @ x + b` for every row x of a batch (batch, in), as vmap lowers it: (out, batch) transposed, plus b. */
function dense(W: Traced, b: Traced, x: Traced): Traced {
  const Wx = np.dotGeneral(W, x, [
    [[1], [1]],
    [[], []],
  ]);
  return np.add(np.transpose(Wx), np.broadcastTo(b, [x.shape[0], W.shape[0]]));
}

/** Layer norm over the features of each row: (x − μ)/√(var + 1e−6)·γ + β, with var = Σ(x − μ)²/n. */
function layerNorm(x: Traced, gamma: Traced, beta: Traced): Traced {
  const n = x.shape[1];
  const mean = np.div(np.sum(x, 1), n);
  const variance = np.div(np.sum(np.pow(np.sub(x, keepAxis(mean, 1)), 2), 1), n);
  const normalised = np.div(np.sub(x, keepAxis(mean, 1)), keepAxis(np.sqrt(np.add(variance, 1e-6)), 1));
  return np.add(np.mul(normalised, asFloat32(gamma)), asFloat32(beta));
}

function perceptron(
  x: Traced,
  y: Traced,
  W1: Traced,
  b1: Traced,
  W2: Traced,
  b2: Traced,
  gamma: Traced,
  beta: Traced,
): Traced {
  const hidden = np.tanh(dense(W1, b1, x));
  const logits = np.tanh(dense(W2, b2, layerNorm(hidden, gamma, beta)));
  return softmaxCrossEntropy(logits, y);
}

export const Perceptron: TaskDefinition = {
  name: 'Perceptron',
  paperName: 'Perceptron',
  description:
    'deep learning: softmax cross-entropy of a 2-layer tanh MLP with layer norm (4 → 8 → 4), vmap batch 1',
  inputs: [
    { name: 'x', shape: [1, IN] },
    { name: 'y', shape: [1, OUT] },
    { name: 'W1', shape: [HIDDEN, IN] },
    { name: 'b1', shape: [HIDDEN] },
    { name: 'W2', shape: [OUT, HIDDEN] },
    { name: 'b2', shape: [OUT] },
    { name: 'gamma', shape: [] },
    { name: 'beta', shape: [] },
  ],
  fn: perceptron,
  // Everything is smooth: any finite point works; γ is kept away from 0 so the layer norm matters.
  samplePoint: (rng) => [
    uniform(rng, [1, IN], -1, 1),
    probabilities(rng, 1, OUT),
    uniform(rng, [HIDDEN, IN], -1, 1),
    uniform(rng, [HIDDEN], -0.5, 0.5),
    uniform(rng, [OUT, HIDDEN], -1, 1),
    uniform(rng, [OUT], -0.5, 0.5),
    uniform(rng, [], 0.5, 1.5),
    uniform(rng, [], -0.5, 0.5),
  ],
};
