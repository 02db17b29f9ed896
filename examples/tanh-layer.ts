/**
 * A small tensor program: one tanh layer summed to a scalar, y = sum(tanh(W x + b)).
 *
 *   crosscountry print examples/tanh-layer.ts
 *   crosscountry cost examples/tanh-layer.ts --order rev
 *   crosscountry jacobian examples/tanh-layer.ts --at examples/tanh-layer.inputs.json
 */
import { np, type InputSpec, type Traced } from '../src/index.js';

export function fn(W: Traced, x: Traced, b: Traced): Traced {
  return np.sum(np.tanh(np.add(np.matmul(W, x), b)));
}

export const inputs: InputSpec[] = [
  { name: 'W', shape: [2, 3] },
  { name: 'x', shape: [3] },
  { name: 'b', shape: [2] },
];
