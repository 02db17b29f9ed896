/**
 * The policy/value network interface the RL agents use. Implementations live beside this file; the
 * agents see only this interface, so the numeric library behind it can be swapped.
 */

/** Per-vertex scalar features in an observation (built by `src/rl/observation.ts`). */
export const VERTEX_FEATURES = 9;

/** Index of the feature log(1 + cost of eliminating the vertex now / costScale). */
export const COST_FEATURE = 3;

/**
 * What the networks see of one game position: one token per vertex. `edges` holds each vertex's current
 * in- and out-edge pattern over all nodes (the paper's per-vertex columns of the adjacency tensor);
 * `features` holds cheap per-vertex statistics that the cost engine knows anyway.
 */
export interface Observation {
  readonly numInputs: number;
  readonly numVertices: number;
  /** numInputs + numVertices. */
  readonly numNodes: number;
  /**
   * numVertices × 2·numNodes: row v = [1 if node u → v exists, for u in 0..numNodes); then [1 if v → node w
   * exists, for w in 0..numNodes)]. Nodes are numbered inputs first, then vertices. Empty (length 0) in
   * observations built for a network that reads no edge rows (`readsEdgeRows === false`), which then
   * carry `tokenInNeighbours`.
   */
  readonly edges: Float32Array;
  /** numVertices × VERTEX_FEATURES. */
  readonly features: Float32Array;
  /** numVertices: 1 where eliminating that vertex is a legal action. */
  readonly mask: Uint8Array;
  /**
   * When present, the tokens are a subset of the vertices (eliminated ones dropped, which makes late
   * positions cheaper to evaluate): token t is vertex `vertexIds[t]` (0-based), and `numVertices` counts
   * tokens. Logits and policy targets are per token.
   */
  readonly vertexIds?: Int32Array;
  /**
   * Graph-level context, the same at every position of a game: log(forward / best), log(reverse / best),
   * log(Markowitz / best) of the whole graph's classic orders, log(#inputs / #outputs), and by how much
   * (log ratio, else 0) forward and reverse beat the other two orders. Read by the
   * `scorer` network (when reverse- or forward-like play wins); the other architectures ignore it.
   */
  readonly context?: Float32Array;
  /**
   * Optional, what `edges` says about token → token edges, for architectures that read only the
   * adjacency: token t's in-neighbour tokens (ascending) are items[start[t] .. start[t + 1]). The
   * observation builder knows them already; without them they are read from `edges`.
   */
  readonly tokenInNeighbours?: { readonly start: Int32Array; readonly items: Int32Array };
}

/** `scorer`: the shipped generalist, a context-gated linear scorer over heuristic features (scorer.ts). */
export type Architecture = 'transformer' | 'gnn' | 'mlp' | 'scorer';

export interface NetworkConfig {
  readonly architecture: Architecture;
  /** Largest graph the network serves (smaller observations are zero-padded). */
  readonly maxVertices: number;
  readonly maxNodes: number;
  readonly dModel: number;
  /** Transformer blocks, or message-passing rounds for `gnn`. */
  readonly layers: number;
  /** Attention heads (transformer only). */
  readonly heads: number;
  /** Transformer FFN width (unused by `gnn`). */
  readonly ffDim: number;
  readonly policyHidden: readonly number[];
  readonly valueHidden: readonly number[];
  /** Seeds the weight initialisation. */
  readonly seed: number;
  /**
   * `mlp` only: initial weight of a trainable skip from the elimination-cost feature to the logits
   * (logit −= costSkip · log(1 + cost/costScale)); 0 = none, the policy starts uniform-ish.
   */
  readonly costSkip?: number;
  /** gnn only: also embed each vertex's raw edge row (the transformer always does). Default false. */
  readonly edgeProjection?: boolean;
  /**
   * Most observations run through forward/backward at once (gradients accumulate over chunks, which
   * bounds memory); the default depends on maxVertices (see defaultChunk in net.ts).
   */
  readonly trainChunk?: number;
}

export interface Prediction {
  /** Per observation: raw (unmasked) policy logits, one per vertex of that observation. */
  readonly logits: Float32Array[];
  /** Per observation: the value head output (in the learner's transformed value units). */
  readonly values: Float32Array;
}

/** AlphaZero targets: masked cross-entropy against `policyTargets` plus weighted ½(v − target)². */
export interface AlphaZeroBatch {
  readonly observations: readonly Observation[];
  /** Per observation: a distribution over its vertices (0 on illegal ones). */
  readonly policyTargets: readonly Float32Array[];
  readonly valueTargets: Float32Array;
}

/** PPO minibatch: clipped surrogate on the policy, ½(v − return)² on the value, entropy bonus. */
export interface PpoBatch {
  readonly observations: readonly Observation[];
  readonly actions: Int32Array;
  /** log π_old(action | observation) under the masked policy. */
  readonly oldLogProbs: Float32Array;
  readonly advantages: Float32Array;
  readonly returns: Float32Array;
}

export interface TrainOptions {
  readonly learningRate: number;
  /** Global gradient-norm clip (0 = off). */
  readonly clipNorm: number;
}

export interface AlphaZeroTrainOptions extends TrainOptions {
  readonly valueWeight: number;
}

export interface PpoTrainOptions extends TrainOptions {
  readonly clipRatio: number;
  readonly valueWeight: number;
  readonly entropyWeight: number;
}

export interface Losses {
  readonly total: number;
  readonly policy: number;
  readonly value: number;
  readonly entropy?: number;
}

/** Everything needed to resume training bit-for-bit: weights and optimiser moments. */
export interface NetworkState {
  readonly config: NetworkConfig;
  readonly weights: Float32Array[];
  readonly optimizer: { readonly step: number; readonly moments: Float32Array[] };
}

export interface PolicyValueNet {
  readonly config: NetworkConfig;
  readonly parameterCount: number;
  /** false: the network reads only the token adjacency and features, never `edges` (absent = it may). */
  readonly readsEdgeRows?: boolean;
  predict(observations: readonly Observation[]): Prediction;
  trainAlphaZero(batch: AlphaZeroBatch, options: AlphaZeroTrainOptions): Losses;
  trainPpo(batch: PpoBatch, options: PpoTrainOptions): Losses;
  getState(): NetworkState;
  setState(state: NetworkState): void;
  /** Parameters only (what self-play replicas need; no optimiser state). */
  getWeights(): Float32Array[];
  setWeights(weights: readonly Float32Array[]): void;
  dispose(): void;
}
