/**
 * PropaneCombustion: the MINPACK-2 propane combustion system in its full formulation (graphax
 * `minpack.py`), 11 unknowns → 11 residuals, with pressure p = 40 and R = 10. Written from the formulas;
 * the traced equation sequence is identical to data/paper/jaxpr/PropaneCombustion.jaxpr (62 equations,
 * outputs 4, 13, 19, 22, 25, 31, 37, 41, 46, 52, 62). Python folds 4R into the literal 40 in f4; the
 * product x2·x4 is computed again under the square root of f6, as in the source.
 */
import { tensor, type Tensor } from '../graph/tensor.js';
import * as np from '../trace/tensor-api.js';
import type { Traced } from '../trace/tensor-api.js';
import type { Rng } from '../util/random.js';
import type { TaskDefinition } from './task.js';

/** Pressure. */
const p = 40;
/** Air-to-fuel ratio parameter. */
const R = 10;

function propaneCombustion(
  x1: Traced,
  x2: Traced,
  x3: Traced,
  x4: Traced,
  x5: Traced,
  x6: Traced,
  x7: Traced,
  x8: Traced,
  x9: Traced,
  x10: Traced,
  x11: Traced,
): Traced[] {
  const px11 = np.sqrt(np.div(p, x11));

  const f1 = np.sub(np.add(x1, x4), 3);
  const f2 = np.sub(
    np.add(np.add(np.add(np.add(np.add(np.add(np.mul(2, x1), x2), x4), x7), x8), x9), np.mul(2, x10)),
    R,
  );
  const f3 = np.sub(np.add(np.add(np.add(np.mul(2, x2), np.mul(2, x5)), x6), x7), 8);
  const f4 = np.sub(np.add(np.mul(2, x3), x9), 4 * R);
  const f5 = np.sub(np.mul(x2, x4), np.mul(x1, x5));
  const f6 = np.sub(np.sqrt(np.mul(x2, x4)), np.mul(np.mul(np.sqrt(x1), px11), x6));
  const f7 = np.sub(np.sqrt(np.mul(x1, x2)), np.mul(np.mul(np.sqrt(x4), x7), px11));
  const f8 = np.sub(x1, np.div(np.mul(np.mul(x4, x8), p), x11));
  const f9 = np.sub(np.mul(x1, np.sqrt(x3)), np.mul(np.mul(x4, x9), px11));
  const f10 = np.sub(np.pow(x1, 2), np.div(np.mul(np.mul(np.pow(x4, 2), x10), p), x11));
  const f11 = [x1, x2, x3, x4, x5, x6, x7, x8, x9, x10].reduce<Traced>((acc, x) => np.sub(acc, x), x11);
  return [f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11];
}

/** All unknowns uniform in [0.1, 2]: positive, as the square roots √(p/x11), √x1, √x3, √(x1x2), … need. */
export const PropaneCombustion: TaskDefinition = {
  name: 'PropaneCombustion',
  description:
    'Non-linear equations: MINPACK-2 propane combustion residuals (full formulation, p = 40, R = 10), 11 → 11 scalars',
  inputs: Array.from({ length: 11 }, (_, i) => ({ name: `x${i + 1}`, shape: [] })),
  fn: propaneCombustion,
  samplePoint(rng: Rng): Tensor[] {
    return Array.from({ length: 11 }, () => tensor([], [0.1 + 1.9 * rng.float()]));
  },
  paperName: 'PropaneCombustion',
};
