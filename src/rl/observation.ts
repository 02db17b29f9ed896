import { VERTEX_FEATURES, type Observation } from '../nn/network.js';
import type { EliminationGame, GameState } from './game.js';

export interface ObserveOptions {
  /**
   * Whether to build the numVertices × 2·numNodes edge rows (default true). Networks that read only the
   * token adjacency (`readsEdgeRows === false`) skip them: the largest part of an observation.
   */
  readonly edgeRows?: boolean;
}

/**
 * The tokens are the vertices not yet eliminated (eliminated ones have no edges left to look at, and
 * dropping them makes late positions cheaper to evaluate); `vertexIds` maps tokens to vertices.
 * Features per token: log(1 + #input predecessors), output, legal, log(1 + cost of eliminating it now /
 * costScale), log(1 + #preds), log(1 + #succs), log(1 + Markowitz degree), position in program order,
 * episode progress. Costs are divided by the game's cost scale so one network sees similar magnitudes on
 * every graph.
 */
export function observe(state: GameState, options: ObserveOptions = {}): Observation {
  const { game, engine, legal, rows } = state;
  const { numInputs, numVertices: V, numNodes: N, costScale, isOutput } = game;
  const eliminated = new Uint8Array(V);
  for (const id of state.order) eliminated[id - 1] = 1;
  const ids: number[] = [];
  for (let v = 0; v < V; v++) if (!eliminated[v]) ids.push(v);
  const T = ids.length;
  const F = VERTEX_FEATURES;
  const withEdges = options.edgeRows ?? true;
  const edges = new Float32Array(withEdges ? T * 2 * N : 0);
  const features = new Float32Array(T * F);
  const mask = new Uint8Array(T);
  const progress = state.order.length / Math.max(1, game.episodeLength);
  const tokenOf = new Int32Array(V).fill(-1);
  for (let t = 0; t < T; t++) tokenOf[ids[t]] = t;
  const inStart = new Int32Array(T + 1);
  const inItems: number[] = [];
  for (let t = 0; t < T; t++) {
    const v = ids[t];
    const row = rows.get(v, engine, numInputs, legal[v] === 1);
    const e = t * 2 * N;
    let inputPreds = 0;
    for (const u of row.predecessors) {
      if (withEdges) edges[e + u] = 1;
      if (u < numInputs) inputPreds++;
      else if (tokenOf[u - numInputs] >= 0) inItems.push(tokenOf[u - numInputs]);
    }
    inStart[t + 1] = inItems.length;
    // Out-edges to vertices that are still tokens (an eliminated output keeps its in-edges as its own
    // Jacobian block, but it is no longer a token).
    let succs = 0;
    for (const w of row.successors) {
      if (eliminated[w - numInputs]) continue;
      if (withEdges) edges[e + N + w] = 1;
      succs++;
    }
    const f = t * F;
    mask[t] = legal[v];
    features[f] = Math.log1p(inputPreds);
    features[f + 1] = isOutput[v];
    features[f + 2] = legal[v];
    if (legal[v]) {
      features[f + 3] = Math.log1p(row.cost / costScale);
      features[f + 6] = Math.log1p(row.markowitz);
    }
    features[f + 4] = Math.log1p(row.predecessors.length);
    features[f + 5] = Math.log1p(succs);
    features[f + 7] = V > 1 ? v / (V - 1) : 0;
    features[f + 8] = progress;
  }
  return {
    numInputs,
    numVertices: T,
    numNodes: N,
    edges,
    features,
    mask,
    vertexIds: Int32Array.from(ids),
    context: gameContext(game),
    tokenInNeighbours: { start: inStart, items: Int32Array.from(inItems) },
  };
}

/**
 * The same observation read afresh from the engine for every vertex: the reference `observe` must agree
 * with (tests), and the "before" of the self-play benchmark.
 */
export function observeFromEngine(state: GameState): Observation {
  const { game, engine, legal } = state;
  const { numInputs, numVertices: V, numNodes: N, costScale, isOutput } = game;
  const eliminated = new Uint8Array(V);
  for (const id of state.order) eliminated[id - 1] = 1;
  const ids: number[] = [];
  for (let v = 0; v < V; v++) if (!eliminated[v]) ids.push(v);
  const T = ids.length;
  const tokenOf = new Int32Array(V).fill(-1);
  ids.forEach((v, t) => (tokenOf[v] = t));
  const edges = new Float32Array(T * 2 * N);
  const preds = new Int32Array(T);
  const inputPreds = new Int32Array(T);
  const succs = new Int32Array(T);
  for (let t = 0; t < T; t++) {
    const node = numInputs + ids[t];
    for (const u of engine.predecessors(node)) {
      edges[t * 2 * N + u] = 1;
      preds[t]++;
      if (u < numInputs) inputPreds[t]++;
    }
    // Out-edges to vertices that are still tokens (an eliminated output keeps its in-edges as its own
    // Jacobian block, but it is no longer a token).
    for (const w of engine.successors(node)) {
      if (tokenOf[w - numInputs] < 0) continue;
      edges[t * 2 * N + N + w] = 1;
      succs[t]++;
    }
  }
  const F = VERTEX_FEATURES;
  const features = new Float32Array(T * F);
  const mask = new Uint8Array(T);
  const progress = state.order.length / Math.max(1, game.episodeLength);
  for (let t = 0; t < T; t++) {
    const v = ids[t];
    const f = t * F;
    mask[t] = legal[v];
    features[f] = Math.log1p(inputPreds[t]);
    features[f + 1] = isOutput[v];
    features[f + 2] = legal[v];
    if (legal[v]) {
      features[f + 3] = Math.log1p(engine.eliminationCost(v + 1) / costScale);
      features[f + 6] = Math.log1p(engine.markowitzDegree(v + 1));
    }
    features[f + 4] = Math.log1p(preds[t]);
    features[f + 5] = Math.log1p(succs[t]);
    features[f + 7] = V > 1 ? v / (V - 1) : 0;
    features[f + 8] = progress;
  }
  return {
    numInputs,
    numVertices: T,
    numNodes: N,
    edges,
    features,
    mask,
    vertexIds: Int32Array.from(ids),
    context: gameContext(game),
  };
}

/** Token logits spread back over all vertices (dropped vertices get 0; they are illegal anyway). */
export function vertexLogits(
  obs: Observation,
  tokenLogits: ArrayLike<number>,
  numVertices: number,
): Float32Array {
  const out = new Float32Array(numVertices);
  for (let t = 0; t < obs.numVertices; t++) out[obs.vertexIds ? obs.vertexIds[t] : t] = tokenLogits[t];
  return out;
}

/** A distribution over vertices restricted to the observation's tokens. */
export function tokenPolicy(obs: Observation, policy: ArrayLike<number>): Float32Array {
  return Float32Array.from(
    { length: obs.numVertices },
    (_, t) => policy[obs.vertexIds ? obs.vertexIds[t] : t],
  );
}

/** The token of a vertex (0-based), or −1 when it is not a token. */
export function tokenOfVertex(obs: Observation, vertex: number): number {
  return obs.vertexIds ? obs.vertexIds.indexOf(vertex) : vertex;
}

const contexts = new WeakMap<EliminationGame, Float32Array>();

/** Observation.context of a game (computed once per game; the same array is shared by its observations). */
export function gameContext(game: EliminationGame): Float32Array {
  let context = contexts.get(game);
  if (!context) {
    const { forward, reverse, markowitz } = game.baselines;
    const best = Math.max(1, game.bestBaseline);
    let outputs = 0;
    for (const o of game.isOutput) outputs += o;
    context = Float32Array.from([
      Math.log(Math.max(1, forward) / best),
      Math.log(Math.max(1, reverse) / best),
      Math.log(Math.max(1, markowitz) / best),
      Math.log(Math.max(1, game.numInputs) / Math.max(1, outputs)),
      // How far forward (reverse) beats the other two orders; 0 when it does not win.
      Math.max(0, Math.log(Math.max(1, Math.min(reverse, markowitz)) / Math.max(1, forward))),
      Math.max(0, Math.log(Math.max(1, Math.min(forward, markowitz)) / Math.max(1, reverse))),
    ]);
    contexts.set(game, context);
  }
  return context;
}
