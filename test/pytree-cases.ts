import { np, tensor, type Tensor, type Traced } from '../src/index.js';

/** Functions of pytrees (arrays and objects of tensors) with a point each, scalar and tensor. */
export type Fn = (...args: never[]) => unknown;
export interface Case {
  readonly name: string;
  readonly fn: Fn;
  readonly primals: unknown[];
}

const t = (shape: number[], data: number[]): Tensor => tensor(shape, data);

export const CASES: Case[] = [
  {
    name: 'scalar product plus sine',
    fn: (x: Traced, y: Traced) => np.add(np.mul(x, y), np.sin(x)),
    primals: [0.7, -1.2],
  },
  {
    name: 'dense layer with a parameter object',
    fn: (p: { W: Traced; b: Traced }, x: Traced) => np.tanh(np.add(np.matmul(p.W, x), p.b)),
    primals: [
      {
        W: [
          [0.2, -0.4, 0.1],
          [0.5, 0.3, -0.7],
        ],
        b: [0.1, -0.2],
      },
      [0.3, -0.5, 0.8],
    ],
  },
  {
    name: 'object of results',
    fn: (x: Traced) => ({ total: np.sum(x), squares: np.mul(x, x) }),
    primals: [[1.5, -2, 0.5]],
  },
  {
    name: 'list of tensors in',
    fn: ([a, b]: Traced[]) => np.mul(np.exp(a), b),
    primals: [[t([2], [0.1, 0.2]), t([2], [-1, 3])]],
  },
  {
    name: 'nested lists of results',
    fn: (x: Traced) => [np.exp(x), [np.log(x), np.sqrt(x)]],
    primals: [[0.5, 1.5, 2.5]],
  },
  {
    name: 'matrix square',
    fn: (A: Traced) => np.matmul(A, A),
    primals: [
      [
        [0.4, -0.3],
        [1.2, 0.8],
      ],
    ],
  },
  {
    name: 'vector times broadcast scalar',
    fn: (x: Traced, s: Traced) => np.mul(x, s),
    primals: [[1, -2, 3], 0.5],
  },
  {
    name: 'softmax',
    fn: (x: Traced) => np.div(np.exp(x), np.sum(np.exp(x))),
    primals: [[0.2, -0.4, 1.1, 0.3]],
  },
  {
    name: 'two-link arm (scalar trigonometry, object in and out)',
    fn: (q: { a: Traced; b: Traced }) => ({
      x: np.add(np.cos(q.a), np.mul(0.5, np.cos(np.add(q.a, q.b)))),
      y: np.add(np.sin(q.a), np.mul(0.5, np.sin(np.add(q.a, q.b)))),
    }),
    primals: [{ a: 0.3, b: 1.1 }],
  },
  {
    name: 'reductions and a constant result',
    fn: (x: Traced, y: Traced) => [np.max(np.mul(x, y)), np.sum(np.atan2(x, y), 0), 2],
    primals: [
      [
        [0.5, -1],
        [2, 0.3],
      ],
      [
        [1.5, 0.7],
        [-0.4, 2],
      ],
    ],
  },
];
