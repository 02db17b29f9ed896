/**
 * tfjs backend setup and the matmul the networks use. The wasm backend (XNNPACK + SIMD) is the fastest CPU
 * option under Node; it runs matmuls with transposeA/transposeB about 8× slower than plain ones, and the
 * stock MatMul gradient uses exactly those forms, so every matmul here goes through a custom gradient that
 * transposes explicitly and then multiplies plainly.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

let ready: Promise<void> | undefined;

/** Selects the wasm backend once per process (later calls share the first promise). */
export function initBackend(): Promise<void> {
  ready ??= (async () => {
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new Error('tfjs: the wasm backend failed to initialise');
    await tf.ready();
  })();
  return ready;
}

/** Swaps the last two axes of a 2-D or 3-D tensor (an explicit copy, cheap next to the matmul). */
function swapLast(x: tf.Tensor): tf.Tensor {
  return x.rank === 2 ? tf.transpose(x) : tf.transpose(x, [0, 2, 1]);
}

// tfjs does not export CustomGradientFunc, so the function's type is taken from customGrad's parameter.
type CustomGradFn = Parameters<typeof tf.customGrad>[0];

const plainMatMul = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
      tf.matMul(dy as tf.Tensor3D, swapLast(saved[1]) as tf.Tensor3D),
      tf.matMul(swapLast(saved[0]) as tf.Tensor3D, dy as tf.Tensor3D),
    ],
  };
}) as unknown as CustomGradFn);

/** a·b for 2-D (m×k · k×n) or batched 3-D (B×m×k · B×k×n) operands with equal batch sizes. */
export function matMul<T extends tf.Tensor2D | tf.Tensor3D>(a: T, b: T): T {
  return plainMatMul(a, b) as T;
}

/**
 * a·b (B×m×k · B×k×n) where `a` is a constant (the GNN's aggregation matrices): only b gets a gradient,
 * which saves the B×m×k gradient matmul the general form would compute and throw away. `a` is closed
 * over rather than passed as an input, so the tape never sees it.
 */
export function matMulConstant(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const op = tf.customGrad(((x: tf.Tensor) => ({
    value: tf.matMul(a, x as tf.Tensor3D),
    gradFunc: (dy: tf.Tensor) => tf.matMul(swapLast(a) as tf.Tensor3D, dy as tf.Tensor3D),
  })) as unknown as CustomGradFn);
  return op(b) as tf.Tensor3D;
}

/** x·W (+ b) over the last axis of a tensor of any rank ≥ 2, via one 2-D matmul. */
export function dense(x: tf.Tensor, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor {
  const shape = x.shape;
  const inDim = shape[shape.length - 1];
  let y: tf.Tensor = matMul(x.reshape([-1, inDim]) as tf.Tensor2D, w);
  if (b) y = y.add(b);
  return y.reshape([...shape.slice(0, -1), w.shape[1]]);
}

/** swish(x) = x·sigmoid(x). */
export function swish(x: tf.Tensor): tf.Tensor {
  return x.mul(tf.sigmoid(x));
}
