import { VERTEX_FEATURES, type Observation } from '../nn/network.js';
import type { GameState } from './game.js';

/**
 * Features per vertex: eliminated, output, legal, log(1 + cost of eliminating it now / costScale),
 * log(1 + #preds), log(1 + #succs), log(1 + Markowitz degree), position in program order, episode progress.
 * Costs are divided by the game's cost scale so one network sees similar magnitudes on every graph.
 */
export function observe(state: GameState): Observation {
  const { game, engine, legal } = state;
  const { numInputs, numVertices: V, numNodes: N, costScale, isOutput } = game;
  const edges = new Float32Array(V * 2 * N);
  const preds = new Int32Array(V);
  const succs = new Int32Array(V);
  for (let w = 0; w < V; w++) {
    const target = numInputs + w;
    for (let u = 0; u < N; u++) {
      if (!engine.hasEdge(u, target)) continue;
      edges[w * 2 * N + u] = 1;
      preds[w]++;
      if (u >= numInputs) {
        edges[(u - numInputs) * 2 * N + N + target] = 1;
        succs[u - numInputs]++;
      }
    }
  }
  const F = VERTEX_FEATURES;
  const features = new Float32Array(V * F);
  const eliminated = new Uint8Array(V);
  for (const id of state.order) eliminated[id - 1] = 1;
  const progress = state.order.length / Math.max(1, game.episodeLength);
  for (let v = 0; v < V; v++) {
    const f = v * F;
    features[f] = eliminated[v];
    features[f + 1] = isOutput[v];
    features[f + 2] = legal[v];
    if (legal[v]) {
      features[f + 3] = Math.log1p(engine.eliminationCost(v + 1) / costScale);
      features[f + 6] = Math.log1p(engine.markowitzDegree(v + 1));
    }
    features[f + 4] = Math.log1p(preds[v]);
    features[f + 5] = Math.log1p(succs[v]);
    features[f + 7] = V > 1 ? v / (V - 1) : 0;
    features[f + 8] = progress;
  }
  return { numInputs, numVertices: V, numNodes: N, edges, features, mask: legal.slice() };
}
