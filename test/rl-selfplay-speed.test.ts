import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { createNetwork, defaultNetworkConfig } from '../src/nn/create.js';
import type { Observation } from '../src/nn/network.js';
import { AlphagradEngine } from '../src/alphagrad/engine.js';
import { PROPAGATED_FEATURES, propagateFeatures, tokenAdjacency } from '../src/nn/propagation.js';
import { cachingEvaluator, counting, networkEvaluator, perLeafEvaluator } from '../src/rl/evaluators.js';
import { ReplayBuffer } from '../src/rl/replay.js';
import { EliminationGame, type GameState } from '../src/rl/game.js';
import { gumbelSearch, type BatchEvaluator } from '../src/rl/gumbel.js';
import { observe, observeFromEngine } from '../src/rl/observation.js';
import { selfPlay } from '../src/rl/self-play.js';
import { findTask, taskGraph } from '../src/tasks/index.js';
import { randomScalarGraph } from '../src/tasks/random-graphs.js';
import { Rng } from '../src/util/random.js';

function sameObservation(a: Observation, b: Observation, where: string): void {
  assert.equal(a.numVertices, b.numVertices, where);
  assert.deepEqual(a.vertexIds, b.vertexIds, where);
  assert.deepEqual(a.edges, b.edges, `${where}: edges`);
  assert.deepEqual(a.features, b.features, `${where}: features`);
  assert.deepEqual(a.mask, b.mask, `${where}: mask`);
  // The token adjacency `observe` ships must say what the edge rows say, down to the propagated features.
  const { tokenInNeighbours, ...withoutAdjacency } = a;
  assert.ok(tokenInNeighbours, `${where}: observe ships the token adjacency`);
  assert.deepEqual(tokenAdjacency(a), tokenAdjacency(withoutAdjacency), `${where}: adjacency`);
  const shipped = new Float32Array(a.numVertices * PROPAGATED_FEATURES);
  const read = new Float32Array(a.numVertices * PROPAGATED_FEATURES);
  propagateFeatures(a, shipped, 0);
  propagateFeatures(withoutAdjacency, read, 0);
  assert.deepEqual(shipped, read, `${where}: propagated features`);
}

/** A prior that reads the incremental observation and checks it against a fresh read at every leaf. */
function checkingEvaluator(checked: { count: number }): BatchEvaluator {
  return (states) =>
    states.map((s: GameState) => {
      const obs = observe(s);
      sameObservation(obs, observeFromEngine(s), `${s.game.name} after [${s.order.join(',')}]`);
      checked.count++;
      return { logits: Float32Array.from(s.legal, (_, a) => ((a * 7919) % 13) / 13), value: 0 };
    });
}

/** The default mlp sized for the largest of `list`. */
const mlpFor = (list: readonly EliminationGame[], seed: number) =>
  createNetwork({
    ...defaultNetworkConfig(
      'mlp',
      Math.max(...list.map((g) => g.numVertices)),
      Math.max(...list.map((g) => g.numNodes)),
    ),
    seed,
  });

const games = (): EliminationGame[] => [
  new EliminationGame(
    randomScalarGraph({ numInputs: 4, numVertices: 24, numOutputs: 3, seed: 5, noDeadCode: true }),
    'native',
    'scalar',
  ),
  new EliminationGame(taskGraph(findTask('PropaneCombustion')!, 'jaxpr'), 'alphagrad', 'propane'),
  new EliminationGame(taskGraph(findTask('Perceptron')!), 'native', 'perceptron'),
];

describe('incremental observations', () => {
  test('equal a fresh read from the engine at every node of the search trees', () => {
    for (const game of games()) {
      const checked = { count: 0 };
      const evaluate = checkingEvaluator(checked);
      const state = game.initial();
      const rng = new Rng(3);
      // Search from successive positions, so rows are inherited across moves and across tree branches.
      while (!state.terminal) {
        const [outcome] = gumbelSearch(
          [state],
          evaluate,
          { simulations: 8, maxConsidered: 4, gumbelScale: 1, valueScale: 0.1, maxVisitInit: 50 },
          rng,
        );
        state.play(outcome.action);
      }
      assert.ok(checked.count > game.episodeLength, `${game.name}: ${checked.count} checks`);
    }
  });

  test('self-play with a network plays the same games as with fresh observations (same seed)', async () => {
    const list = games().slice(0, 2);
    const net = await mlpFor(list, 1);
    try {
      const search = { simulations: 4, maxConsidered: 4, gumbelScale: 1, valueScale: 0.1, maxVisitInit: 50 };
      const play = (observer: (s: GameState) => Observation) =>
        selfPlay(
          [...list, ...list],
          cachingEvaluator(networkEvaluator(net, 'r2d2', observer)),
          search,
          new Rng(11),
        );
      const fast = play(observe);
      const reference = play(observeFromEngine);
      // What networkEvaluator builds for this network by default: no edge rows, only the adjacency.
      assert.equal(net.readsEdgeRows, false);
      const lean = play((s) => observe(s, { edgeRows: false }));
      assert.deepEqual(
        lean.map((t) => t.policies),
        reference.map((t) => t.policies),
      );
      assert.deepEqual(
        fast.map((t) => t.order),
        reference.map((t) => t.order),
      );
      assert.deepEqual(
        fast.map((t) => t.policies),
        reference.map((t) => t.policies),
      );
      assert.deepEqual(
        fast.map((t) => t.cost),
        reference.map((t) => t.cost),
      );
    } finally {
      net.dispose();
    }
  });
});

/** Every entry of the alphagrad engine's state that a caller can read. */
function engineSnapshot(e: AlphagradEngine): number[] {
  const out: number[] = [];
  for (let v = 1; v <= e.numVertices; v++) {
    out.push(e.isEliminated(v) ? 1 : 0, e.eliminationCost(v), e.markowitzDegree(v));
    for (let p = 0; p < e.numInputs + e.numVertices; p++) out.push(e.edgeType(p, v));
  }
  return out;
}

describe('copy-on-write alphagrad engine', () => {
  test('every state of a random clone tree equals a fresh replay of its order', () => {
    for (const task of ['f', 'Perceptron']) {
      const graph = taskGraph(findTask(task)!, 'jaxpr');
      const root = AlphagradEngine.fromGraph(graph);
      const rng = new Rng(5);
      // Clones branch off clones and parents keep playing after being cloned, as in a search tree.
      const nodes: { engine: AlphagradEngine; order: number[]; cost: number }[] = [
        { engine: root, order: [], cost: 0 },
      ];
      for (let step = 0; step < 120; step++) {
        const from = nodes[rng.int(0, nodes.length - 1)];
        const legal = graph.vertices.map((_, i) => i + 1).filter((v) => !from.engine.isEliminated(v));
        if (legal.length === 0) continue;
        const v = legal[rng.int(0, legal.length - 1)];
        const child = rng.float() < 0.8 ? from.engine.clone() : from.engine.clone(false);
        const node = { engine: child, order: [...from.order, v], cost: from.cost + child.eliminate(v) };
        nodes.push(node);
        if (rng.float() < 0.2) {
          // The parent moves on in place after the clone (self-play plays the searched root).
          const w = legal[rng.int(0, legal.length - 1)];
          from.cost += from.engine.eliminate(w);
          from.order.push(w);
        }
      }
      for (const { engine, order, cost } of nodes) {
        const fresh = AlphagradEngine.fromGraph(graph);
        const replayed = order.reduce((c, v) => c + fresh.eliminate(v), 0);
        assert.equal(cost, replayed, `${task} [${order.join(',')}]: cost`);
        assert.deepEqual(engineSnapshot(engine), engineSnapshot(fresh), `${task} [${order.join(',')}]`);
      }
    }
  });
});

describe('batched evaluation across games', () => {
  test('plays the games and trains the weights that one network call per leaf does (same seed)', async () => {
    const list = games().slice(1, 3);
    const net = await mlpFor(list, 2);
    const start = net.getState();
    const search = { simulations: 4, maxConsidered: 4, gumbelScale: 1, valueScale: 0.1, maxVisitInit: 50 };
    // Two episodes of self-play and AlphaZero updates, as the trainer runs them.
    const run = (batched: boolean) => {
      net.setState(start);
      const rng = new Rng(13);
      const replay = new ReplayBuffer(2);
      const orders: number[][] = [];
      const calls: number[] = [];
      for (let episode = 0; episode < 2; episode++) {
        const network = counting(networkEvaluator(net, 'r2d2'));
        let batches = 0;
        const evaluate = batched
          ? network.evaluate
          : perLeafEvaluator((states) => (batches++, network.evaluate(states)));
        const played = selfPlay([...list, ...list], cachingEvaluator(evaluate), search, rng);
        orders.push(...played.map((t) => t.order));
        calls.push(batched ? 0 : batches - network.count());
        replay.add(played);
        net.trainAlphaZero(replay.sample(32, rng, 'r2d2'), {
          learningRate: 1e-2,
          clipNorm: 1,
          valueWeight: 1,
        });
      }
      return { orders, weights: net.getWeights(), calls };
    };
    try {
      const batched = run(true);
      const perLeaf = run(false);
      // The per-leaf path really made one network call per position.
      assert.deepEqual(perLeaf.calls, [0, 0]);
      assert.deepEqual(batched.orders, perLeaf.orders);
      assert.deepEqual(batched.weights, perLeaf.weights);
      assert.notDeepEqual(batched.weights, start.weights, 'training moved the weights');
    } finally {
      net.dispose();
    }
  });
});

describe('caching evaluator', () => {
  test('returns what the inner evaluator says of each position, evaluating each distinct one once', () => {
    // Order-independent (scalar, bit-matrix engine) and order-dependent (alphagrad engine on tensors) games.
    const scalar = games()[0];
    const tensor = new EliminationGame(taskGraph(findTask('Perceptron')!), 'alphagrad', 'perceptron-ag');
    assert.ok(scalar.problem.orderIndependent && !tensor.problem.orderIndependent);
    const fingerprint = (s: GameState): number => {
      const ids = s.game.problem.orderIndependent ? [...s.order].sort((a, b) => a - b) : s.order;
      return ids.reduce((h, v) => (h * 31 + v) % 1_000_003, s.game.numVertices);
    };
    let inner = 0;
    const cached = cachingEvaluator((states) => {
      inner += states.length;
      return states.map((s) => ({ logits: new Float32Array(s.legal.length), value: -fingerprint(s) }));
    });
    const rng = new Rng(9);
    const seen = new Set<string>();
    for (let k = 0; k < 200; k++) {
      const game = k % 2 ? scalar : tensor;
      let state = game.initial();
      // Short random prefixes, so positions repeat (in other orders, too).
      const depth = rng.int(0, 3);
      for (let d = 0; d < depth; d++) {
        const legal = state.legalActions();
        state = state.next(legal[rng.int(0, Math.min(3, legal.length - 1))]);
      }
      const batch = [state, state.clone()];
      const out = cached(batch);
      for (const e of out) assert.equal(e.value, -fingerprint(state));
      const ids = game.problem.orderIndependent ? [...state.order].sort((a, b) => a - b) : state.order;
      seen.add(`${game.name}:${ids.join(',')}`);
    }
    assert.equal(inner, seen.size, 'one inner evaluation per distinct position');
    assert.ok(cached.hits() > 200);
  });
});
