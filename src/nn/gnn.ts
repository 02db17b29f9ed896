/**
 * A cheaper message-passing network: a per-vertex MLP embeds the features (plus, optionally, a projection
 * of the raw edge row), then each round mixes every vertex with the mean of its in-neighbours and the mean
 * of its out-neighbours (batched matmuls with the B×V×V aggregation matrices): h ← LN(h + swish([h, in-mean,
 * out-mean]·W + b)). One 3d→d layer per round (no ffDim-wide FFN) keeps a round at about a third of a
 * transformer block's cost. Only vertices are graph nodes; a vertex's links to inputs enter through its features (and the
 * edge projection when enabled). Padded tokens have empty adjacency, so they send and receive nothing.
 */
import * as tf from '@tensorflow/tfjs';
import { matMulConstant, swish } from './backend.js';
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
  type Linear,
} from './params.js';

interface Round {
  readonly mix: Linear;
  readonly norm: LayerNorm;
}

export function buildGnn(config: NetworkConfig): Model {
  const { dModel: d, maxNodes } = config;
  const params = new ParamStore(config.seed);
  const featureEmbed = linear(params, VERTEX_FEATURES, d);
  const edgeEmbed = config.edgeProjection ? linear(params, 2 * maxNodes, d, false) : undefined;
  const embedOut = linear(params, d, d);
  const rounds: Round[] = [];
  for (let l = 0; l < config.layers; l++) {
    rounds.push({ mix: linear(params, 3 * d, d), norm: layerNorm(params, d) });
  }
  const heads = buildHeads(params, d, config);

  return {
    params,
    needsAdjacency: true,
    needsEdges: edgeEmbed !== undefined,
    needsPropagated: false,
    forward(batch: PackedBatch) {
      const { inMean, outMean } = batch;
      if (!inMean || !outMean) throw new Error('gnn: batch packed without adjacency');
      let pre = applyLinear(featureEmbed, batch.features);
      if (edgeEmbed && batch.edges) pre = pre.add(applyLinear(edgeEmbed, batch.edges));
      let h = applyLinear(embedOut, swish(pre));
      for (const round of rounds) {
        const h3 = h as tf.Tensor3D;
        const messages = tf.concat([h3, matMulConstant(inMean, h3), matMulConstant(outMean, h3)], 2);
        h = applyLayerNorm(round.norm, h.add(swish(applyLinear(round.mix, messages))));
      }
      return applyHeads(heads, h);
    },
    dispose: () => {},
  };
}
