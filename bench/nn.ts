/**
 * Policy/value network speed on this machine: median ms of predict at batch 1, 8, 32 and of one AlphaZero
 * train step at batch 256 and 1024, for realistic graph sizes. Usage: tsx bench/nn.ts [name filter] [runs].
 * Synthetic full-size observations (every token real) are the worst case for padding.
 */
import { createNetwork, defaultNetworkConfig } from '../src/nn/create.js';
import { VERTEX_FEATURES, type NetworkConfig, type Observation } from '../src/nn/network.js';
import { Rng } from '../src/util/random.js';

/** Random DAG with about 3 predecessors per vertex, 70 % legal vertices. */
function observation(numInputs: number, numVertices: number, rng: Rng): Observation {
  const N = numInputs + numVertices;
  const edges = new Float32Array(numVertices * 2 * N);
  for (let v = 0; v < numVertices; v++) {
    const target = numInputs + v;
    for (let k = 0; k < 3; k++) {
      const u = rng.int(0, target - 1);
      edges[v * 2 * N + u] = 1;
      if (u >= numInputs) edges[(u - numInputs) * 2 * N + N + target] = 1;
    }
  }
  const features = Float32Array.from({ length: numVertices * VERTEX_FEATURES }, () => rng.float());
  const mask = Uint8Array.from({ length: numVertices }, () => (rng.float() < 0.7 ? 1 : 0));
  return { numInputs, numVertices, numNodes: N, edges, features, mask };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function time(runs: number, fn: () => void): number {
  fn(); // warm-up (kernel setup, allocation)
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

const cases: [string, NetworkConfig][] = [
  [
    'transformer 2L ff128 V100/N110',
    defaultNetworkConfig('transformer', 100, 110, { layers: 2, ffDim: 128 }),
  ],
  [
    'transformer 2L ff128 V146/N162',
    defaultNetworkConfig('transformer', 146, 162, { layers: 2, ffDim: 128 }),
  ],
  [
    'transformer 4L ff256 V146/N162',
    defaultNetworkConfig('transformer', 146, 162, { layers: 4, ffDim: 256 }),
  ],
  ['gnn 3R V100/N110', defaultNetworkConfig('gnn', 100, 110, { layers: 3 })],
  ['gnn 3R V146/N162', defaultNetworkConfig('gnn', 146, 162, { layers: 3 })],
  ['gnn+edgeproj 3R V146/N162', defaultNetworkConfig('gnn', 146, 162, { layers: 3, edgeProjection: true })],
];

const filter = process.argv[2] ?? '';
const runs = Number(process.argv[3] ?? 5);
const options = { learningRate: 1e-3, clipNorm: 1, valueWeight: 1 };
console.log(`median ms over ${runs} runs after 1 warm-up`);
console.log('case | params | predict B=1 | B=8 | B=32 | train B=256 | train B=1024');
for (const [name, config] of cases) {
  if (!name.includes(filter)) continue;
  const net = await createNetwork(config);
  const rng = new Rng(1);
  const pool = Array.from({ length: 1024 }, () =>
    observation(config.maxNodes - config.maxVertices, config.maxVertices, rng),
  );
  const row: string[] = [name, String(net.parameterCount)];
  for (const b of [1, 8, 32]) row.push(time(runs, () => net.predict(pool.slice(0, b))).toFixed(1));
  for (const b of [256, 1024]) {
    const observations = pool.slice(0, b);
    const policyTargets = observations.map((o) =>
      Float32Array.from(o.mask, (m) => m / o.mask.reduce((s, x) => s + x, 0)),
    );
    const batch = { observations, policyTargets, valueTargets: new Float32Array(b) };
    row.push(time(runs, () => net.trainAlphaZero(batch, options)).toFixed(0));
  }
  console.log(row.join(' | '));
  net.dispose();
}
