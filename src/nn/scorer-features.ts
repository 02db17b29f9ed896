/**
 * The inputs of the `scorer` network, derived from an observation: per legal vertex, the quantities that
 * make the classic heuristics good (Angel's catalogue: cost under the current model, Markowitz degree and
 * their values relative to the cheapest legal vertex, fill-in, in/out degree, position among the legal
 * vertices), and per position a graph-level context (how the forward, reverse and Markowitz orders of the
 * whole graph compare, and episode progress) that tells the scorer when reverse- or forward-like play
 * wins. Everything is read from the observation, so one forward pass per move stays one pass.
 */
import type { Observation } from './network.js';

/** Per-vertex inputs. */
export const SCORER_VERTEX_INPUTS = [
  'cost',
  'cost-over-cheapest',
  'markowitz',
  'markowitz-over-lowest',
  'rank-in-program-order',
  'predecessors',
  'successors',
  'fill-in',
  'is-cheapest',
  'is-lowest-markowitz',
  'input-predecessors',
  'output-successors',
  // 1 on the first (last) legal vertex in program order: a bounded input that, weighted under the
  // forward-wins (reverse-wins) gate, plays the forward (reverse) order exactly, which the continuous
  // rank above cannot do against cost differences of any size.
  'is-first-in-program-order',
  'is-last-in-program-order',
] as const;

/** Per-position context each vertex input is multiplied with (the first is the constant 1). */
export const SCORER_CONTEXT_INPUTS = [
  'one',
  'forward-over-best',
  'reverse-over-best',
  'markowitz-over-best',
  'progress',
  'inputs-over-outputs',
  'forward-wins-by',
  'reverse-wins-by',
  // Step gates: 1 when forward (reverse) beats both other classic orders by any margin. The margins
  // above are continuous and near 0 when the win is narrow, too weak to switch a linear scorer into
  // forward- or reverse-like play where that is what keeps it within a few percent of the best.
  'forward-wins',
  'reverse-wins',
] as const;

/** Inputs of the value head: the context plus a summary of the legal moves. */
export const SCORER_VALUE_INPUTS = [
  ...SCORER_CONTEXT_INPUTS,
  'remaining',
  'sqrt-work-left',
  'mean-cost',
  'min-cost',
] as const;

export const VERTEX_INPUTS = SCORER_VERTEX_INPUTS.length;
export const CONTEXT_INPUTS = SCORER_CONTEXT_INPUTS.length;
export const VALUE_INPUTS = SCORER_VALUE_INPUTS.length;

/** Indices into Observation.features (see src/rl/observation.ts). */
const F_INPUT_PREDS = 0;
const F_OUTPUT = 1;
const F_COST = 3;
const F_PREDS = 4;
const F_SUCCS = 5;
const F_MARKOWITZ = 6;
const F_PROGRESS = 8;

export interface ScorerInputs {
  /** Tokens of the observation (legal or not). */
  readonly tokens: number;
  /** tokens × VERTEX_INPUTS (zero rows for illegal tokens). */
  readonly vertex: Float64Array;
  /** CONTEXT_INPUTS. */
  readonly context: Float64Array;
  /** VALUE_INPUTS. */
  readonly value: Float64Array;
  readonly mask: Uint8Array;
}

export function scorerInputs(obs: Observation, featureCount: number): ScorerInputs {
  const T = obs.numVertices;
  const N = obs.numNodes;
  const F = featureCount;
  const feat = obs.features;
  const mask = obs.mask;
  const tokenOfNode = new Int32Array(N).fill(-1);
  for (let t = 0; t < T; t++) tokenOfNode[obs.numInputs + (obs.vertexIds ? obs.vertexIds[t] : t)] = t;

  let minCost = Infinity;
  let minMarkowitz = Infinity;
  let legalCount = 0;
  let costSum = 0;
  let scaledCostSum = 0;
  for (let t = 0; t < T; t++) {
    if (!mask[t]) continue;
    legalCount++;
    costSum += feat[t * F + F_COST];
    scaledCostSum += Math.expm1(feat[t * F + F_COST]);
    minCost = Math.min(minCost, feat[t * F + F_COST]);
    minMarkowitz = Math.min(minMarkowitz, feat[t * F + F_MARKOWITZ]);
  }
  const vertex = new Float64Array(T * VERTEX_INPUTS);
  let rank = 0;
  const predList = new Int32Array(N);
  // Tokens are in ascending vertex order, so the running count of legal tokens is the program-order rank.
  for (let t = 0; t < T; t++) {
    if (!mask[t]) continue;
    const f = t * F;
    const x = t * VERTEX_INPUTS;
    const edgeRow = t * 2 * N;
    let preds = 0;
    for (let p = 0; p < N; p++) if (obs.edges[edgeRow + p] === 1) predList[preds++] = p;
    let fill = 0;
    let outputSuccs = 0;
    for (let s = 0; s < N; s++) {
      if (obs.edges[edgeRow + N + s] !== 1) continue;
      const st = tokenOfNode[s];
      if (st < 0) continue;
      if (feat[st * F + F_OUTPUT] === 1) outputSuccs++;
      // Successors in the observation are tokens: an edge p → s exists iff s's in-edge row holds p.
      const sRow = st * 2 * N;
      for (let i = 0; i < preds; i++) if (obs.edges[sRow + predList[i]] !== 1) fill++;
    }
    vertex[x] = feat[f + F_COST];
    vertex[x + 1] = feat[f + F_COST] - minCost;
    vertex[x + 2] = feat[f + F_MARKOWITZ];
    vertex[x + 3] = feat[f + F_MARKOWITZ] - minMarkowitz;
    vertex[x + 4] = legalCount > 1 ? rank / (legalCount - 1) : 0;
    vertex[x + 5] = feat[f + F_PREDS];
    vertex[x + 6] = feat[f + F_SUCCS];
    vertex[x + 7] = Math.log1p(fill);
    vertex[x + 8] = feat[f + F_COST] === minCost ? 1 : 0;
    vertex[x + 9] = feat[f + F_MARKOWITZ] === minMarkowitz ? 1 : 0;
    vertex[x + 10] = feat[f + F_INPUT_PREDS];
    vertex[x + 11] = Math.log1p(outputSuccs);
    vertex[x + 12] = rank === 0 ? 1 : 0;
    vertex[x + 13] = rank === legalCount - 1 ? 1 : 0;
    rank++;
  }
  const context = new Float64Array(CONTEXT_INPUTS);
  const c = obs.context;
  context[0] = 1;
  if (c) for (let j = 0; j < 3; j++) context[1 + j] = c[j];
  const progress = T > 0 ? feat[F_PROGRESS] : 1;
  context[4] = progress;
  if (c) {
    context[5] = c[3];
    context[6] = c[4];
    context[7] = c[5];
    context[8] = c[4] > 0 ? 1 : 0;
    context[9] = c[5] > 0 ? 1 : 0;
  }
  const value = new Float64Array(VALUE_INPUTS);
  value.set(context);
  value[CONTEXT_INPUTS] = 1 - progress;
  // The value head regresses transformed returns (≈ −√(work left) under r2d2): legal moves × mean cost.
  value[CONTEXT_INPUTS + 1] = Math.sqrt(scaledCostSum);
  value[CONTEXT_INPUTS + 2] = legalCount > 0 ? costSum / legalCount : 0;
  value[CONTEXT_INPUTS + 3] = legalCount > 0 ? minCost : 0;
  return { tokens: T, vertex, context, value, mask };
}
