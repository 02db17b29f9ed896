import { VERTEX_FEATURES, type Observation } from './network.js';

/** Hops of feature propagation the `mlp` architecture sees (in each direction). */
export const PROPAGATION_HOPS = 2;

/** Features per token after propagation: own, then per hop the in- and out-neighbour means. */
export const PROPAGATED_FEATURES = VERTEX_FEATURES * (1 + 2 * PROPAGATION_HOPS);

/**
 * Vertex-to-vertex adjacency of an observation's tokens as lists: token t's in-neighbour tokens and
 * out-neighbour tokens. Tokens are vertices (`vertexIds` maps them when the observation drops some).
 */
export function tokenAdjacency(obs: Observation): { preds: number[][]; succs: number[][] } {
  const { numVertices: T, numNodes: N, numInputs } = obs;
  // Token of each vertex node (−1: not a token), so a row's in-part is scanned once.
  const tokenOfNode = new Int32Array(N).fill(-1);
  for (let t = 0; t < T; t++) tokenOfNode[numInputs + (obs.vertexIds ? obs.vertexIds[t] : t)] = t;
  const preds: number[][] = Array.from({ length: T }, () => []);
  const succs: number[][] = Array.from({ length: T }, () => []);
  for (let t = 0; t < T; t++) {
    const row = t * 2 * N;
    for (let node = numInputs; node < N; node++) {
      const u = tokenOfNode[node];
      if (u >= 0 && obs.edges[row + node] !== 0) {
        preds[t].push(u);
        succs[u].push(t);
      }
    }
  }
  return { preds, succs };
}

/**
 * Simplified graph convolution (Wu et al. 2019): the message passing is done once on the input features,
 * without weights, so the network itself is a per-token MLP of dense matmuls. Row t of the result holds
 * [x_t, mean_in x, mean_out x, mean_in² x, mean_out² x] with mean over in-/out-neighbour tokens.
 */
export function propagateFeatures(obs: Observation, out: Float32Array, offset: number): void {
  const F = VERTEX_FEATURES;
  const W = PROPAGATED_FEATURES;
  const T = obs.numVertices;
  const { preds, succs } = tokenAdjacency(obs);
  for (let t = 0; t < T; t++) out.set(obs.features.subarray(t * F, (t + 1) * F), offset + t * W);
  // Hop h reads block (h−1) of the same direction (block 0 = own features) and writes its mean.
  const block = (hop: number, dir: 0 | 1) => (hop === 0 ? 0 : F * (1 + 2 * (hop - 1) + dir));
  for (let hop = 1; hop <= PROPAGATION_HOPS; hop++) {
    for (const dir of [0, 1] as const) {
      const from = block(hop - 1, dir);
      const to = block(hop, dir);
      const lists = dir === 0 ? preds : succs;
      for (let t = 0; t < T; t++) {
        const nbrs = lists[t];
        if (nbrs.length === 0) continue;
        const dst = offset + t * W + to;
        for (const u of nbrs) {
          const src = offset + u * W + from;
          for (let k = 0; k < F; k++) out[dst + k] += out[src + k];
        }
        for (let k = 0; k < F; k++) out[dst + k] /= nbrs.length;
      }
    }
  }
}
