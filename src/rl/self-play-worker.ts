/**
 * A self-play worker thread: rebuilds the games from JSON and a network replica from its config, then,
 * per request, loads the trainer's current weights and plays its share of the episode's games with the
 * same batched Gumbel search as the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { graphFromJson } from '../graph/serialize.js';
import { Rng } from '../util/random.js';
import { cachingEvaluator, counting, networkEvaluator } from './evaluators.js';
import { BestTracker } from './agent.js';
import { EliminationGame } from './game.js';
import { selfPlay } from './self-play.js';
import type { PlayRequest, PlayResult, SelfPlaySetup, TerminalOrder } from './self-play-pool.js';

const setup = workerData as SelfPlaySetup;
const port = parentPort;

async function main(): Promise<void> {
  if (!port) return;
  const { createNetwork } = await import('../nn/create.js');
  const games = setup.games.map((g) => new EliminationGame(graphFromJson(g.graph), g.costModel, g.name));
  const net = await createNetwork(setup.network);
  port.on('message', (request: PlayRequest) => {
    try {
      net.setWeights(request.weights);
      const network = counting(networkEvaluator(net, setup.valueTransform));
      const evaluate = cachingEvaluator(network.evaluate);
      const best = new BestTracker();
      const trajectories = selfPlay(
        request.games.map((i) => games[i]),
        evaluate,
        setup.search,
        new Rng(request.seed),
        (s) => best.offer(s),
      );
      const terminals: TerminalOrder[] = best.entries().map(([name, b]) => ({
        game: games.findIndex((g) => g.name === name),
        order: b.order,
        cost: b.multiplications,
      }));
      const result: PlayResult = {
        kind: 'played',
        trajectories: trajectories.map((t, k) => ({
          game: request.games[k],
          order: t.order,
          policies: t.policies,
          stepCosts: t.stepCosts,
        })),
        terminals,
        evaluations: network.count(),
      };
      port.postMessage(result);
    } catch (err) {
      port.postMessage({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
    }
  });
  port.postMessage({ kind: 'ready' });
}

main().catch((err: unknown) => port?.postMessage({ kind: 'failed', message: String(err) }));
