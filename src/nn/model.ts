import type * as tf from '@tensorflow/tfjs';
import type { PackedBatch } from './batch.js';
import type { ParamStore } from './params.js';

/** What an architecture provides to the shared prediction/training code (net.ts). */
export interface Model {
  readonly params: ParamStore;
  /** Whether the forward pass reads the vertex adjacency (packing it costs B·V² floats). */
  readonly needsAdjacency: boolean;
  /** Whether it reads the raw edge rows (B·V·2·maxNodes floats). */
  readonly needsEdges: boolean;
  /** Whether it reads the propagated features. */
  readonly needsPropagated: boolean;
  /** Per-token policy logits and per-token value-head outputs, both B×V (padding included). */
  forward(batch: PackedBatch): { logits: tf.Tensor2D; tokenValues: tf.Tensor2D };
  /** Frees constant tensors the model holds besides its parameters. */
  dispose(): void;
}
