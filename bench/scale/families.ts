/** Program families for the scale benchmark and the scale tests: ordinary scientific code, written with np. */
import { np, trace, type Graph, type Traced } from '../../src/index.js';
import { randomScalarGraph } from '../../src/tasks/random-graphs.js';

export interface ScaleProgram {
  readonly family: string;
  readonly size: number;
  readonly graph: Graph;
}

/** RK4 of the Lorenz system (3 scalar states), `steps` steps of h = 0.01: Jacobian of the end state. */
export function rk4Lorenz(steps: number): Graph {
  const rhs = (x: Traced, y: Traced, z: Traced): [Traced, Traced, Traced] => [
    np.mul(10, np.sub(y, x)),
    np.sub(np.mul(x, np.sub(28, z)), y),
    np.sub(np.mul(x, y), np.mul(8 / 3, z)),
  ];
  return trace(
    (x0, y0, z0) => {
      let s: [Traced, Traced, Traced] = [x0, y0, z0];
      const h = 0.01;
      const axpy = (a: Traced[], k: Traced[], c: number): [Traced, Traced, Traced] =>
        [0, 1, 2].map((i) => np.add(a[i], np.mul(c, k[i]))) as [Traced, Traced, Traced];
      for (let t = 0; t < steps; t++) {
        const k1 = rhs(...s);
        const k2 = rhs(...axpy(s, k1, h / 2));
        const k3 = rhs(...axpy(s, k2, h / 2));
        const k4 = rhs(...axpy(s, k3, h));
        s = [0, 1, 2].map((i) =>
          np.add(
            s[i],
            np.mul(h / 6, np.add(np.add(k1[i], np.mul(2, k2[i])), np.add(np.mul(2, k3[i]), k4[i]))),
          ),
        ) as [Traced, Traced, Traced];
      }
      return s;
    },
    [[], [], []],
  );
}

/**
 * A 1-D finite-volume flux kernel on `cells` scalar cells (periodic): a Rusanov-type flux between
 * neighbours with sqrt wave speeds, then the update u - dt·(F_right - F_left). Jacobian is banded.
 */
export function fluxKernel(cells: number): Graph {
  return trace(
    (...u) => {
      const flux = (a: Traced, b: Traced): Traced => {
        const fa = np.mul(0.5, np.mul(a, a));
        const fb = np.mul(0.5, np.mul(b, b));
        const speed = np.sqrt(np.add(np.mul(a, a), np.add(np.mul(b, b), 1)));
        return np.sub(np.mul(0.5, np.add(fa, fb)), np.mul(np.mul(0.5, speed), np.sub(b, a)));
      };
      const f: Traced[] = [];
      for (let i = 0; i < cells; i++) f.push(flux(u[i], u[(i + 1) % cells]));
      return u.map((ui, i) =>
        np.sub(ui, np.div(np.sub(f[i], f[(i + cells - 1) % cells]), np.add(10, np.mul(ui, ui)))),
      );
    },
    Array.from({ length: cells }, () => []),
  );
}

/** A 3-layer tanh MLP of the given width on a width-vector input; Jacobian w.r.t. the input (and weights). */
export function mlp(width: number, withWeights: boolean): Graph {
  const layer = (W: Traced, b: Traced, x: Traced): Traced => np.tanh(np.add(np.matmul(W, x), b));
  const shapes = [[width], [width, width], [width], [width, width], [width], [width, width], [width]];
  if (!withWeights)
    // Weights enter through stop_gradient: the Jacobian w.r.t. them is structurally zero.
    return trace((x, W1, b1, W2, b2, W3, b3) => {
      const c = (t: Traced): Traced => np.stopGradient(t);
      return layer(c(W3), c(b3), layer(c(W2), c(b2), layer(c(W1), c(b1), x)));
    }, shapes);
  return trace((x, W1, b1, W2, b2, W3, b3) => layer(W3, b3, layer(W2, b2, layer(W1, b1, x))), shapes);
}

export { randomScalarGraph };
