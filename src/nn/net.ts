/**
 * The PolicyValueNet implementation shared by both architectures: batching and padding, prediction,
 * training with gradient accumulation over chunks (bounded memory for 4096-sample batches), Adam, state.
 */
import * as tf from '@tensorflow/tfjs';
import { Adam, assignValues } from './adam.js';
import { packBatch, type PackedBatch } from './batch.js';
import { alphaZeroLoss, poolValues, ppoLoss, type LossTerms } from './losses.js';
import type { Model } from './model.js';
import type {
  AlphaZeroBatch,
  AlphaZeroTrainOptions,
  Losses,
  NetworkConfig,
  NetworkState,
  Observation,
  PolicyValueNet,
  PpoBatch,
  PpoTrainOptions,
  Prediction,
  TrainOptions,
} from './network.js';

/**
 * Default chunk: about 2M elements per B×heads×V×V attention tensor (B×V×V for the GNN). The wasm heap
 * is capped at 4 GB and the tape keeps every forward intermediate until the backward pass, so 128
 * observations of 146 vertices through 4 attention layers already overflow it; smaller chunks cost little
 * speed (at V = 146, chunk 32 trained slightly faster than chunk 64).
 */
export function defaultChunk(config: NetworkConfig): number {
  const perObservation = (config.architecture === 'transformer' ? config.heads : 1) * config.maxVertices ** 2;
  return Math.max(8, Math.min(256, Math.floor(2 ** 21 / perObservation)));
}

/** Builds the chunk's targets and loss from its packed inputs; `start` indexes the full batch. */
type ChunkLoss = (
  out: { logits: tf.Tensor2D; values: tf.Tensor1D },
  packed: PackedBatch,
  start: number,
) => LossTerms;

export class TfPolicyValueNet implements PolicyValueNet {
  readonly parameterCount: number;
  readonly readsEdgeRows: boolean;
  private readonly variables: tf.Variable[];
  private readonly adam: Adam;
  private readonly chunk: number;

  constructor(
    readonly config: NetworkConfig,
    private readonly model: Model,
  ) {
    this.variables = model.params.variables;
    this.parameterCount = model.params.count();
    this.readsEdgeRows = model.needsEdges;
    this.adam = new Adam(this.variables);
    this.chunk = Math.max(1, config.trainChunk ?? defaultChunk(config));
  }

  private pack(observations: readonly Observation[]): PackedBatch {
    const { maxVertices, maxNodes } = this.config;
    const { needsAdjacency: adjacency, needsEdges: edges, needsPropagated: propagated } = this.model;
    return packBatch(observations, maxVertices, maxNodes, { adjacency, edges, propagated });
  }

  private run(packed: PackedBatch): { logits: tf.Tensor2D; values: tf.Tensor1D } {
    const { logits, tokenValues } = this.model.forward(packed);
    return { logits, values: poolValues(tokenValues, packed.real) };
  }

  predict(observations: readonly Observation[]): Prediction {
    const logits: Float32Array[] = [];
    const values = new Float32Array(observations.length);
    for (let start = 0; start < observations.length; start += this.chunk) {
      const part = observations.slice(start, start + this.chunk);
      // Tensors leave the tidy and are read outside it: tidy walks every element of a returned typed array.
      const out = tf.tidy(() => this.run(this.pack(part)));
      const V = out.logits.shape[1];
      const flatLogits = out.logits.dataSync();
      const flatValues = out.values.dataSync();
      tf.dispose([out.logits, out.values]);
      part.forEach((obs, b) =>
        logits.push(Float32Array.from(flatLogits.subarray(b * V, b * V + obs.numVertices))),
      );
      values.set(flatValues, start);
    }
    return { logits, values };
  }

  trainAlphaZero(batch: AlphaZeroBatch, options: AlphaZeroTrainOptions): Losses {
    // Checked before any tensor work: an exception inside variableGrads would leave the tape half-built.
    batch.observations.forEach((obs, i) => {
      if (batch.policyTargets[i].length !== obs.numVertices) {
        throw new Error(`trainAlphaZero: policy target ${i} does not have one entry per vertex`);
      }
    });
    return this.train(batch.observations, options, (out, packed, start) => {
      const { size: B, vertices: V } = packed;
      const targets = new Float32Array(B * V);
      for (let b = 0; b < B; b++) targets.set(batch.policyTargets[start + b], b * V);
      const valueTargets = tf.tensor1d(batch.valueTargets.subarray(start, start + B));
      const policyTargets = tf.tensor2d(targets, [B, V]);
      return alphaZeroLoss(
        out.logits,
        out.values,
        packed.legal,
        policyTargets,
        valueTargets,
        options.valueWeight,
      );
    });
  }

  trainPpo(batch: PpoBatch, options: PpoTrainOptions): Losses {
    batch.observations.forEach((obs, i) => {
      const action = batch.actions[i];
      if (!(action >= 0 && action < obs.numVertices)) {
        throw new Error(`trainPpo: action ${action} of sample ${i} is not a vertex`);
      }
    });
    return this.train(batch.observations, options, (out, packed, start) => {
      const { size: B, vertices: V } = packed;
      const onehot = new Float32Array(B * V);
      for (let b = 0; b < B; b++) onehot[b * V + batch.actions[start + b]] = 1;
      const slice = (xs: Float32Array) => tf.tensor1d(xs.subarray(start, start + B));
      const targets = {
        actions: tf.tensor2d(onehot, [B, V]),
        oldLogProbs: slice(batch.oldLogProbs),
        advantages: slice(batch.advantages),
        returns: slice(batch.returns),
      };
      return ppoLoss(out.logits, out.values, packed.legal, targets, options);
    });
  }

  /** Mean loss over the batch: chunk gradients are weighted by chunk size / batch size and summed. */
  private train(observations: readonly Observation[], options: TrainOptions, chunkLoss: ChunkLoss): Losses {
    const N = observations.length;
    if (N === 0) throw new Error('train: empty batch');
    let grads: tf.Tensor[] | undefined;
    const sums = { total: 0, policy: 0, value: 0, entropy: 0 };
    let hasEntropy = false;
    for (let start = 0; start < N; start += this.chunk) {
      const part = observations.slice(start, start + this.chunk);
      const weight = part.length / N;
      let terms: tf.Tensor1D | undefined;
      const chunkGrads = tf.tidy(() => {
        const packed = this.pack(part);
        const { value, grads: named } = tf.variableGrads(() => {
          const loss = chunkLoss(this.run(packed), packed, start);
          hasEntropy = loss.entropy !== undefined;
          terms = tf.keep(
            tf.stack([loss.total, loss.policy, loss.value, loss.entropy ?? tf.scalar(0)]) as tf.Tensor1D,
          );
          return loss.total.mul(weight);
        }, this.variables);
        value.dispose();
        // A variable the loss does not reach gets no entry; its gradient is zero.
        return this.variables.map((v) => named[v.name] ?? tf.zerosLike(v));
      });
      // The cast undoes TypeScript's narrowing to `undefined`: it cannot see the assignment in the callback.
      const t = (terms as tf.Tensor1D | undefined)?.dataSync() ?? [0, 0, 0, 0];
      terms?.dispose();
      sums.total += weight * t[0];
      sums.policy += weight * t[1];
      sums.value += weight * t[2];
      sums.entropy += weight * t[3];
      if (!grads) grads = chunkGrads;
      else {
        const previous = grads;
        grads = previous.map((g, i) => tf.add(g, chunkGrads[i]));
        tf.dispose([...previous, ...chunkGrads]);
      }
    }
    this.adam.apply(grads ?? [], options.learningRate, options.clipNorm);
    tf.dispose(grads ?? []);
    const { total, policy, value, entropy } = sums;
    return hasEntropy ? { total, policy, value, entropy } : { total, policy, value };
  }

  getState(): NetworkState {
    return {
      config: this.config,
      weights: this.getWeights(),
      optimizer: { step: this.adam.step, moments: this.adam.moments() },
    };
  }

  setState(state: NetworkState): void {
    const a = this.config;
    const b = state.config;
    if (a.architecture !== b.architecture || a.maxVertices !== b.maxVertices || a.maxNodes !== b.maxNodes) {
      throw new Error('setState: the state was saved from a network of a different shape');
    }
    this.setWeights(state.weights);
    this.adam.restore(state.optimizer.step, state.optimizer.moments);
  }

  setWeights(weights: readonly Float32Array[]): void {
    if (weights.length !== this.variables.length) {
      throw new Error(
        `weights of a network of a different shape: ${weights.length} arrays for ${this.variables.length}`,
      );
    }
    this.variables.forEach((v, i) => assignValues(v, weights[i]));
  }

  getWeights(): Float32Array[] {
    return this.variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  }

  dispose(): void {
    this.adam.dispose();
    for (const v of this.variables) v.dispose();
    this.model.dispose();
  }
}
