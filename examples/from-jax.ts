// The README's "From JAX" calls, runnable: npx tsx examples/from-jax.ts
import { jacfwd, jacobian, jacrev, jvp, np, vjp, type Tensor, type Traced } from '../src/index.js';

type Params = { W: Traced; b: Traced };
const f = (p: Params, x: Traced) => np.tanh(np.add(np.matmul(p.W, x), p.b));
const p = {
  W: [
    [0.2, -0.4, 0.1],
    [0.5, 0.3, -0.7],
  ],
  b: [0.1, -0.2],
};
const x = [0.3, -0.5, 0.8];

const [y, dy] = jvp(f, [p, x], [p, x]); // jax.jvp(f, (p, x), (p, x))
const [, pullback] = vjp(f, [p, x]); // y2, pullback = jax.vjp(f, p, x)
const [gp, gx] = pullback([1, -1]); // gp = { W, b }, gx
const dfdp = jacrev(f)(p, x); // jax.jacrev(f)(p, x)
const both = jacfwd(f, { argnums: [0, 1] })(p, x); // jax.jacfwd(f, argnums=(0, 1))(p, x)
const [, aux] = jacrev((q: Params, v: Traced) => [f(q, v), np.sum(v)], { hasAux: true })(p, x) as [
  unknown,
  number,
];

// jax.jit(jax.vmap(jax.jacfwd(f, argnums=0), in_axes=(None, 0))): compiled once, p shared by the batch
const J = jacobian(f, {
  inputs: [{ W: [2, 3], b: [2] }, [3]],
  argnums: 0,
  inAxes: [null, 0],
  format: 'nested',
});
const r = J([p, [0.3, -0.5, 0.8, 1.0, 0.2, -0.1]]);

const shape = (a: unknown): number[] => (Array.isArray(a) ? [a.length, ...shape(a[0])] : []);
console.log('y', y, 'dy', dy);
console.log('pullback: gp.W shape', (gp as { W: Tensor }).W.shape, 'gx', (gx as Tensor).shape);
console.log('jacrev(f)(p, x).W shape', shape((dfdp as { W: unknown }).W), '(out [2] ++ W [2, 3])');
console.log('jacfwd argnums (0, 1): d/dx shape', shape((both as unknown[])[1]));
console.log('aux', aux);
console.log(
  'batched nested d/dW shape',
  shape((r.jacobian as { W: unknown }).W),
  '(batch 2 ++ [2] ++ [2, 3])',
);
