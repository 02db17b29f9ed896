import * as np from '../trace/tensor-api.js';
import { bind, type Traced } from '../trace/tensor-api.js';

/** How JAX 0.10.2 lowers a few numpy/nn idioms, reproduced so traced tasks match their jaxprs. */

/** `t` with `axis` re-inserted as a size-1 axis (the broadcast JAX records for `keepdims=True`). */
export function keepAxis(t: Traced, axis: number): Traced {
  const shape = [...t.shape];
  shape.splice(axis, 0, 1);
  return bind('broadcast_in_dim', [t], {
    shape,
    broadcast_dimensions: t.shape.map((_d, i) => (i < axis ? i : i + 1)),
  });
}

/** A weak-typed Python scalar parameter promoted to float32: a structural convert_element_type vertex. */
export const asFloat32 = (x: Traced): Traced => bind('convert_element_type', [x], {});

/**
 * jax.nn.softmax along `axis`, as JAX 0.10.2 lowers it: the max (floored at −∞) is subtracted under
 * stop_gradient before exponentiating, then the exponentials are normalised by their sum.
 */
export function softmax(x: Traced, axis: number): Traced {
  const max = np.maximum(-Infinity, np.max(x, axis));
  const unnormalised = np.exp(np.sub(x, np.stopGradient(keepAxis(max, axis))));
  return np.div(unnormalised, keepAxis(np.sum(unnormalised, axis), axis));
}

/** −Σ labels·log(softmax(logits)) over the last axis. */
export function softmaxCrossEntropy(logits: Traced, labels: Traced): Traced {
  const axis = logits.ndim - 1;
  return np.neg(np.sum(np.mul(labels, np.log(softmax(logits, axis))), axis));
}
