/**
 * The cheapest architecture: features propagated over the graph once, without weights (see
 * propagation.ts), then a per-token residual MLP with a pooled global context per block. Every layer is a
 * dense 2-D matmul, which the wasm backend runs fast; batched V×V matmuls (the `gnn`) and attention are
 * avoided, so evaluation cost grows only linearly with the vertex count.
 */
import type * as tf from '@tensorflow/tfjs';
import { swish } from './backend.js';
import type { PackedBatch } from './batch.js';
import type { Model } from './model.js';
import { COST_FEATURE, type NetworkConfig } from './network.js';
import {
  applyHeads,
  applyLayerNorm,
  applyLinear,
  buildHeads,
  layerNorm,
  linear,
  ParamStore,
  type Linear,
  type LayerNorm,
} from './params.js';
import { PROPAGATED_FEATURES } from './propagation.js';

interface Block {
  readonly norm: LayerNorm;
  readonly up: Linear;
  readonly context: Linear;
  readonly down: Linear;
}

export function buildPropagatedMlp(config: NetworkConfig): Model {
  const { dModel: d, ffDim } = config;
  const params = new ParamStore(config.seed);
  const embed = linear(params, PROPAGATED_FEATURES, d);
  const blocks: Block[] = [];
  for (let l = 0; l < config.layers; l++) {
    blocks.push({
      norm: layerNorm(params, d),
      up: linear(params, d, ffDim),
      context: linear(params, d, ffDim, false),
      down: linear(params, ffDim, d),
    });
  }
  const heads = buildHeads(params, d, config);
  // A trainable linear skip from the "cost of eliminating this vertex now" feature to the logit, starting
  // at a preference for cheap eliminations: the untrained policy is Markowitz-like instead of uniform, and
  // training learns the correction (a prior worth having when the CPU budget allows few episodes).
  const costSkip = config.costSkip ?? 0;
  const skip = costSkip !== 0 ? params.constant(1, -costSkip) : undefined;
  return {
    params,
    needsAdjacency: false,
    needsEdges: false,
    needsPropagated: true,
    forward(batch: PackedBatch) {
      const { propagated, real } = batch;
      if (!propagated) throw new Error('mlp: batch packed without propagated features');
      let h = swish(applyLinear(embed, propagated));
      const mask = real.expandDims(2);
      for (const block of blocks) {
        const x = applyLayerNorm(block.norm, h);
        // Mean of the real tokens: the whole position in one vector, so each token sees global context.
        const pooled = x.mul(mask).sum(1, true).div(mask.sum(1, true).maximum(1));
        h = h.add(
          applyLinear(block.down, swish(applyLinear(block.up, x).add(applyLinear(block.context, pooled)))),
        );
      }
      const out = applyHeads(heads, h);
      if (!skip) return out;
      const cost = batch.features.slice([0, 0, COST_FEATURE], [-1, -1, 1]).squeeze([2]);
      return { logits: out.logits.add(cost.mul(skip)) as tf.Tensor2D, tokenValues: out.tokenValues };
    },
    dispose: () => {},
  };
}
