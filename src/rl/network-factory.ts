import { CrosscountryError } from '../graph/errors.js';
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
  const { createNetwork, defaultNetworkConfig } = await networkModule();
  const maxVertices = Math.max(...games.map((g) => g.numVertices));
  const maxNodes = Math.max(...games.map((g) => g.numNodes));
  return createNetwork({
    ...defaultNetworkConfig(choice.architecture, maxVertices, maxNodes, choice.network),
    seed: choice.seed,
  });
}

/**
 * The network code, or one clear error when the optional @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm
 * (peer dependencies of the package) are not installed.
 */
export async function networkModule(): Promise<typeof import('../nn/create.js')> {
  try {
    return await import('../nn/create.js');
  } catch (e) {
    const missing = /@tensorflow\/[\w-]+/.exec(String((e as Error).message))?.[0];
    if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && missing)
      throw new CrosscountryError(
        `the networks need the optional packages @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm (${missing} is not installed): npm install @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0`,
      );
    throw e;
  }
}
