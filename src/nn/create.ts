import { initBackend } from './backend.js';
import { buildGnn } from './gnn.js';
import { buildPropagatedMlp } from './mlp.js';
import { TfPolicyValueNet } from './net.js';
import { ScorerNet } from './scorer.js';
import type { Architecture, NetworkConfig, PolicyValueNet } from './network.js';
import { buildTransformer } from './transformer.js';

/** Initialises the tfjs wasm backend (once) and builds the network with weights drawn from `config.seed`. */
export async function createNetwork(config: NetworkConfig): Promise<PolicyValueNet> {
  if (config.architecture === 'scorer') return new ScorerNet(config);
  await initBackend();
  const build = { transformer: buildTransformer, gnn: buildGnn, mlp: buildPropagatedMlp }[
    config.architecture
  ];
  const model = build(config);
  return new TfPolicyValueNet(config, model);
}

/**
 * ffDim is the transformer's FFN width (the gnn has no FFN). Sizes that fit a 2-core CPU: the paper's d = 64 with fewer transformer layers (2 instead of 6) and
 * smaller heads ([128] / [128, 64] instead of [256, 128] / [256, 128, 64]).
 */
export function defaultNetworkConfig(
  architecture: Architecture,
  maxVertices: number,
  maxNodes: number,
  overrides: Partial<NetworkConfig> = {},
): NetworkConfig {
  const base: NetworkConfig = {
    architecture,
    maxVertices,
    maxNodes,
    dModel: architecture === 'mlp' ? 32 : 64,
    layers: architecture === 'gnn' ? 3 : 2,
    heads: 4,
    ffDim: architecture === 'mlp' ? 64 : 128,
    policyHidden: architecture === 'mlp' ? [32] : [128],
    valueHidden: architecture === 'mlp' ? [32] : [128, 64],
    seed: 0,
    ...(architecture === 'mlp' ? { costSkip: 2 } : {}),
  };
  return { ...base, ...overrides };
}
