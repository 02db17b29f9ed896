/**
 * The paper-style encoder (spec §9.1) with its quirks fixed: one token per vertex = Linear(edge row) +
 * Linear(features) + fixed sinusoidal positional encoding; pre-LayerNorm blocks of bias-free multi-head
 * self-attention and a bias-free swish FFN; per-token policy and value MLP heads.
 *
 * Attention mask: every token attends to every *real* token of its observation (keys on padding get
 * −1e9). The paper lets active vertices attend only to eliminated ones, which at the start of a game
 * leaves nothing and degrades to uniform attention; the per-vertex features already tell the network
 * which vertices are eliminated or legal, so no further restriction is needed.
 */
import * as tf from '@tensorflow/tfjs';
import { dense, matMul, swish } from './backend.js';
import type { PackedBatch } from './batch.js';
import type { Model } from './model.js';
import { VERTEX_FEATURES, type NetworkConfig } from './network.js';
import {
  applyHeads,
  applyLayerNorm,
  applyLinear,
  buildHeads,
  layerNorm,
  linear,
  ParamStore,
  type LayerNorm,
} from './params.js';

interface Block {
  readonly ln1: LayerNorm;
  readonly wq: tf.Tensor2D;
  readonly wk: tf.Tensor2D;
  readonly wv: tf.Tensor2D;
  readonly wo: tf.Tensor2D;
  readonly ln2: LayerNorm;
  readonly ff1: tf.Tensor2D;
  readonly ff2: tf.Tensor2D;
}

/** pe[p, 2i] = sin(p / 10000^(2i/d)), pe[p, 2i+1] = cos(p / 10000^(2i/d)); maxVertices × d, not trained. */
export function positionalEncoding(positions: number, d: number): Float32Array {
  const pe = new Float32Array(positions * d);
  for (let p = 0; p < positions; p++) {
    for (let k = 0; k < d; k += 2) {
      const angle = p / Math.pow(10000, k / d);
      pe[p * d + k] = Math.sin(angle);
      if (k + 1 < d) pe[p * d + k + 1] = Math.cos(angle);
    }
  }
  return pe;
}

export function buildTransformer(config: NetworkConfig): Model {
  const { dModel: d, heads, ffDim, maxVertices, maxNodes } = config;
  if (d % heads !== 0) throw new Error(`dModel ${d} is not divisible by heads ${heads}`);
  const params = new ParamStore(config.seed);
  const edgeEmbed = linear(params, 2 * maxNodes, d, false);
  const featureEmbed = linear(params, VERTEX_FEATURES, d);
  const blocks: Block[] = [];
  for (let l = 0; l < config.layers; l++) {
    blocks.push({
      ln1: layerNorm(params, d),
      wq: params.matrix(d, d),
      wk: params.matrix(d, d),
      wv: params.matrix(d, d),
      wo: params.matrix(d, d),
      ln2: layerNorm(params, d),
      ff1: params.matrix(d, ffDim),
      ff2: params.matrix(ffDim, d),
    });
  }
  const finalNorm = layerNorm(params, d);
  const outputHeads = buildHeads(params, d, config);
  // Kept outside any tidy for the network's lifetime; it is a constant, not a parameter.
  const pe = tf.keep(tf.tensor2d(positionalEncoding(maxVertices, d), [maxVertices, d]));

  return {
    params,
    needsAdjacency: false,
    needsEdges: true,
    needsPropagated: false,
    forward(batch: PackedBatch) {
      const V = batch.vertices;
      if (!batch.edges) throw new Error('transformer: batch packed without edge rows');
      let x = applyLinear(edgeEmbed, batch.edges)
        .add(applyLinear(featureEmbed, batch.features))
        .add(pe.slice([0, 0], [V, d]));
      // Additive key mask, B×1×1×V: 0 on real tokens, −1e9 on padding.
      const keyBias = batch.real.sub(1).mul(1e9).reshape([batch.size, 1, 1, V]);
      for (const block of blocks) {
        x = x.add(attention(block, applyLayerNorm(block.ln1, x), keyBias, heads));
        const h = applyLayerNorm(block.ln2, x);
        x = x.add(dense(swish(dense(h, block.ff1)), block.ff2));
      }
      x = applyLayerNorm(finalNorm, x); // pre-LN blocks leave the residual stream unnormalised
      return applyHeads(outputHeads, x);
    },
    dispose: () => pe.dispose(),
  };
}

/** Multi-head self-attention without biases; x is B×V×d. */
function attention(block: Block, x: tf.Tensor, keyBias: tf.Tensor, heads: number): tf.Tensor {
  const [B, V, d] = x.shape;
  const dk = d / heads;
  // B×V×d → (B·heads)×V×dk, or (B·heads)×dk×V for keys so that scores need no transposed matmul.
  const split = (w: tf.Tensor2D, perm: number[], shape: number[]) =>
    dense(x, w).reshape([B, V, heads, dk]).transpose(perm).reshape(shape) as tf.Tensor3D;
  const q = split(block.wq, [0, 2, 1, 3], [B * heads, V, dk]);
  const kT = split(block.wk, [0, 2, 3, 1], [B * heads, dk, V]);
  const v = split(block.wv, [0, 2, 1, 3], [B * heads, V, dk]);
  const scores = matMul(q, kT)
    .mul(1 / Math.sqrt(dk))
    .reshape([B, heads, V, V])
    .add(keyBias);
  const weights = tf.softmax(scores).reshape([B * heads, V, V]) as tf.Tensor3D;
  const out = matMul(weights, v).reshape([B, heads, V, dk]).transpose([0, 2, 1, 3]).reshape([B, V, d]);
  return dense(out, block.wo);
}
