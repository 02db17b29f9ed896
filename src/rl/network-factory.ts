import type { Architecture, NetworkConfig, PolicyValueNet } from '../nn/network.js';
import type { EliminationGame } from './game.js';

/** Sizes a user may change; the rest follows from the graphs and the seed. */
export type NetworkOverrides = Partial<
  Omit<NetworkConfig, 'architecture' | 'maxVertices' | 'maxNodes' | 'seed'>
>;

export interface NetworkChoice {
  readonly architecture: Architecture;
  readonly network: NetworkOverrides;
  readonly seed: number;
}

/**
 * A network sized for the largest of the graphs (smaller ones are padded). The numeric library is
 * imported here, lazily, so commands that never train do not pay its start-up.
 */
export async function networkFor(
  games: readonly EliminationGame[],
  choice: NetworkChoice,
): Promise<PolicyValueNet> {
  const { createNetwork, defaultNetworkConfig } = await import('../nn/create.js');
  const maxVertices = Math.max(...games.map((g) => g.numVertices));
  const maxNodes = Math.max(...games.map((g) => g.numNodes));
  return createNetwork({
    ...defaultNetworkConfig(choice.architecture, maxVertices, maxNodes, choice.network),
    seed: choice.seed,
  });
}
