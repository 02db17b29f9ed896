/**
 * Adam (β1 0.9, β2 0.999, ε 1e-7, optax form: m̂ / (√v̂ + ε)) over the network's variables, with the learning
 * rate supplied per step (the caller runs the schedule) and optional global-norm clipping of the
 * *gradients* (the paper clipped Adam's updates, which made the clip inert). Written out rather than
 * tf.train.adam so that the moments and step count can be saved and restored exactly.
 */
import * as tf from '@tensorflow/tfjs';

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-7;

export class Adam {
  step = 0;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];

  constructor(private readonly variables: readonly tf.Variable[]) {
    this.m = variables.map((x) => zeroVariable(x.shape));
    this.v = variables.map((x) => zeroVariable(x.shape));
  }

  /** One update from `grads` (same order as the variables). */
  apply(grads: readonly tf.Tensor[], learningRate: number, clipNorm: number): void {
    this.step++;
    const t = this.step;
    const stepSize = learningRate / (1 - Math.pow(BETA1, t));
    const vCorrection = 1 - Math.pow(BETA2, t);
    tf.tidy(() => {
      let scale: tf.Scalar = tf.scalar(1);
      if (clipNorm > 0) {
        const norm = tf.sqrt(tf.addN(grads.map((g) => g.square().sum())));
        scale = tf.minimum(1, tf.div(clipNorm, tf.maximum(norm, 1e-12)));
      }
      grads.forEach((raw, i) => {
        const g = raw.mul(scale);
        const m = this.m[i].mul(BETA1).add(g.mul(1 - BETA1));
        const v = this.v[i].mul(BETA2).add(g.square().mul(1 - BETA2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        const update = m.mul(stepSize).div(v.div(vCorrection).sqrt().add(EPSILON));
        this.variables[i].assign(this.variables[i].sub(update));
      });
    });
  }

  /** First moments of every variable, then second moments. */
  moments(): Float32Array[] {
    return [...this.m, ...this.v].map((x) => Float32Array.from(x.dataSync() as Float32Array));
  }

  restore(step: number, moments: readonly Float32Array[]): void {
    const all = [...this.m, ...this.v];
    if (moments.length !== all.length)
      throw new Error(`optimizer state: ${moments.length} moments, expected ${all.length}`);
    all.forEach((x, i) => assignValues(x, moments[i]));
    this.step = step;
  }

  dispose(): void {
    for (const x of [...this.m, ...this.v]) x.dispose();
  }
}

function zeroVariable(shape: number[]): tf.Variable {
  const zeros = tf.zeros(shape);
  const v = tf.variable(zeros, false);
  zeros.dispose();
  return v;
}

export function assignValues(x: tf.Variable, values: Float32Array): void {
  if (values.length !== x.size)
    throw new Error(`state: ${values.length} values for a tensor of size ${x.size}`);
  tf.tidy(() => x.assign(tf.tensor(values, x.shape)));
}
