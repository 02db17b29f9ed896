/**
 * The trainable parameters of a network: an ordered list of tf.Variables whose initial values come from a
 * seeded generator, so the same config (and seed) always gives the same weights, and the list order is
 * the order of `NetworkState.weights`.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/random.js';
import { dense, swish } from './backend.js';
import type { NetworkConfig } from './network.js';

export class ParamStore {
  readonly variables: tf.Variable[] = [];
  private readonly rng: Rng;

  constructor(seed: number) {
    this.rng = new Rng(seed);
  }

  /** Standard normal by Box–Muller (1 − u keeps the log finite). */
  private normal(): number {
    const u1 = this.rng.float();
    const u2 = this.rng.float();
    return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }

  private add<T extends tf.Tensor>(values: Float32Array, shape: number[]): T {
    const initial = tf.tensor(values, shape);
    const v = tf.variable(initial, true);
    initial.dispose(); // the variable holds its own reference to the data
    this.variables.push(v);
    return v as unknown as T; // a Variable is a Tensor of its shape's rank
  }

  /** Glorot-normal weight (std √(2 / (in + out))): keeps activation scale roughly constant through layers. */
  matrix(rows: number, cols: number, gain = 1): tf.Tensor2D {
    const std = gain * Math.sqrt(2 / (rows + cols));
    const values = new Float32Array(rows * cols);
    for (let i = 0; i < values.length; i++) values[i] = std * this.normal();
    return this.add(values, [rows, cols]);
  }

  constant(size: number, value: number): tf.Tensor1D {
    return this.add(new Float32Array(size).fill(value), [size]);
  }

  count(): number {
    return this.variables.reduce((n, v) => n + v.size, 0);
  }
}

export interface Linear {
  readonly w: tf.Tensor2D;
  readonly b?: tf.Tensor1D;
}

export function linear(params: ParamStore, inDim: number, outDim: number, bias = true): Linear {
  return { w: params.matrix(inDim, outDim), b: bias ? params.constant(outDim, 0) : undefined };
}

export function applyLinear(layer: Linear, x: tf.Tensor): tf.Tensor {
  return dense(x, layer.w, layer.b);
}

export interface LayerNorm {
  readonly gamma: tf.Tensor1D;
  readonly beta: tf.Tensor1D;
}

export function layerNorm(params: ParamStore, dim: number): LayerNorm {
  return { gamma: params.constant(dim, 1), beta: params.constant(dim, 0) };
}

/** Normalises over the last axis (written out because tfjs has no layer-norm op). */
export function applyLayerNorm(ln: LayerNorm, x: tf.Tensor): tf.Tensor {
  const axis = x.rank - 1;
  const mean = x.mean(axis, true);
  const centred = x.sub(mean);
  const variance = centred.square().mean(axis, true);
  return centred
    .mul(tf.rsqrt(variance.add(1e-5)))
    .mul(ln.gamma)
    .add(ln.beta);
}

/** Per-token MLP: Linear + swish per hidden size, then a linear layer to one output (the head shape). */
export function mlpHead(params: ParamStore, inDim: number, hidden: readonly number[]): Linear[] {
  const sizes = [inDim, ...hidden, 1];
  return sizes.slice(1).map((out, i) => linear(params, sizes[i], out));
}

/** B×V×d → B×V: one scalar per token. */
export function applyMlpHead(layers: readonly Linear[], x: tf.Tensor): tf.Tensor {
  let h = x;
  layers.forEach((layer, i) => {
    h = applyLinear(layer, h);
    if (i < layers.length - 1) h = swish(h);
  });
  return h.squeeze([h.rank - 1]);
}

export interface Heads {
  readonly policy: readonly Linear[];
  readonly value: readonly Linear[];
}

/** The policy and value heads both architectures put on their per-token states. */
export function buildHeads(params: ParamStore, inDim: number, config: NetworkConfig): Heads {
  return {
    policy: mlpHead(params, inDim, config.policyHidden),
    value: mlpHead(params, inDim, config.valueHidden),
  };
}

export function applyHeads(heads: Heads, x: tf.Tensor): { logits: tf.Tensor2D; tokenValues: tf.Tensor2D } {
  return {
    logits: applyMlpHead(heads.policy, x) as tf.Tensor2D,
    tokenValues: applyMlpHead(heads.value, x) as tf.Tensor2D,
  };
}
