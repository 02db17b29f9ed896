/**
 * The generalist policy shipped with the package (data/generalist.json): one small network trained across
 * a corpus of generated graphs (bench/generalist/train.ts), usable on any graph at once. It is a `scorer`
 * (src/nn/scorer.ts): a context-gated linear score over heuristic per-vertex features, so its weights do
 * not depend on the graph's size, it runs without the optional numeric library, and one forward pass per
 * move is a few microseconds per vertex.
 */
import { readFileSync } from 'node:fs';

import type { VertexId } from '../graph/graph.js';
import { CrosscountryError } from '../graph/errors.js';
import type { PolicyValueNet } from '../nn/network.js';
import { SCORER_PARAMETERS, SCORER_POLICY_PARAMETERS, ScorerNet, scorerConfig } from '../nn/scorer.js';
import { decodeFloats, encodeFloats } from './agent.js';
import type { EliminationGame } from './game.js';
import { observe } from './observation.js';
import type { ValueTransformName } from './value-transform.js';

/** What data/generalist.json holds. */
export interface GeneralistFile {
  readonly format: 'crosscountry-generalist/3';
  readonly architecture: 'scorer';
  readonly valueTransform: ValueTransformName;
  /** Parameter arrays, base64 little-endian float32, in the network's parameter order. */
  readonly weights: string[];
  /**
   * Multiplies the policy logits when the policy is the prior of a search (greedy play is unaffected: an
   * argmax does not see a positive scale). Fitted by bench/generalist/calibrate.ts; absent = 1.
   */
  readonly searchScale?: number;
  /** How it was trained (corpus seed, steps, …): provenance, not read back. */
  readonly training: Readonly<Record<string, unknown>>;
}

export const GENERALIST_PATH = new URL('../../data/generalist.json', import.meta.url);

export function generalistFile(
  net: PolicyValueNet,
  valueTransform: ValueTransformName,
  training: Readonly<Record<string, unknown>>,
): GeneralistFile {
  return {
    format: 'crosscountry-generalist/3',
    architecture: 'scorer',
    valueTransform,
    weights: net.getWeights().map(encodeFloats),
    training,
  };
}

export function readGeneralist(path: string | URL = GENERALIST_PATH): GeneralistFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CrosscountryError(`cannot read the generalist policy ${String(path)}: ${(e as Error).message}`);
  }
  const file = parsed as Partial<GeneralistFile>;
  if (file.format !== 'crosscountry-generalist/3' || !Array.isArray(file.weights)) {
    throw new CrosscountryError(`${String(path)} is not a crosscountry generalist policy (format 3)`);
  }
  return file as GeneralistFile;
}

/** A fresh network of the generalist's shape (all weights 0: a uniform policy), sized for `games`. */
export function generalistShapedNetwork(games: readonly EliminationGame[]): ScorerNet {
  return new ScorerNet(
    scorerConfig(Math.max(...games.map((g) => g.numVertices)), Math.max(...games.map((g) => g.numNodes))),
  );
}

/**
 * The shipped policy (or the one in `path`), sized for the largest of `games`. `searchScale` (default: the
 * file's) multiplies the policy weights, so the prior a search samples from is as sharp as calibrated and
 * fine-tuning continues from those weights.
 */
export async function loadGeneralist(
  games: readonly EliminationGame[],
  path: string | URL = GENERALIST_PATH,
  searchScale?: number,
): Promise<{ net: PolicyValueNet; valueTransform: ValueTransformName }> {
  const file = readGeneralist(path);
  const net = generalistShapedNetwork(games);
  const weights = file.weights.map(decodeFloats);
  if (weights.length !== 1 || weights[0].length !== SCORER_PARAMETERS)
    throw new CrosscountryError(`${String(path)}: expected ${SCORER_PARAMETERS} scorer parameters`);
  const scale = searchScale ?? file.searchScale ?? 1;
  if (!(scale > 0)) throw new CrosscountryError(`${String(path)}: searchScale must be positive`);
  for (let i = 0; i < SCORER_POLICY_PARAMETERS; i++) weights[0][i] *= scale;
  net.setWeights(weights);
  return { net, valueTransform: file.valueTransform };
}

export interface GreedyResult {
  readonly order: VertexId[];
  readonly multiplications: number;
  /** Network forward passes (one per move). */
  readonly evaluations: number;
}

/** Plays the policy greedily: at each move the legal vertex with the highest logit. No search. */
export function greedyOrder(net: PolicyValueNet, game: EliminationGame): GreedyResult {
  const state = game.initial();
  let evaluations = 0;
  while (!state.terminal) {
    const obs = observe(state);
    const logits = net.predict([obs]).logits[0];
    evaluations++;
    let best = -1;
    for (let t = 0; t < obs.numVertices; t++) {
      if (obs.mask[t] === 1 && (best < 0 || logits[t] > logits[best])) best = t;
    }
    state.play(obs.vertexIds ? obs.vertexIds[best] : best);
  }
  return { order: [...state.order], multiplications: state.cost, evaluations };
}
