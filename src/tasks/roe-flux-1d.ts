/**
 * RoeFlux_1d: Roe's approximate Riemann-solver flux for the 1-D Euler equations (graphax `roe.py`,
 * `RoeFlux_1d`), written from the formulas. The traced equation sequence is identical to
 * data/paper/jaxpr/RoeFlux_1d.jaxpr (101 equations, outputs 97, 99, 101): same primitives, operand order,
 * literals and vertex numbering. Like the Python source, every √ul0 and √ur0 is a fresh sqrt, |u| is taken
 * twice, and dp/n is divided twice.
 *
 * The benchmark sets γ = 0.5, so γ − 1 = −0.5 (a literal) and the "pressure" p = −½(u2 − ½u1²/u0) is
 * positive only when the energy u2 is below ½u1²/u0; samplePoint keeps u2 ≤ 0 so p > 0 and a² > 0.
 */
import { tensor, type Tensor } from '../graph/tensor.js';
import * as np from '../trace/tensor-api.js';
import type { Traced } from '../trace/tensor-api.js';
import type { Rng } from '../util/random.js';
import type { TaskDefinition } from './task.js';

/** Ratio of specific heats as the benchmark sets it (module constant `gamma` of roe.py). */
const GAMMA = 0.5;

/** Pressure p = (γ − 1)(u2 − ½u1²/u0). */
const p1 = (u0: Traced, u1: Traced, u2: Traced): Traced =>
  np.mul(GAMMA - 1, np.sub(u2, np.div(np.mul(0.5, np.pow(u1, 2)), u0)));

/** Specific enthalpy h = (u2 + p)/u0. */
const h1 = (u0: Traced, u2: Traced, p: Traced): Traced => np.div(np.add(u2, p), u0);

/** Physical flux F(u) = (u1, p + u1·v, v·(p + u2)) with velocity v = u1/u0. */
function F1(u0: Traced, u1: Traced, u2: Traced, p: Traced): [Traced, Traced, Traced] {
  const v = np.div(u1, u0);
  return [u1, np.add(p, np.mul(u1, v)), np.mul(v, np.add(p, u2))];
}

function roeFlux1d(
  ul0: Traced,
  ul1: Traced,
  ul2: Traced,
  ur0: Traced,
  ur1: Traced,
  ur2: Traced,
): [Traced, Traced, Traced] {
  const du0 = np.sub(ur0, ul0);
  const ulr0 = np.sqrt(np.mul(ul0, ur0));
  const w1 = np.add(np.sqrt(ul0), np.sqrt(ur0));

  const vl = np.div(ul1, ul0);
  const pl = p1(ul0, ul1, ul2);
  const hl = h1(ul0, ul2, pl);

  const vr = np.div(ur1, ur0);
  const pr = p1(ur0, ur1, ur2);
  const hr = h1(ur0, ur2, pr);

  const dp = np.sub(pr, pl);
  const dv = np.sub(vr, vl);

  // Roe averages (√ρ-weighted).
  const u = np.div(np.add(np.mul(np.sqrt(ul0), vl), np.mul(np.sqrt(ur0), vr)), w1);
  const h = np.div(np.add(np.mul(np.sqrt(ul0), hl), np.mul(np.sqrt(ur0), hr)), w1);
  const q2 = np.pow(u, 2);
  const a2 = np.mul(GAMMA - 1, np.sub(h, np.mul(0.5, q2)));
  const a = np.sqrt(a2);

  // Wave speeds.
  const lp = np.abs(np.add(u, a));
  const l = np.abs(u);
  const ln = np.abs(u);

  // Wave strengths times speeds.
  const n = np.mul(a, ulr0);
  const c0 = np.mul(np.sub(du0, np.div(dp, a2)), l);
  const c1 = np.mul(np.add(dv, np.div(dp, n)), lp);
  const c2 = np.mul(np.sub(dv, np.div(dp, n)), ln);

  const [FL0, FL1, FL2] = F1(ul0, ul1, ul2, pl);
  const [FR0, FR1, FR2] = F1(ur0, ur1, ur2, pr);
  const F0 = np.add(FL0, FR0);
  const F1sum = np.add(FL1, FR1);
  const F2 = np.add(FL2, FR2);

  const c = np.div(np.mul(0.5, ulr0), a);
  const dF0 = np.sub(np.add(c0, np.mul(c, c1)), np.mul(c, c2));
  const dF1 = np.sub(
    np.add(np.mul(c0, u), np.mul(np.mul(c, c1), np.add(u, a))),
    np.mul(np.mul(c, c2), np.sub(u, a)),
  );
  const dF2 = np.sub(
    np.add(np.mul(np.mul(c0, 0.5), q2), np.mul(np.mul(c, c1), np.add(h, np.mul(u, a)))),
    np.mul(np.mul(c, c2), np.sub(h, np.mul(u, a))),
  );

  const phi0 = np.mul(0.5, np.sub(F0, dF0));
  const phi1 = np.mul(0.5, np.sub(F1sum, dF1));
  const phi2 = np.mul(0.5, np.sub(F2, dF2));
  return [phi0, phi1, phi2];
}

const uniform = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng.float();

/**
 * One state (u0, u1, u2) = (ρ, ρv, E): density ρ ∈ [0.5, 2], velocity v ∈ [1, 2], energy E ∈ [−1, 0].
 * With γ = 0.5 this gives p = −½E + ¼ρv² > 0 and h ≤ ¼v², so the Roe average keeps
 * a² = −½(h − ½u²) > 0 (velocities within a factor 2 make mean(v²) < 2·mean(v)²), and u ≥ 1, u + a > 1
 * stay away from the kinks of |·|.
 */
function sampleState1d(rng: Rng): [number, number, number] {
  const rho = uniform(rng, 0.5, 2);
  const v = uniform(rng, 1, 2);
  return [rho, rho * v, uniform(rng, -1, 0)];
}

export const RoeFlux_1d: TaskDefinition = {
  name: 'RoeFlux_1d',
  description: 'CFD: Roe approximate Riemann-solver flux of the 1-D Euler equations (γ = 0.5), 6 → 3 scalars',
  inputs: [
    { name: 'ul0', shape: [] },
    { name: 'ul1', shape: [] },
    { name: 'ul2', shape: [] },
    { name: 'ur0', shape: [] },
    { name: 'ur1', shape: [] },
    { name: 'ur2', shape: [] },
  ],
  fn: roeFlux1d,
  samplePoint(rng: Rng): Tensor[] {
    return [...sampleState1d(rng), ...sampleState1d(rng)].map((x) => tensor([], [x]));
  },
  paperName: 'RoeFlux_1d',
};
