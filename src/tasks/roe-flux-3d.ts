/**
 * RoeFlux_3d: Roe's approximate Riemann-solver flux for the 3-D Euler equations with a vector momentum
 * (graphax `roe.py`, `RoeFlux_3d`), written from the formulas in the batched form the paper traced it in:
 * `jax.vmap` with batch 1, so every per-example scalar is (1,1) and every 3-vector (1,3).
 *
 * The traced equation sequence is identical to data/paper/jaxpr/RoeFlux_3d.jaxpr (146 equations, outputs
 * 142, 144, 146). What vmap inserts is written out explicitly:
 * - Σ over the vector axis is reduce_sum over axis 1, giving a (1,) value; where it meets a (1,1) value it
 *   is broadcast back with broadcast_in_dim(broadcast_dimensions=(0,)) (`perExample`), once per use, as
 *   JAX does (np.broadcastTo would align trailing axes and record dimensions (1,)).
 * - dot(uvw, du) is a dot_general contracting axis 1 with batch axis 0.
 * - `jnp.zeros(2)` is broadcast_in_dim of the literal 0.0 to (2,), then to (1,2) for the concatenate.
 * Like the Python source, √ul0 and √ur0 are fresh sqrt equations at every use.
 *
 * γ = 0.5, so γ − 1 = −0.5 is a literal; samplePoint keeps the energies ≤ 0 so p > 0 and a² > 0.
 */
import { tensor, type Tensor } from '../graph/tensor.js';
import * as np from '../trace/tensor-api.js';
import type { Traced } from '../trace/tensor-api.js';
import type { Rng } from '../util/random.js';
import type { TaskDefinition } from './task.js';

/** Ratio of specific heats as the benchmark sets it (module constant `gamma` of roe.py). */
const GAMMA = 0.5;

/** A per-example scalar of shape (1,) as a (1,1) value: the broadcast vmap inserts (batch axis 0). */
const perExample = (x: Traced): Traced =>
  np.bind('broadcast_in_dim', [x], { shape: [1, 1], broadcast_dimensions: [0] });

/** Σ x over the vector axis, per example: (1,3) → (1,). */
const vectorSum = (x: Traced): Traced => np.sum(x, 1);

/** x · y over the vector axis, per example: (1,3), (1,3) → (1,). */
const vectorDot = (x: Traced, y: Traced): Traced =>
  np.dotGeneral(x, y, [
    [[1], [1]],
    [[0], [0]],
  ]);

/** Component k of a vector, per example: x[k:k+1], (1,3) → (1,1). */
const component = (x: Traced, k: number): Traced => np.slice(x, [0, k], [1, k + 1]);

/** Pressure p = (γ − 1)(u4 − ½Σu²/u0). */
const p3 = (u0: Traced, u: Traced, u4: Traced): Traced =>
  np.mul(GAMMA - 1, np.sub(u4, np.div(perExample(np.mul(0.5, vectorSum(np.pow(u, 2)))), u0)));

/** Specific enthalpy h = (u4 + p)/u0. */
const h3 = (u0: Traced, u4: Traced, p: Traced): Traced => np.div(np.add(u4, p), u0);

/**
 * The source's flux F3 = (u[0], (p, 0, 0) + u·v, v[0]·(p + u4)) of a state with velocity v = u/u0. The
 * momentum term u·v is element-wise as in roe.py (the physical x-flux would be u·v[0]); kept as written.
 */
function F3(u: Traced, v: Traced, u4: Traced, p: Traced): [Traced, Traced, Traced] {
  const vx = component(v, 0);
  const zeros = np.broadcastTo(0, [2]);
  const pressure = np.concatenate([p, np.broadcastTo(zeros, [1, 2])], 1);
  const mass = component(u, 0);
  const momentum = np.add(pressure, np.mul(u, v));
  const energy = np.mul(vx, np.add(p, u4));
  return [mass, momentum, energy];
}

function roeFlux3d(
  ul0: Traced,
  ul: Traced,
  ul4: Traced,
  ur0: Traced,
  ur: Traced,
  ur4: Traced,
): [Traced, Traced, Traced] {
  const du0 = np.sub(ur0, ul0);
  const du = np.sub(ur, ul);
  const du1 = component(du, 0);
  const du2 = component(du, 1);
  const du3 = component(du, 2);
  const du4 = np.sub(ur4, ul4);

  const vl = np.div(ul, ul0);
  const vr = np.div(ur, ur0);
  const w1 = np.add(np.sqrt(ul0), np.sqrt(ur0));

  // Roe-averaged velocity (√ρ-weighted).
  const uvw = np.div(np.add(np.mul(np.sqrt(ul0), vl), np.mul(np.sqrt(ur0), vr)), w1);
  const u = component(uvw, 0);
  const v = component(uvw, 1);
  const w = component(uvw, 2);

  const pl = p3(ul0, ul, ul4);
  const hl = h3(ul0, ul4, pl);
  const pr = p3(ur0, ur, ur4);
  const hr = h3(ur0, ur4, pr);

  const h = np.div(np.add(np.mul(np.sqrt(ul0), hl), np.mul(np.sqrt(ur0), hr)), w1);
  const q2 = vectorSum(np.pow(uvw, 2));
  const a2 = np.mul(GAMMA - 1, np.sub(h, perExample(np.mul(0.5, q2))));
  const a = np.sqrt(a2);

  // Wave speeds (no absolute values in the 3-D version).
  const lp = np.add(u, a);
  const l = u;
  const lm = np.sub(u, a);

  // Wave strengths times speeds.
  const c3 = np.mul(
    np.mul(
      np.div(GAMMA - 1, a2),
      np.sub(np.add(np.mul(np.sub(h, perExample(q2)), du0), perExample(vectorDot(uvw, du))), du4),
    ),
    l,
  );
  const c2 = np.mul(np.sub(np.div(du3, w), du1), l);
  const c1 = np.mul(np.sub(np.div(du2, v), du0), l);
  const k1 = np.sub(du0, c3);
  const k2 = np.div(np.sub(du1, np.mul(u, du0)), a);
  const c0 = np.mul(np.mul(0.5, np.sub(k1, k2)), lm);
  const c4 = np.mul(np.mul(0.5, np.add(k1, k2)), lp);

  const [FL0, FL, FL4] = F3(ul, vl, ul4, pl);
  const [FR0, FR, FR4] = F3(ur, vr, ur4, pr);
  const F0 = np.add(FL0, FR0);
  const F = np.add(FL, FR);
  const F4 = np.add(FL4, FR4);

  const dF0 = np.add(np.add(c0, c3), np.mul(c4, lp));
  const dF1 = np.add(np.add(np.mul(c0, lm), np.mul(c3, u)), np.mul(c4, lp));
  const dF2 = np.add(np.add(np.add(np.mul(c0, v), np.mul(c1, v)), np.mul(c3, v)), np.mul(c4, v));
  const dF3 = np.add(np.add(np.add(np.mul(c0, w), np.mul(c2, w)), np.mul(c3, w)), np.mul(c4, w));
  const dF4 = np.add(
    np.add(
      np.add(np.add(np.mul(c0, np.sub(h, np.mul(u, a))), np.mul(c1, np.pow(v, 2))), np.mul(c2, np.pow(w, 2))),
      np.mul(np.mul(c3, 0.5), perExample(q2)),
    ),
    np.mul(c4, np.add(h, np.mul(u, a))),
  );
  const dF = np.concatenate([dF1, dF2, dF3], 1);

  const phi0 = np.mul(0.5, np.sub(F0, dF0));
  const phi = np.mul(0.5, np.sub(F, dF));
  const phi4 = np.mul(0.5, np.sub(F4, dF4));
  return [phi0, phi, phi4];
}

const uniform = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng.float();

/**
 * One state: density ρ ∈ [0.5, 2], each velocity component in [1, 2] (momentum ρv), energy E ∈ [−1, 0].
 * With γ = 0.5: p = −½E + ¼ρ|v|² > 0, h ≤ ¼|v|² < ½|uvw|² for the Roe average, so a² > 0; every Roe
 * velocity component is ≥ 1, so the divisions by v and w stay away from zero.
 */
function sampleState3d(rng: Rng): Tensor[] {
  const rho = uniform(rng, 0.5, 2);
  const momentum = [0, 1, 2].map(() => rho * uniform(rng, 1, 2));
  return [tensor([1, 1], [rho]), tensor([1, 3], momentum), tensor([1, 1], [uniform(rng, -1, 0)])];
}

export const RoeFlux_3d: TaskDefinition = {
  name: 'RoeFlux_3d',
  description:
    'CFD: Roe approximate Riemann-solver flux of the 3-D Euler equations (γ = 0.5), vmap batch 1: (1,1), (1,3), (1,1) per side',
  inputs: [
    { name: 'ul0', shape: [1, 1] },
    { name: 'ul', shape: [1, 3] },
    { name: 'ul4', shape: [1, 1] },
    { name: 'ur0', shape: [1, 1] },
    { name: 'ur', shape: [1, 3] },
    { name: 'ur4', shape: [1, 1] },
  ],
  fn: roeFlux3d,
  samplePoint(rng: Rng): Tensor[] {
    return [...sampleState3d(rng), ...sampleState3d(rng)];
  },
  paperName: 'RoeFlux_3d',
};
