import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, matMul, matMulConstant } from '../src/nn/backend.js';
import { createNetwork, defaultNetworkConfig } from '../src/nn/create.js';
import {
  VERTEX_FEATURES,
  type Architecture,
  type NetworkConfig,
  type Observation,
  type PolicyValueNet,
} from '../src/nn/network.js';
import { Rng } from '../src/util/random.js';

/** A random DAG observation laid out like src/rl/observation.ts: inputs first, edges only forward. */
function observation(numInputs: number, numVertices: number, seed: number): Observation {
  const rng = new Rng(seed);
  const N = numInputs + numVertices;
  const edges = new Float32Array(numVertices * 2 * N);
  for (let v = 0; v < numVertices; v++) {
    const target = numInputs + v;
    for (let u = 0; u < target; u++) {
      if (rng.float() >= 0.35) continue;
      edges[v * 2 * N + u] = 1;
      if (u >= numInputs) edges[(u - numInputs) * 2 * N + N + target] = 1;
    }
  }
  const features = new Float32Array(numVertices * VERTEX_FEATURES);
  for (let i = 0; i < features.length; i++) features[i] = rng.float();
  const mask = new Uint8Array(numVertices);
  for (let v = 0; v < numVertices; v++) mask[v] = v === 0 || rng.float() < 0.6 ? 1 : 0;
  return { numInputs, numVertices, numNodes: N, edges, features, mask };
}

function config(architecture: Architecture, overrides: Partial<NetworkConfig> = {}): NetworkConfig {
  return defaultNetworkConfig(architecture, 10, 13, {
    dModel: 16,
    layers: 2,
    heads: 2,
    ffDim: 32,
    policyHidden: [16],
    valueHidden: [16],
    seed: 7,
    ...overrides,
  });
}

function maskedLogProbs(logits: Float32Array, mask: Uint8Array): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (mask[i]) max = Math.max(max, logits[i]);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) if (mask[i]) sum += Math.exp(logits[i] - max);
  return Float64Array.from(logits, (x, i) => (mask[i] ? x - max - Math.log(sum) : -Infinity));
}

function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what: string,
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

const small = observation(2, 6, 1); // V = 6, N = 8
const large = observation(3, 10, 2); // fills the network: V = 10, N = 13
const batch = [small, observation(2, 5, 3), observation(1, 8, 4), large];

/** One-hot AlphaZero targets on a legal vertex chosen per observation. */
function alphaZeroBatch(observations: readonly Observation[]) {
  const policyTargets = observations.map((obs, i) => {
    const legal = [...obs.mask.keys()].filter((v) => obs.mask[v]);
    const t = new Float32Array(obs.numVertices);
    t[legal[(i * 3 + 1) % legal.length]] = 1;
    return t;
  });
  const valueTargets = Float32Array.from(observations, (_, i) => (i % 2 ? 0.5 : -0.5));
  return { observations, policyTargets, valueTargets };
}

test('the custom-gradient matmul matches tfjs matMul and its gradients (2-D and batched 3-D)', async () => {
  await initBackend();
  for (const [sa, sb] of [
    [
      [3, 4],
      [4, 5],
    ],
    [
      [2, 3, 4],
      [2, 4, 5],
    ],
  ]) {
    tf.tidy(() => {
      const a = tf.randomNormal(sa, 0, 1, 'float32', 1);
      const b = tf.randomNormal(sb, 0, 1, 'float32', 2);
      const w = tf.randomNormal([...sa.slice(0, -1), sb[sb.length - 1]], 0, 1, 'float32', 3);
      const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
        matMul(x as tf.Tensor2D, y as tf.Tensor2D)
          .mul(w)
          .sum(),
      );
      const theirs = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
        tf
          .matMul(x as tf.Tensor2D, y as tf.Tensor2D)
          .mul(w)
          .sum(),
      );
      assertClose(
        matMul(a as tf.Tensor2D, b as tf.Tensor2D).dataSync(),
        tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D).dataSync(),
        1e-5,
        'value',
      );
      const [ga, gb] = ours([a, b]);
      const [ta, tb] = theirs([a, b]);
      assertClose(ga.dataSync(), ta.dataSync(), 1e-5, 'dA');
      assertClose(gb.dataSync(), tb.dataSync(), 1e-5, 'dB');
      if (a.rank === 3) {
        const [gc] = tf.grads((y: tf.Tensor) =>
          matMulConstant(a as tf.Tensor3D, y as tf.Tensor3D)
            .mul(w)
            .sum(),
        )([b]);
        assertClose(gc.dataSync(), tb.dataSync(), 1e-5, 'dB with constant A');
      }
    });
  }
});

const azOptions = { learningRate: 1e-2, clipNorm: 1, valueWeight: 1 };

for (const architecture of ['transformer', 'gnn'] as const) {
  describe(`nn ${architecture}`, () => {
    const make = (overrides: Partial<NetworkConfig> = {}) => createNetwork(config(architecture, overrides));

    test('predict returns one logit per vertex and ignores padding', async () => {
      const net = await make();
      const alone = net.predict([small]);
      assert.equal(alone.logits.length, 1);
      assert.equal(alone.logits[0].length, small.numVertices);
      assert.equal(alone.values.length, 1);
      const together = net.predict(batch);
      assert.deepEqual(
        together.logits.map((l) => l.length),
        batch.map((o) => o.numVertices),
      );
      assertClose(together.logits[0], alone.logits[0], 1e-4, 'logits batched vs alone');
      assertClose([together.values[0]], [alone.values[0]], 1e-4, 'value batched vs alone');
      assert.ok(together.logits.every((l) => l.every(Number.isFinite)));
      assert.ok(!alone.logits[0].every((x) => x === alone.logits[0][0]), 'logits are not all equal');
      net.dispose();
    });

    test('larger observations than the network are rejected', async () => {
      const net = await make();
      assert.throws(() => net.predict([observation(3, 11, 5)]), /exceeds/);
      net.dispose();
    });

    test('same seed gives identical weights and predictions; another seed does not', async () => {
      const [a, b, c] = await Promise.all([make(), make(), make({ seed: 8 })]);
      assert.deepEqual(a.getState().weights, b.getState().weights);
      assert.deepEqual(a.predict(batch), b.predict(batch));
      assert.notDeepEqual(a.predict(batch).logits[0], c.predict(batch).logits[0]);
      assert.equal(
        a.parameterCount,
        a.getState().weights.reduce((n, w) => n + w.length, 0),
      );
      for (const net of [a, b, c]) net.dispose();
    });

    test('AlphaZero training fits a fixed batch', async () => {
      const net = await make();
      const data = alphaZeroBatch(batch);
      const first = net.trainAlphaZero(data, azOptions);
      let last = first;
      for (let i = 0; i < 40; i++) last = net.trainAlphaZero(data, azOptions);
      assert.ok(last.total < 0.3 * first.total, `loss ${first.total} → ${last.total}`);
      const { logits, values } = net.predict(batch);
      batch.forEach((obs, i) => {
        const logp = maskedLogProbs(logits[i], obs.mask);
        const best = logp.indexOf(Math.max(...logp));
        assert.equal(data.policyTargets[i][best], 1, `observation ${i}: argmax ${best}`);
        assert.ok(Math.abs(values[i] - data.valueTargets[i]) < 0.2, `value ${values[i]}`);
      });
      net.dispose();
    });

    test('chunked training (gradient accumulation) matches one big chunk', async () => {
      const [whole, chunked] = await Promise.all([make(), make({ trainChunk: 3 })]);
      const data = alphaZeroBatch(batch);
      const a = whole.trainAlphaZero(data, azOptions);
      const b = chunked.trainAlphaZero(data, azOptions);
      assertClose([b.total, b.policy, b.value], [a.total, a.policy, a.value], 1e-5, 'losses');
      // Weights are not compared one by one: Adam turns gradients that are 0 up to rounding (the policy
      // output bias) into full ±lr steps. Predictions after the step are what matter.
      const [pa, pb] = [whole.predict(batch), chunked.predict(batch)];
      batch.forEach((_, i) => assertClose(pb.logits[i], pa.logits[i], 1e-3, `logits ${i}`));
      assertClose(pb.values, pa.values, 1e-3, 'values');
      whole.dispose();
      chunked.dispose();
    });

    test('PPO steps raise the log-probability of positive-advantage actions', async () => {
      const net = await make();
      const before = net.predict(batch);
      const actions = Int32Array.from(batch, (obs) => obs.mask.lastIndexOf(1));
      const oldLogProbs = Float32Array.from(
        batch,
        (obs, i) => maskedLogProbs(before.logits[i], obs.mask)[actions[i]],
      );
      const advantages = Float32Array.from(batch, (_, i) => (i % 2 ? -1 : 1));
      const ppo = {
        observations: batch,
        actions,
        oldLogProbs,
        advantages,
        returns: new Float32Array(batch.length),
      };
      const options = {
        learningRate: 3e-3,
        clipNorm: 0,
        clipRatio: 0.2,
        valueWeight: 0.5,
        entropyWeight: 0.01,
      };
      const losses = net.trainPpo(ppo, options);
      assert.ok(Number.isFinite(losses.total) && losses.entropy !== undefined && losses.entropy > 0);
      assertClose([losses.policy], [-0], 1e-6, 'surrogate at ratio 1 is −mean advantage = 0');
      for (let i = 0; i < 3; i++) net.trainPpo(ppo, options);
      const after = net.predict(batch);
      batch.forEach((obs, i) => {
        const delta = maskedLogProbs(after.logits[i], obs.mask)[actions[i]] - oldLogProbs[i];
        assert.ok(advantages[i] > 0 ? delta > 0 : delta < 0, `observation ${i}: Δlog π = ${delta}`);
      });
      net.dispose();
    });

    test('targets that do not fit their observation are rejected', async () => {
      const net = await make();
      const data = alphaZeroBatch(batch);
      const policyTargets = [new Float32Array(small.numVertices + 1), ...data.policyTargets.slice(1)];
      assert.throws(() => net.trainAlphaZero({ ...data, policyTargets }, azOptions), /one entry per vertex/);
      const one = new Float32Array(1);
      const ppo = {
        observations: [small],
        actions: Int32Array.of(6),
        oldLogProbs: one,
        advantages: one,
        returns: one,
      };
      const options = { ...azOptions, clipRatio: 0.2, entropyWeight: 0 };
      assert.throws(() => net.trainPpo(ppo, options), /not a vertex/);
      net.dispose();
    });

    test('state round-trip resumes training exactly', async () => {
      const net = await make();
      const data = alphaZeroBatch(batch);
      net.trainAlphaZero(data, azOptions);
      net.trainAlphaZero(data, azOptions);
      const saved = net.getState();
      const a = [net.trainAlphaZero(data, azOptions), net.trainAlphaZero(data, azOptions)];
      const weightsA = net.getState().weights;
      const other = await make({ seed: 99 });
      other.setState(saved);
      assert.equal(other.getState().optimizer.step, 2);
      const b = [other.trainAlphaZero(data, azOptions), other.trainAlphaZero(data, azOptions)];
      assert.deepEqual(b, a);
      assert.deepEqual(other.getState().weights, weightsA);
      assert.throws(() => other.setState({ ...saved, weights: saved.weights.slice(1) }), /different shape/);
      net.dispose();
      other.dispose();
    });

    test('predict and train leak no tensors', async () => {
      const net = await make({ trainChunk: 2 });
      const data = alphaZeroBatch(batch);
      net.predict(batch);
      net.trainAlphaZero(data, azOptions);
      const count = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) {
        net.predict(batch);
        net.trainAlphaZero(data, { ...azOptions, clipNorm: 0 });
        net.getState();
      }
      assert.equal(tf.memory().numTensors, count);
      net.dispose();
      assert.ok(tf.memory().numTensors < count, 'dispose frees the variables');
    });
  });
}

test('disposing all networks leaves the tensor count where it started', async () => {
  const before = tf.memory().numTensors;
  const nets: PolicyValueNet[] = await Promise.all([
    createNetwork(config('transformer')),
    createNetwork(config('gnn')),
  ]);
  for (const net of nets) net.dispose();
  assert.equal(tf.memory().numTensors, before);
});
