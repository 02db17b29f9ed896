/**
 * Packs observations of different sizes into zero-padded batch tensors. A batch is padded to its own
 * largest vertex count (not to maxVertices), since every layer is independent of the sequence length and
 * padding costs compute; edge rows are always laid out over maxNodes because the edge projection is
 * sized for it: a row [in (numNodes) | out (numNodes)] goes to [0, numNodes) and [maxNodes, maxNodes +
 * numNodes).
 */
import * as tf from '@tensorflow/tfjs';
import { VERTEX_FEATURES, type Observation } from './network.js';
import { PROPAGATED_FEATURES, propagateFeatures, tokenAdjacency, type TokenLists } from './propagation.js';

export interface PackedBatch {
  readonly size: number;
  /** Padded token count (the largest numVertices in the batch). */
  readonly vertices: number;
  /** B×V×2·maxNodes (only when the architecture reads edge rows). */
  readonly edges?: tf.Tensor3D;
  /** B×V×VERTEX_FEATURES. */
  readonly features: tf.Tensor3D;
  /** B×V: 1 for a real token, 0 for padding. */
  readonly real: tf.Tensor2D;
  /** B×V: 1 where the action is legal (always 0 on padding). */
  readonly legal: tf.Tensor2D;
  /** B×V×V vertex→vertex mean aggregation over in-neighbours (row v: 1/indeg(v) at each u → v). */
  readonly inMean?: tf.Tensor3D;
  /** B×V×V mean aggregation over out-neighbours (row v: 1/outdeg(v) at each v → w). */
  readonly outMean?: tf.Tensor3D;
  /** B×V×PROPAGATED_FEATURES: features averaged over neighbours, 1..PROPAGATION_HOPS hops. */
  readonly propagated?: tf.Tensor3D;
}

export function checkFits(obs: Observation, maxVertices: number, maxNodes: number): void {
  if (obs.numVertices > maxVertices || obs.numNodes > maxNodes) {
    throw new Error(
      `observation (${obs.numVertices} vertices, ${obs.numNodes} nodes) exceeds the network's ` +
        `(${maxVertices}, ${maxNodes})`,
    );
  }
}

/** Which inputs an architecture reads (each costs packing time and memory). */
export interface PackNeeds {
  /** B×V×2·maxNodes edge rows (the transformer's tokens, the GNN's optional edge projection). */
  readonly edges: boolean;
  /** B×V×V mean-aggregation matrices (the GNN). */
  readonly adjacency: boolean;
  /** B×V×PROPAGATED_FEATURES (the propagated-feature MLP). */
  readonly propagated: boolean;
}

/** Creates tensors: call inside tf.tidy (or dispose them). */
export function packBatch(
  observations: readonly Observation[],
  maxVertices: number,
  maxNodes: number,
  needs: PackNeeds,
): PackedBatch {
  const B = observations.length;
  let V = 1;
  for (const obs of observations) {
    checkFits(obs, maxVertices, maxNodes);
    V = Math.max(V, obs.numVertices);
  }
  const W = 2 * maxNodes;
  const F = VERTEX_FEATURES;
  const P = PROPAGATED_FEATURES;
  const edges = needs.edges ? new Float32Array(B * V * W) : undefined;
  const features = new Float32Array(B * V * F);
  const real = new Float32Array(B * V);
  const legal = new Float32Array(B * V);
  const inMean = needs.adjacency ? new Float32Array(B * V * V) : undefined;
  const outMean = needs.adjacency ? new Float32Array(B * V * V) : undefined;
  const propagated = needs.propagated ? new Float32Array(B * V * P) : undefined;
  observations.forEach((obs, b) => {
    const { numVertices: n, numNodes: N } = obs;
    if (edges && obs.edges.length !== n * 2 * N) throw new Error('packBatch: observation without edge rows');
    for (let v = 0; v < n; v++) {
      if (edges) {
        const src = v * 2 * N;
        const dst = (b * V + v) * W;
        edges.set(obs.edges.subarray(src, src + N), dst);
        edges.set(obs.edges.subarray(src + N, src + 2 * N), dst + maxNodes);
      }
      features.set(obs.features.subarray(v * F, (v + 1) * F), (b * V + v) * F);
      real[b * V + v] = 1;
      legal[b * V + v] = obs.mask[v] ? 1 : 0;
    }
    if (inMean && outMean) fillAdjacency(obs, inMean, outMean, b * V * V, V);
    if (propagated) propagateFeatures(obs, propagated, b * V * P);
  });
  return {
    size: B,
    vertices: V,
    edges: edges && tf.tensor3d(edges, [B, V, W]),
    features: tf.tensor3d(features, [B, V, F]),
    real: tf.tensor2d(real, [B, V]),
    legal: tf.tensor2d(legal, [B, V]),
    inMean: inMean && tf.tensor3d(inMean, [B, V, V]),
    outMean: outMean && tf.tensor3d(outMean, [B, V, V]),
    propagated: propagated && tf.tensor3d(propagated, [B, V, P]),
  };
}

/** Mean aggregation matrices over the token adjacency: row t averages t's in- (out-) neighbour tokens. */
function fillAdjacency(
  obs: Observation,
  inMean: Float32Array,
  outMean: Float32Array,
  base: number,
  V: number,
) {
  const { preds, succs } = tokenAdjacency(obs);
  const fill = (lists: TokenLists, into: Float32Array) => {
    for (let t = 0; t < obs.numVertices; t++) {
      const a = lists.start[t];
      const b = lists.start[t + 1];
      for (let j = a; j < b; j++) into[base + t * V + lists.items[j]] = 1 / (b - a);
    }
  };
  fill(preds, inMean);
  fill(succs, outMean);
}
