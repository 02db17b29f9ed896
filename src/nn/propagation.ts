import { VERTEX_FEATURES, type Observation } from './network.js';

/** Hops of feature propagation the `mlp` architecture sees (in each direction). */
export const PROPAGATION_HOPS = 2;

/** Features per token after propagation: own, then per hop the in- and out-neighbour means. */
export const PROPAGATED_FEATURES = VERTEX_FEATURES * (1 + 2 * PROPAGATION_HOPS);

/** Neighbour lists of every token in one flat array: token t's are items[start[t] .. start[t + 1]). */
export interface TokenLists {
  readonly start: Int32Array;
  readonly items: Int32Array;
}

/**
 * Vertex-to-vertex adjacency of an observation's tokens: token t's in-neighbour tokens and out-neighbour
 * tokens, ascending. Tokens are vertices (`vertexIds` maps them when the observation drops some). Taken
 * from `tokenInNeighbours` when the observation carries it, else read from the edge rows.
 */
export function tokenAdjacency(obs: Observation): { preds: TokenLists; succs: TokenLists } {
  const preds = obs.tokenInNeighbours ?? inNeighboursFromEdges(obs);
  return { preds, succs: reversed(preds, obs.numVertices) };
}

function inNeighboursFromEdges(obs: Observation): TokenLists {
  const { numVertices: T, numNodes: N, numInputs, edges } = obs;
  if (edges.length !== T * 2 * N)
    throw new Error('tokenAdjacency: observation with neither edge rows nor adjacency');
  // Token of each vertex node (−1: not a token), so a row's in-part is scanned once.
  const tokenOfNode = new Int32Array(N).fill(-1);
  for (let t = 0; t < T; t++) tokenOfNode[numInputs + (obs.vertexIds ? obs.vertexIds[t] : t)] = t;
  const start = new Int32Array(T + 1);
  const items: number[] = [];
  for (let t = 0; t < T; t++) {
    const row = t * 2 * N;
    for (let node = numInputs; node < N; node++) {
      const u = tokenOfNode[node];
      if (u >= 0 && edges[row + node] !== 0) items.push(u);
    }
    start[t + 1] = items.length;
  }
  return { start, items: Int32Array.from(items) };
}

/** The transposed lists: w's entries are the tokens t that list w, ascending. */
function reversed(lists: TokenLists, T: number): TokenLists {
  const { start, items } = lists;
  const out = new Int32Array(T + 1);
  for (let j = 0; j < items.length; j++) out[items[j] + 1]++;
  for (let t = 0; t < T; t++) out[t + 1] += out[t];
  const next = out.slice(0, T);
  const outItems = new Int32Array(items.length);
  for (let t = 0; t < T; t++) for (let j = start[t]; j < start[t + 1]; j++) outItems[next[items[j]]++] = t;
  return { start: out, items: outItems };
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
  const features = obs.features;
  for (let t = 0; t < T; t++) for (let k = 0; k < F; k++) out[offset + t * W + k] = features[t * F + k];
  // Hop h reads block (h−1) of the same direction (block 0 = own features) and writes its mean.
  const block = (hop: number, dir: number) => (hop === 0 ? 0 : F * (1 + 2 * (hop - 1) + dir));
  for (let hop = 1; hop <= PROPAGATION_HOPS; hop++) {
    for (let dir = 0; dir < 2; dir++) {
      const from = offset + block(hop - 1, dir);
      const to = offset + block(hop, dir);
      const { start, items } = dir === 0 ? preds : succs;
      for (let t = 0; t < T; t++) {
        const a = start[t];
        const b = start[t + 1];
        if (a === b) continue;
        for (let k = 0; k < F; k++) {
          // Rounded to float32 after every addition: the sum a Float32Array accumulator would hold.
          let sum = 0;
          for (let j = a; j < b; j++) sum = Math.fround(sum + out[from + items[j] * W + k]);
          out[to + t * W + k] = sum / (b - a);
        }
      }
    }
  }
}
