/**
 * Griewank & Walther's running example, f(x, y) = (sin(xy) + xy, log(sin(xy))).
 *
 *   crosscountry cost examples/griewank.ts --order rev --steps
 *   crosscountry jacobian examples/griewank.ts --at examples/griewank.inputs.json
 *
 * A graph module exports `fn` (traced on symbolic inputs) and `inputs` (their shapes, optionally named).
 */
import { np, type InputSpec, type Traced } from '../src/index.js';

export function fn(x: Traced, y: Traced): Traced[] {
  const xy = np.mul(x, y); // v1
  const s = np.sin(xy); // v2
  return [np.add(s, xy), np.log(s)]; // v3, v4: the outputs
}

export const inputs: InputSpec[] = [
  { name: 'x', shape: [] },
  { name: 'y', shape: [] },
];
