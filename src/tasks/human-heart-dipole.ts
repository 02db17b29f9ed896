/**
 * HumanHeartDipole: the MINPACK-2 human heart dipole system (graphax `minpack.py`), 8 unknowns → 8
 * residuals, with every measured quantity σ set to 1 as in the benchmark. Written from the formulas; the
 * traced equation sequence is identical to data/paper/jaxpr/HumanHeartDipole.jaxpr (86 equations,
 * outputs 2, 4, 12, 20, 38, 50, 78, 86). As in the source, the squares in x557, x775, x668 and x886 are
 * recomputed (fresh integer_pow equations) rather than reused from x57 and x68, and σE appears in both f7
 * and f8 (σF is unused).
 */
import { tensor, type Tensor } from '../graph/tensor.js';
import * as np from '../trace/tensor-api.js';
import type { Traced } from '../trace/tensor-api.js';
import type { Rng } from '../util/random.js';
import type { TaskDefinition } from './task.js';

// Measured sums and moments of the dipole problem, all 1 in the benchmark.
const sigma_mx = 1;
const sigma_my = 1;
const sigma_A = 1;
const sigma_B = 1;
const sigma_C = 1;
const sigma_D = 1;
const sigma_E = 1;

/** a(a² − 3b²) */
const cubic = (a: Traced, b: Traced): Traced => np.mul(a, np.sub(np.pow(a, 2), np.mul(3, np.pow(b, 2))));

function humanHeartDipole(
  x1: Traced,
  x2: Traced,
  x3: Traced,
  x4: Traced,
  x5: Traced,
  x6: Traced,
  x7: Traced,
  x8: Traced,
): Traced[] {
  const f1 = np.sub(np.add(x1, x2), sigma_mx);
  const f2 = np.sub(np.add(x3, x4), sigma_my);
  const f3 = np.sub(
    np.sub(np.sub(np.add(np.mul(x5, x1), np.mul(x6, x2)), np.mul(x7, x3)), np.mul(x8, x4)),
    sigma_A,
  );
  const f4 = np.sub(
    np.add(np.add(np.add(np.mul(x7, x1), np.mul(x8, x2)), np.mul(x5, x3)), np.mul(x6, x4)),
    sigma_B,
  );

  const x57 = np.sub(np.pow(x5, 2), np.pow(x7, 2));
  const x68 = np.sub(np.pow(x6, 2), np.pow(x8, 2));
  const f5 = np.sub(
    np.sub(
      np.add(np.sub(np.mul(x1, x57), np.mul(np.mul(np.mul(2, x3), x5), x7)), np.mul(x2, x68)),
      np.mul(np.mul(np.mul(2, x4), x6), x8),
    ),
    sigma_C,
  );
  const f6 = np.sub(
    np.sub(
      np.add(np.sub(np.mul(x3, x57), np.mul(np.mul(np.mul(2, x1), x5), x7)), np.mul(x4, x68)),
      np.mul(np.mul(np.mul(2, x2), x6), x8),
    ),
    sigma_D,
  );

  const x557 = cubic(x5, x7);
  const x775 = cubic(x7, x5);
  const x668 = cubic(x6, x8);
  const x886 = cubic(x8, x6);
  const f7 = np.sub(
    np.add(np.add(np.add(np.mul(x1, x557), np.mul(x3, x775)), np.mul(x2, x668)), np.mul(x4, x886)),
    sigma_E,
  );
  const f8 = np.sub(
    np.sub(np.add(np.sub(np.mul(x3, x557), np.mul(x1, x775)), np.mul(x4, x668)), np.mul(x2, x886)),
    sigma_E,
  );
  return [f1, f2, f3, f4, f5, f6, f7, f8];
}

/** The system is polynomial, so any point works; the unknowns are drawn uniformly from [−1, 1]. */
export const HumanHeartDipole: TaskDefinition = {
  name: 'HumanHeartDipole',
  description: 'Non-linear equations: MINPACK-2 human heart dipole residuals (all σ = 1), 8 → 8 scalars',
  inputs: ['x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'x8'].map((name) => ({ name, shape: [] })),
  fn: humanHeartDipole,
  samplePoint(rng: Rng): Tensor[] {
    return Array.from({ length: 8 }, () => tensor([], [2 * rng.float() - 1]));
  },
  paperName: 'HumanHeartDipole',
};
