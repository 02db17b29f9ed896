/**
 * The generalist policy shipped with the package (data/generalist.json): one policy/value network trained
 * across a corpus of generated graphs (bench/generalist/train.ts), usable on any graph at once. The `mlp`
 * architecture reads only per-vertex features propagated over the graph, so its weights do not depend on
 * the graph's size: the same weights serve a network padded to whatever graph it is asked about.
 */
import { readFileSync } from 'node:fs';

import type { VertexId } from '../graph/graph.js';
import { CrosscountryError } from '../graph/errors.js';
import type { NetworkConfig, PolicyValueNet } from '../nn/network.js';
import { decodeFloats, encodeFloats } from './agent.js';
import type { EliminationGame } from './game.js';
import { networkModule } from './network-factory.js';
import { observe } from './observation.js';
import type { ValueTransformName } from './value-transform.js';

/** The network sizes of the shipped policy (maxVertices/maxNodes are set per use). */
export type GeneralistNetwork = Omit<NetworkConfig, 'maxVertices' | 'maxNodes'>;

export const GENERALIST_NETWORK: GeneralistNetwork = {
  architecture: 'mlp',
  dModel: 48,
  layers: 3,
  heads: 1,
  ffDim: 96,
  policyHidden: [48],
  valueHidden: [48],
  seed: 0,
  costSkip: 2,
};

/** What data/generalist.json holds. */
export interface GeneralistFile {
  readonly format: 'crosscountry-generalist/1';
  readonly network: GeneralistNetwork;
  readonly valueTransform: ValueTransformName;
  /** Parameter arrays, base64 little-endian float32, in the network's parameter order. */
  readonly weights: string[];
  /** How it was trained (corpus seed, steps, …): provenance, not read back. */
  readonly training: Readonly<Record<string, unknown>>;
}

export const GENERALIST_PATH = new URL('../../data/generalist.json', import.meta.url);

export function generalistFile(
  net: PolicyValueNet,
  valueTransform: ValueTransformName,
  training: Readonly<Record<string, unknown>>,
): GeneralistFile {
  const { maxVertices: _v, maxNodes: _n, ...network } = net.config;
  return {
    format: 'crosscountry-generalist/1',
    network,
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
  if (file.format !== 'crosscountry-generalist/1' || !Array.isArray(file.weights) || !file.network) {
    throw new CrosscountryError(`${String(path)} is not a crosscountry generalist policy`);
  }
  return file as GeneralistFile;
}

/** A fresh (untrained) network of the generalist's shape, padded for the largest of `games`. */
export async function generalistShapedNetwork(
  games: readonly EliminationGame[],
  network: GeneralistNetwork = GENERALIST_NETWORK,
): Promise<PolicyValueNet> {
  const { createNetwork } = await networkModule();
  return createNetwork({
    ...network,
    maxVertices: Math.max(...games.map((g) => g.numVertices)),
    maxNodes: Math.max(...games.map((g) => g.numNodes)),
  });
}

/** The shipped policy (or the one in `path`), sized for the largest of `games`. */
export async function loadGeneralist(
  games: readonly EliminationGame[],
  path: string | URL = GENERALIST_PATH,
): Promise<{ net: PolicyValueNet; valueTransform: ValueTransformName }> {
  const file = readGeneralist(path);
  const net = await generalistShapedNetwork(games, file.network);
  net.setWeights(file.weights.map(decodeFloats));
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
