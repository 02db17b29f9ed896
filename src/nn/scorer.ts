/**
 * The `scorer` architecture: logit(v) = Σ_k Σ_j W[k][j] · x_k(v) · c_j over the heuristic features x(v) of
 * each legal vertex and the position's context c (scorer-features.ts), and a linear value head. So small
 * (under a hundred parameters) that it needs no numeric library: plain TypeScript, exact gradients
 * written out, Adam in plain loops. It is what the shipped generalist policy runs.
 */
import { CrosscountryError } from '../graph/errors.js';
import {
  CONTEXT_INPUTS,
  scorerInputs,
  VALUE_INPUTS,
  VERTEX_INPUTS,
  type ScorerInputs,
} from './scorer-features.js';
import {
  VERTEX_FEATURES,
  type AlphaZeroBatch,
  type AlphaZeroTrainOptions,
  type Losses,
  type NetworkConfig,
  type NetworkState,
  type Observation,
  type PolicyValueNet,
  type Prediction,
} from './network.js';

/** The policy's parameters W, which come first. */
export const SCORER_POLICY_PARAMETERS = VERTEX_INPUTS * CONTEXT_INPUTS;
/** The parameter count: W, then the value weights. */
export const SCORER_PARAMETERS = SCORER_POLICY_PARAMETERS + VALUE_INPUTS;

/** A config for the scorer (the layer sizes of the other architectures do not apply and are 0). */
export function scorerConfig(maxVertices: number, maxNodes: number, seed = 0): NetworkConfig {
  return {
    architecture: 'scorer',
    maxVertices,
    maxNodes,
    dModel: 0,
    layers: 0,
    heads: 0,
    ffDim: 0,
    policyHidden: [],
    valueHidden: [],
    seed,
  };
}

export function scorerLogits(params: ArrayLike<number>, inputs: ScorerInputs): Float32Array {
  const { tokens, vertex, context, mask } = inputs;
  // Fold the context into per-feature weights once: w_k = Σ_j W[k][j] c_j.
  const w = new Float64Array(VERTEX_INPUTS);
  for (let k = 0; k < VERTEX_INPUTS; k++) {
    let s = 0;
    for (let j = 0; j < CONTEXT_INPUTS; j++) s += params[k * CONTEXT_INPUTS + j] * context[j];
    w[k] = s;
  }
  const logits = new Float32Array(tokens);
  for (let t = 0; t < tokens; t++) {
    if (!mask[t]) continue;
    let s = 0;
    for (let k = 0; k < VERTEX_INPUTS; k++) s += w[k] * vertex[t * VERTEX_INPUTS + k];
    logits[t] = s;
  }
  return logits;
}

function scorerValue(params: ArrayLike<number>, inputs: ScorerInputs): number {
  const offset = VERTEX_INPUTS * CONTEXT_INPUTS;
  let s = 0;
  for (let i = 0; i < VALUE_INPUTS; i++) s += params[offset + i] * inputs.value[i];
  return s;
}

export class ScorerNet implements PolicyValueNet {
  readonly parameterCount = SCORER_PARAMETERS;
  // Float32 like every saved weight, so that a saved state resumes bit for bit (arithmetic is in doubles).
  private params = new Float32Array(SCORER_PARAMETERS);
  private m = new Float32Array(SCORER_PARAMETERS);
  private v = new Float32Array(SCORER_PARAMETERS);
  private step = 0;

  constructor(readonly config: NetworkConfig) {
    if (config.architecture !== 'scorer')
      throw new CrosscountryError('ScorerNet: architecture must be scorer');
  }

  predict(observations: readonly Observation[]): Prediction {
    const logits: Float32Array[] = [];
    const values = new Float32Array(observations.length);
    observations.forEach((obs, i) => {
      const inputs = scorerInputs(obs, VERTEX_FEATURES);
      logits.push(scorerLogits(this.params, inputs));
      values[i] = scorerValue(this.params, inputs);
    });
    return { logits, values };
  }

  /** Masked cross-entropy against the policy targets plus valueWeight · ½(v − target)², one Adam step. */
  trainAlphaZero(batch: AlphaZeroBatch, options: AlphaZeroTrainOptions): Losses {
    const grad = new Float64Array(SCORER_PARAMETERS);
    const offset = VERTEX_INPUTS * CONTEXT_INPUTS;
    const n = Math.max(1, batch.observations.length);
    let policyLoss = 0;
    let valueLoss = 0;
    batch.observations.forEach((obs, b) => {
      const inputs = scorerInputs(obs, VERTEX_FEATURES);
      const logits = scorerLogits(this.params, inputs);
      const target = batch.policyTargets[b];
      let max = -Infinity;
      for (let t = 0; t < inputs.tokens; t++) if (inputs.mask[t]) max = Math.max(max, logits[t]);
      let z = 0;
      for (let t = 0; t < inputs.tokens; t++) if (inputs.mask[t]) z += Math.exp(logits[t] - max);
      const logZ = max + Math.log(z);
      for (let t = 0; t < inputs.tokens; t++) {
        if (!inputs.mask[t]) continue;
        const p = Math.exp(logits[t] - logZ);
        if (target[t] > 0) policyLoss -= (target[t] * (logits[t] - logZ)) / n;
        const d = (p - target[t]) / n;
        if (d === 0) continue;
        for (let k = 0; k < VERTEX_INPUTS; k++) {
          const x = inputs.vertex[t * VERTEX_INPUTS + k] * d;
          if (x === 0) continue;
          for (let j = 0; j < CONTEXT_INPUTS; j++) grad[k * CONTEXT_INPUTS + j] += x * inputs.context[j];
        }
      }
      const err = scorerValue(this.params, inputs) - batch.valueTargets[b];
      valueLoss += (0.5 * err * err) / n;
      for (let i = 0; i < VALUE_INPUTS; i++)
        grad[offset + i] += (options.valueWeight * err * inputs.value[i]) / n;
    });
    this.adam(grad, options.learningRate, options.clipNorm);
    return { total: policyLoss + options.valueWeight * valueLoss, policy: policyLoss, value: valueLoss };
  }

  trainPpo(): Losses {
    throw new CrosscountryError('the scorer network trains with AlphaZero targets only (not PPO)');
  }

  getState(): NetworkState {
    return {
      config: this.config,
      weights: this.getWeights(),
      optimizer: { step: this.step, moments: [Float32Array.from(this.m), Float32Array.from(this.v)] },
    };
  }

  setState(state: NetworkState): void {
    this.setWeights(state.weights);
    const [m, v] = state.optimizer.moments;
    if (!m || !v || m.length !== SCORER_PARAMETERS || v.length !== SCORER_PARAMETERS)
      throw new CrosscountryError('scorer optimizer state: wrong moment sizes');
    this.m = Float32Array.from(m);
    this.v = Float32Array.from(v);
    this.step = state.optimizer.step;
  }

  getWeights(): Float32Array[] {
    return [Float32Array.from(this.params)];
  }

  setWeights(weights: readonly Float32Array[]): void {
    if (weights.length !== 1 || weights[0].length !== SCORER_PARAMETERS)
      throw new CrosscountryError(`scorer weights: expected one array of ${SCORER_PARAMETERS} parameters`);
    this.params = Float32Array.from(weights[0]);
  }

  dispose(): void {}

  private adam(grad: Float64Array, learningRate: number, clipNorm: number): void {
    let scale = 1;
    if (clipNorm > 0) {
      let norm = 0;
      for (const g of grad) norm += g * g;
      norm = Math.sqrt(norm);
      if (norm > clipNorm) scale = clipNorm / norm;
    }
    this.step++;
    const stepSize = learningRate / (1 - 0.9 ** this.step);
    const vCorrection = 1 - 0.999 ** this.step;
    for (let i = 0; i < SCORER_PARAMETERS; i++) {
      const g = grad[i] * scale;
      this.m[i] = 0.9 * this.m[i] + 0.1 * g;
      this.v[i] = 0.999 * this.v[i] + 0.001 * g * g;
      this.params[i] -= (stepSize * this.m[i]) / (Math.sqrt(this.v[i] / vCorrection) + 1e-7);
    }
  }
}
