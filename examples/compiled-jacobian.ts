/**
 * A compiled Jacobian for a batch of points: npx tsx examples/compiled-jacobian.ts
 * (in an installed package, import from 'crosscountry' instead of '../src/index.js').
 */
import { jacobian, np } from '../src/index.js';

// A small 2-link arm: joint angles (t1, t2) → end-effector position (x, y).
const J = jacobian(
  (t1, t2) => {
    const a = np.add(t1, t2);
    return [np.add(np.cos(t1), np.mul(0.5, np.cos(a))), np.add(np.sin(t1), np.mul(0.5, np.sin(a)))];
  },
  {
    inputs: [
      { name: 't1', shape: [] },
      { name: 't2', shape: [] },
    ],
    order: 'auto',
  },
);

// Three points at once: inputs by name (or positionally), batch inferred from the lengths.
const {
  outputs,
  jacobian: blocks,
  batch,
} = J({ t1: [0.1, 0.2, 0.3], t2: new Float64Array([0.4, 0.5, 0.6]) });
console.log(`order ${J.order.join(',')}: ${J.multiplications} multiplications per point, batch ${batch}`);
for (let b = 0; b < batch; b++) {
  const row = (i: number): string => `[${blocks[i][0][b].toFixed(4)}, ${blocks[i][1][b].toFixed(4)}]`;
  console.log(
    `point ${b}: x = ${outputs[0][b].toFixed(4)}, y = ${outputs[1][b].toFixed(4)}, J = [${row(0)}, ${row(1)}]`,
  );
}

// Repeated calls (a Newton iteration, an optimiser step): pass an earlier result of the same batch size as
// `into` and its arrays are overwritten instead of new ones allocated.
const again = J({ t1: [0.15, 0.25, 0.35], t2: [0.4, 0.5, 0.6] }, { outputs, jacobian: blocks });
console.log(
  `reused the arrays: ${again.jacobian[0][0] === blocks[0][0]}; J[0][0] at point 0 now ${blocks[0][0][0].toFixed(4)}`,
);
