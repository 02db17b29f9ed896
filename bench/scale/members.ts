/** The scale benchmark's families and sizes, and how each member is built and checked. */
import type { Graph } from '../../src/index.js';
import { fluxKernel, mlp, randomScalarGraph, rk4Lorenz } from './families.js';

export type ResultFormatName = 'blocks' | 'dense' | 'sparse';

export interface Family {
  readonly name: string;
  readonly what: string;
  readonly sizeName: string;
  readonly sizes: readonly number[];
  readonly quickSizes: readonly number[];
  build(size: number): Graph;
  /** Result format the member is compiled with (many scalar inputs and outputs: sparse). */
  readonly format: ResultFormatName;
  /** Time the sparse result against the dense one of the same order (the sparse-format target). */
  readonly compareDense?: boolean;
  /** Inputs perturbed by the directional check (others enter through stop_gradient). */
  readonly checkedInputs?: readonly number[];
  /** Largest batch whose result is materialised for the steady-state timing. */
  readonly maxBatch: (size: number) => number;
}

export const FAMILIES: readonly Family[] = [
  {
    name: 'rk4',
    what: 'RK4 of the Lorenz system (3 scalar states), Jacobian of the end state',
    sizeName: 'steps',
    sizes: [10, 100, 1000],
    quickSizes: [10, 100],
    build: rk4Lorenz,
    format: 'dense',
    maxBatch: () => 64,
  },
  {
    name: 'flux',
    what: '1-D finite-volume flux kernel on scalar cells (periodic, banded Jacobian)',
    sizeName: 'cells',
    sizes: [10, 100, 1000, 10000],
    quickSizes: [10, 100, 1000],
    build: fluxKernel,
    format: 'sparse',
    compareDense: true,
    maxBatch: () => 64,
  },
  {
    name: 'mlp-inputs',
    what: '3-layer tanh MLP, Jacobian w.r.t. the input (weights through stop_gradient)',
    sizeName: 'width',
    sizes: [16, 64, 256, 1024],
    quickSizes: [16, 64],
    build: (w) => mlp(w, false),
    // Sparse: the weights' blocks are structurally zero, so only d(output)/d(input) is stored.
    format: 'sparse',
    checkedInputs: [0],
    maxBatch: (w) => (w <= 256 ? 64 : 1),
  },
  {
    name: 'mlp-weights',
    what: '3-layer tanh MLP, Jacobian w.r.t. the input and all weights and biases',
    sizeName: 'width',
    sizes: [16, 64, 256],
    quickSizes: [16],
    build: (w) => mlp(w, true),
    format: 'blocks',
    maxBatch: (w) => (w <= 16 ? 64 : w <= 64 ? 8 : 1),
  },
  {
    name: 'random',
    what: 'random scalar DAG (10 inputs, 10 outputs, operands from the last 12 nodes or, 2% of them, an input; seed 1)',
    sizeName: 'vertices',
    sizes: [100, 1000, 10000, 100000],
    quickSizes: [100, 1000, 10000],
    build: (n) =>
      randomScalarGraph({
        numInputs: 10,
        numVertices: n,
        numOutputs: 10,
        seed: 1,
        window: 12,
        inputOperandRate: 0.02,
      }),
    format: 'sparse',
    maxBatch: () => 64,
  },
];

export const familyByName = (name: string): Family => {
  const f = FAMILIES.find((x) => x.name === name);
  if (!f) throw new Error(`unknown family ${name}`);
  return f;
};
