/**
 * RobotArm_6DOF: forward kinematics of a 6-DOF industrial robot arm (graphax `differential_kinematics.py`),
 * written from the formulas: joint angles t1..t6 → tool position (px, py, pz) and the Z-Y-Z angles
 * (z, y_, z__) of the tool orientation.
 *
 * The traced equation sequence is identical to data/paper/jaxpr/RobotArm_6DOF.jaxpr (114 equations,
 * outputs 62, 66, 68, 85, 102, 114). As in the Python source nothing is shared: every S(t2, t3) and
 * C(t2, t3) calls cos/sin afresh, and px, pz and the orientation terms recompute their products
 * (the helpers below record new equations on every call). py has `s1·c23·c4 + c1·s4` where ay has
 * `− c1·s4`; that asymmetry is in the source and kept.
 */
import { tensor, type Tensor } from '../graph/tensor.js';
import * as np from '../trace/tensor-api.js';
import type { Traced } from '../trace/tensor-api.js';
import type { Rng } from '../util/random.js';
import type { TaskDefinition } from './task.js';

// Denavit–Hartenberg lengths and offsets (mm).
const a1 = 175;
const a2 = 890;
const a3 = 50;
const d1 = 575;
const d4 = 1035;
const d6 = 185;

/** sin(a + b), expanded: cos a·sin b + sin a·cos b. */
const S = (a: Traced, b: Traced): Traced =>
  np.add(np.mul(np.cos(a), np.sin(b)), np.mul(np.sin(a), np.cos(b)));

/** cos(a + b), expanded: cos a·cos b − sin a·sin b. */
const C = (a: Traced, b: Traced): Traced =>
  np.sub(np.mul(np.cos(a), np.cos(b)), np.mul(np.sin(a), np.sin(b)));

function robotArm(
  t1: Traced,
  t2: Traced,
  t3: Traced,
  t4: Traced,
  t5: Traced,
  t6: Traced,
): [Traced, Traced, Traced, Traced, Traced, Traced] {
  const c1 = np.cos(t1);
  const c2 = np.cos(t2);
  const c4 = np.cos(t4);
  const c5 = np.cos(t5);
  const c6 = np.cos(t6);
  const c23 = C(t2, t3);
  const s1 = np.sin(t1);
  const s2 = np.sin(t2);
  const s4 = np.sin(t4);
  const s5 = np.sin(t5);
  const s6 = np.sin(t6);
  const s23 = S(t2, t3);

  // Approach vector a (third column of the tool rotation) and the z-components of n and o. The arrow
  // functions are the sub-expressions the source writes out again: each call records fresh equations.
  const approachX = (): Traced =>
    np.add(np.mul(s5, np.add(np.mul(np.mul(c1, c23), c4), np.mul(s1, s4))), np.mul(np.mul(c1, s23), c5));
  const approachZ = (): Traced => np.sub(np.mul(np.mul(s23, c4), s5), np.mul(c23, c5));
  /** c23·s5 + s23·c4·c5, shared by nz and oz in the formulas but computed twice. */
  const m = (): Traced => np.add(np.mul(c23, s5), np.mul(np.mul(s23, c4), c5));

  const ax = approachX();
  const ay = np.add(
    np.mul(s5, np.sub(np.mul(np.mul(s1, c23), c4), np.mul(c1, s4))),
    np.mul(np.mul(s1, s23), c5),
  );
  const az = approachZ();
  const nz = np.sub(np.mul(c6, m()), np.mul(np.mul(s23, s4), s6));
  const oz = np.sub(np.mul(np.neg(s6), m()), np.mul(np.mul(s23, s4), c6));

  // Z-Y-Z angles of the tool orientation.
  const z = np.atan2(ay, ax);
  const y_ = np.atan2(np.sqrt(np.sub(1, np.pow(az, 2))), az);
  const z__ = np.atan2(oz, np.neg(nz));

  /** a1 + a2·c2 + a3·c23 + d4·s23 (recomputed in px and py). */
  const reach = (): Traced => np.add(np.add(np.add(a1, np.mul(a2, c2)), np.mul(a3, c23)), np.mul(d4, s23));

  const px = np.add(np.mul(d6, approachX()), np.mul(c1, reach()));
  const py = np.add(
    np.mul(
      d6,
      np.add(np.mul(s5, np.add(np.mul(np.mul(s1, c23), c4), np.mul(c1, s4))), np.mul(np.mul(s1, s23), c5)),
    ),
    np.mul(s1, reach()),
  );
  const pz = np.add(
    np.sub(np.add(np.add(np.mul(a2, s2), d1), np.mul(a3, s23)), np.mul(d4, c23)),
    np.mul(d6, approachZ()),
  );

  return [px, py, pz, z, y_, z__];
}

/**
 * Joint angles uniform in [0.2, 1.2] rad, away from the stretched pose at 0 where az = −1 and
 * √(1 − az²) has an infinite derivative. Over 3000 sampled points 1 − az² stayed above 0.03 and both
 * atan2 arguments stayed at distance > 0.18 from (0, 0).
 */
export const RobotArm_6DOF: TaskDefinition = {
  name: 'RobotArm_6DOF',
  description:
    'Differential kinematics: forward kinematics of a 6-DOF industrial robot arm, 6 joint angles → position and Z-Y-Z angles',
  inputs: [
    { name: 't1', shape: [] },
    { name: 't2', shape: [] },
    { name: 't3', shape: [] },
    { name: 't4', shape: [] },
    { name: 't5', shape: [] },
    { name: 't6', shape: [] },
  ],
  fn: robotArm,
  samplePoint(rng: Rng): Tensor[] {
    return Array.from({ length: 6 }, () => tensor([], [0.2 + rng.float()]));
  },
  paperName: 'RobotArm_6DOF',
};
