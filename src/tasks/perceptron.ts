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
import { bind, type Traced } from '../trace/tensor-api.js';
import type { TaskDefinition } from './task.js';
import { probabilities, uniform } from './sampling.js';

const IN = 4;
const HIDDEN = 8;
const OUT = 4;

/** `t` with `axis` re-inserted as a size-1 axis (the broadcast JAX records for `keepdims=True`). */
function keepAxis(t: Traced, axis: number): Traced {
  const shape = [...t.shape];
  shape.splice(axis, 0, 1);
  return bind('broadcast_in_dim', [t], {
    shape,
    broadcast_dimensions: t.shape.map((_d, i) => (i < axis ? i : i + 1)),
  });
}

/** A weak-typed Python scalar parameter promoted to float32: a structural convert_element_type vertex. */
const asFloat32 = (x: Traced): Traced => bind('convert_element_type', [x], {});

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

/**
 * jax.nn.softmax along `axis`, as JAX 0.10.2 lowers it: the max (floored at −∞) is subtracted under
 * stop_gradient before exponentiating, then the exponentials are normalised by their sum.
 */
function softmax(x: Traced, axis: number): Traced {
  const max = np.maximum(-Infinity, np.max(x, axis));
  const unnormalised = np.exp(np.sub(x, np.stopGradient(keepAxis(max, axis))));
  return np.div(unnormalised, keepAxis(np.sum(unnormalised, axis), axis));
}

/** −Σ labels·log(softmax(logits)) over the last axis. */
function softmaxCrossEntropy(logits: Traced, labels: Traced): Traced {
  const axis = logits.ndim - 1;
  return np.neg(np.sum(np.mul(labels, np.log(softmax(logits, axis))), axis));
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
