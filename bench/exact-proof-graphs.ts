/**
 * The test set of bench/exact-proofs.ts: scalar programs of 40–80 eliminable vertices from realistic
 * families, traced with src/trace (a double pendulum's Euler step, Runge–Kutta steps of small ODEs,
 * planar kinematic chains, a Rusanov flux of the shallow-water equations), plus random programs from the
 * generator bench/search.ts uses. Each family is written from its formulas; sizes vary through the
 * family's parameter.
 */
import { eliminableVertices, type Graph } from '../src/graph/graph.js';
import { trace } from '../src/trace/trace.js';
import * as np from '../src/trace/tensor-api.js';
import type { Traced } from '../src/trace/tensor-api.js';
import { randomScalarGraph } from '../src/tasks/random-graphs.js';

export interface ProofGraph {
  readonly name: string;
  readonly family: string;
  readonly graph: Graph;
}

const scalars = (k: number, prefix: string): { name: string; shape: [] }[] =>
  Array.from({ length: k }, (_x, i) => ({ name: `${prefix}${i}`, shape: [] as [] }));

/**
 * The double pendulum's accelerations (point masses m1, m2 on rods l1, l2) and one explicit Euler step,
 * optionally with the total energy as a further output.
 */
function doublePendulumStep(dt: number, m1: number, m2: number, l1: number, l2: number, withEnergy = false) {
  const gravity = 9.81;
  return (t1: Traced, w1: Traced, t2: Traced, w2: Traced): Traced[] => {
    const d = np.sub(t2, t1);
    const sd = np.sin(d);
    const cd = np.cos(d);
    const den1 = np.sub((m1 + m2) * l1, np.mul(m2 * l1, np.mul(cd, cd)));
    const num1 = np.add(
      np.add(
        np.mul(np.mul(m2 * l1, np.mul(w1, w1)), np.mul(sd, cd)),
        np.mul(m2 * gravity, np.mul(np.sin(t2), cd)),
      ),
      np.sub(np.mul(m2 * l2, np.mul(np.mul(w2, w2), sd)), np.mul((m1 + m2) * gravity, np.sin(t1))),
    );
    const a1 = np.div(num1, den1);
    const den2 = np.mul(l2 / l1, den1);
    const num2 = np.add(
      np.mul(-m2 * l2, np.mul(np.mul(w2, w2), np.mul(sd, cd))),
      np.mul(
        m1 + m2,
        np.sub(
          np.sub(np.mul(gravity, np.mul(np.sin(t1), cd)), np.mul(l1, np.mul(np.mul(w1, w1), sd))),
          np.mul(gravity, np.sin(t2)),
        ),
      ),
    );
    const a2 = np.div(num2, den2);
    const next = [
      np.add(t1, np.mul(dt, w1)),
      np.add(w1, np.mul(dt, a1)),
      np.add(t2, np.mul(dt, w2)),
      np.add(w2, np.mul(dt, a2)),
    ];
    if (!withEnergy) return next;
    // Total energy of the current state (a monitor output, as simulation code reports it).
    const kinetic = np.add(
      np.add(np.mul(0.5 * (m1 + m2) * l1 * l1, np.mul(w1, w1)), np.mul(0.5 * m2 * l2 * l2, np.mul(w2, w2))),
      np.mul(m2 * l1 * l2, np.mul(np.mul(w1, w2), cd)),
    );
    const potential = np.add(
      np.mul(-(m1 + m2) * gravity * l1, np.cos(t1)),
      np.mul(-m2 * gravity * l2, np.cos(t2)),
    );
    return [...next, np.add(kinetic, potential)];
  };
}

/** The Lotka–Volterra right-hand side with a saturating predator response. */
function predatorPrey(x: Traced, y: Traced): [Traced, Traced] {
  const response = np.div(np.mul(x, y), np.add(1, x));
  return [
    np.sub(np.mul(x, np.sub(1, np.mul(0.1, x))), response),
    np.sub(np.mul(0.75, response), np.mul(0.4, y)),
  ];
}

/** The damped, driven pendulum as a first-order system (state θ, ω; drive through θ only). */
function dampedPendulum(th: Traced, w: Traced): [Traced, Traced] {
  return [w, np.sub(np.neg(np.mul(9.81, np.sin(th))), np.mul(0.3, np.mul(w, np.abs(w))))];
}

type Rhs = (x: Traced, y: Traced) => [Traced, Traced];

/** `steps` steps of Heun's method (second-order Runge–Kutta) of a two-state ODE. */
function heunSteps(rhs: Rhs, steps: number, h: number) {
  return (x0: Traced, y0: Traced): Traced[] => {
    let [x, y] = [x0, y0];
    for (let s = 0; s < steps; s++) {
      const [k1x, k1y] = rhs(x, y);
      const [k2x, k2y] = rhs(np.add(x, np.mul(h, k1x)), np.add(y, np.mul(h, k1y)));
      x = np.add(x, np.mul(h / 2, np.add(k1x, k2x)));
      y = np.add(y, np.mul(h / 2, np.add(k1y, k2y)));
    }
    return [x, y];
  };
}

/** One classical fourth-order Runge–Kutta step of a two-state ODE. */
function rk4Step(rhs: Rhs, h: number) {
  return (x: Traced, y: Traced): Traced[] => {
    const [k1x, k1y] = rhs(x, y);
    const [k2x, k2y] = rhs(np.add(x, np.mul(h / 2, k1x)), np.add(y, np.mul(h / 2, k1y)));
    const [k3x, k3y] = rhs(np.add(x, np.mul(h / 2, k2x)), np.add(y, np.mul(h / 2, k2y)));
    const [k4x, k4y] = rhs(np.add(x, np.mul(h, k3x)), np.add(y, np.mul(h, k3y)));
    const comb = (a: Traced, b: Traced, c: Traced, d: Traced): Traced =>
      np.mul(h / 6, np.add(np.add(a, np.mul(2, b)), np.add(np.mul(2, c), d)));
    return [np.add(x, comb(k1x, k2x, k3x, k4x)), np.add(y, comb(k1y, k2y, k3y, k4y))];
  };
}

/** Tip position and heading of a planar chain of `links` revolute joints with unit-ish link lengths. */
function planarChain(links: number) {
  return (...angles: Traced[]): Traced[] => {
    let heading: Traced | null = null;
    let x: Traced | null = null;
    let y: Traced | null = null;
    for (let k = 0; k < links; k++) {
      heading = heading ? np.add(heading, angles[k]) : angles[k];
      const len = 1 + 0.1 * k;
      const dx = np.mul(len, np.cos(heading));
      const dy = np.mul(len, np.sin(heading));
      x = x ? np.add(x, dx) : dx;
      y = y ? np.add(y, dy) : dy;
    }
    return [x as Traced, y as Traced, np.atan2(y as Traced, x as Traced)];
  };
}

/**
 * Rusanov (local Lax–Friedrichs) flux in x of the shallow-water equations, q = (h, hu) in 1-D or
 * (h, hu, hv) in 2-D.
 */
function rusanovFlux(gravity: number, ql: readonly Traced[], qr: readonly Traced[]): Traced[] {
  const physical = ([h, hu, hv]: readonly Traced[]): Traced[] => {
    const u = np.div(hu, h);
    const c = np.sqrt(np.mul(gravity, h));
    const momentum = np.add(np.mul(hu, u), np.mul(gravity / 2, np.mul(h, h)));
    const speed = np.add(np.abs(u), c);
    return hv ? [hu, momentum, np.mul(hu, np.div(hv, h)), speed] : [hu, momentum, speed];
  };
  const left = physical(ql);
  const right = physical(qr);
  const s = np.mul(0.5, np.maximum(left[ql.length], right[ql.length]));
  return ql.map((_q, k) => np.sub(np.mul(0.5, np.add(left[k], right[k])), np.mul(s, np.sub(qr[k], ql[k]))));
}

/** One finite-volume update of the middle of three shallow-water cells: q − r·(F(q, q_right) − F(q_left, q)). */
function shallowWaterCell(gravity: number, ratio: number, dims: 1 | 2) {
  const m = dims + 1;
  return (...q: Traced[]): Traced[] => {
    const [left, mid, right] = [q.slice(0, m), q.slice(m, 2 * m), q.slice(2 * m, 3 * m)];
    const east = rusanovFlux(gravity, mid, right);
    const west = rusanovFlux(gravity, left, mid);
    return mid.map((x, k) => np.sub(x, np.mul(ratio, np.sub(east[k], west[k]))));
  };
}

/** The random programs of bench/search.ts's table (same generator and parameters), for `requested` vertices. */
export function randomSearchGraph(requested: number, seed: number): Graph {
  return randomScalarGraph({
    numInputs: 4,
    numVertices: Math.round(requested * 1.15) + 3,
    numOutputs: 3,
    seed: 1000 * requested + seed,
    window: 8,
    noDeadCode: true,
  });
}

/** The whole test set, in a fixed order; every graph has 40–80 eliminable vertices (checked). */
export function exactProofGraphs(): ProofGraph[] {
  const list: ProofGraph[] = [
    {
      name: 'double-pendulum-euler',
      family: 'double pendulum',
      graph: trace(doublePendulumStep(0.01, 1, 1, 1, 1), scalars(4, 's')),
    },
    {
      name: 'double-pendulum-euler-energy',
      family: 'double pendulum',
      graph: trace(doublePendulumStep(0.005, 2, 0.5, 1.5, 0.7, true), scalars(4, 's')),
    },
    {
      name: 'predator-prey-heun-2',
      family: 'Runge-Kutta',
      graph: trace(heunSteps(predatorPrey, 2, 0.1), scalars(2, 'x')),
    },
    {
      name: 'predator-prey-rk4',
      family: 'Runge-Kutta',
      graph: trace(rk4Step(predatorPrey, 0.1), scalars(2, 'x')),
    },
    {
      name: 'pendulum-heun-3',
      family: 'Runge-Kutta',
      graph: trace(heunSteps(dampedPendulum, 3, 0.05), scalars(2, 'x')),
    },
    {
      name: 'pendulum-rk4',
      family: 'Runge-Kutta',
      graph: trace(rk4Step(dampedPendulum, 0.05), scalars(2, 'x')),
    },
    { name: 'planar-chain-8', family: 'kinematics', graph: trace(planarChain(8), scalars(8, 'q')) },
    { name: 'planar-chain-10', family: 'kinematics', graph: trace(planarChain(10), scalars(10, 'q')) },
    { name: 'planar-chain-11', family: 'kinematics', graph: trace(planarChain(11), scalars(11, 'q')) },
    {
      name: 'shallow-water-1d-cell',
      family: 'flux',
      graph: trace(shallowWaterCell(9.81, 0.1, 1), scalars(6, 'q')),
    },
  ];
  for (const requested of [40, 50, 60])
    for (const seed of [1, 2])
      list.push({
        name: `random-${requested}-s${seed}`,
        family: 'random',
        graph: randomSearchGraph(requested, seed),
      });
  return list;
}

/** Number of eliminable vertices (the size the targets speak of). */
export const eliminableCount = (g: Graph): number => eliminableVertices(g).length;
