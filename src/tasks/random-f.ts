/**
 * f: a hand-flattened random program over tensors (graphax `examples/randoms.py`, spec graphax-spec.md
 * 5.6): powers, dot_generals with explicit dimension numbers, reshapes, size-1 broadcasting, reductions
 * (sum, amax, amin), a slice under stop_gradient and element-wise acos, asinh, cosh, sinh, logistic, ….
 *
 * A straight-line transcription with the source's names (v5 … v74; `_vK` are the reshaped copies the
 * source makes before broadcasting). The source's input v3 is unused and is not an input of the paper's
 * jaxpr, so the inputs are v0 (4), v1 (2,3), v2 (4,4), v4 (4,1). The jaxpr (`data/paper/jaxpr/f.jaxpr`,
 * 80 equations) is followed where it differs from the randoms.py version consulted (graphax 0c1bd48):
 * - `jnp.transpose(v1, axes=[0, 1])` (v12) and `jnp.squeeze(v26)` (v32) are identities and record no
 *   equation: v1 and v26 are used directly;
 * - v16 is reshaped to (1, 1) once (vertex 17) and that copy serves both v19 and v27;
 * - v55 = √|v51| (abs, then sqrt) and v67 = Σ_axis1 v56 (reduce_sum), where that version has √v51 and
 *   amin.
 * The traced equation sequence is identical to the jaxpr's.
 */
import { evaluateGraph } from '../evaluate/evaluate.js';
import { localJacobians } from '../evaluate/linearize.js';
import type { Graph } from '../graph/graph.js';
import type { Tensor } from '../graph/tensor.js';
import { tensor } from '../graph/tensor.js';
import type { Shape } from '../graph/shape.js';
import * as np from '../trace/tensor-api.js';
import type { Traced } from '../trace/tensor-api.js';
import { trace } from '../trace/trace.js';
import type { Rng } from '../util/random.js';
import type { TaskDefinition } from './task.js';

/** lax.dot_general with contracting dimensions (lhs, rhs) and no batch dimensions. */
const contract = (x: Traced, y: Traced, lhs: number, rhs: number): Traced =>
  np.dotGeneral(x, y, [
    [[lhs], [rhs]],
    [[], []],
  ]);

function randomProgramF(v0: Traced, v1: Traced, v2: Traced, v4: Traced): Traced[] {
  const v5 = np.pow(v2, 3);
  const v6 = contract(v4, v5, 0, 0);
  const v7 = contract(v5, v6, 0, 1);
  const v8 = np.pow(v6, 2);
  const v9 = contract(v0, v8, 0, 1);
  const v10 = np.sqrt(v0);
  const v11 = np.acos(v7);
  const v12 = v1; // jnp.transpose(v1, axes=[0, 1]): no equation
  const v13 = contract(v11, v8, 1, 0);
  let _v9 = np.reshape(v9, [1, 1]);
  const v14 = np.add(v11, _v9);
  _v9 = np.reshape(v9, [1, 1]);
  const v15 = np.sub(v14, _v9);
  const v16 = np.cos(v9);
  let _v10 = np.reshape(v10, [4, 1]);
  const v17 = np.add(_v10, v13);
  const v18 = np.asinh(v17);
  const _v16 = np.reshape(v16, [1, 1]);
  const v19 = np.add(v15, _v16);
  const v20 = np.neg(v12);
  const v21 = np.sqrt(v10);
  const v22 = contract(v21, v18, 0, 1);
  const v23 = np.tanh(v12);
  const v24 = np.atan(v19);
  const v25 = np.square(v24);
  const v26 = np.cos(v22);
  const v27 = np.sub(_v16, v25); // the same reshape of v16 as v19's
  const v28 = np.cosh(v23);
  const v29 = np.sum(v20, 0);
  const v30 = np.transpose(v28, [1, 0]);
  const v31 = np.sum(v16, 0);
  const v32 = v26; // jnp.squeeze of a (4,) vector: no equation
  const _v29 = np.reshape(v29, [3, 1]);
  const v33 = np.sub(_v29, v30);
  const v34 = np.div(v31, v33);
  _v10 = np.reshape(v10, [4, 1]);
  const v35 = np.add(v13, _v10);
  const _v32 = np.reshape(v32, [4, 1]);
  const v36 = np.mul(_v32, v35);
  const v37 = np.pow(v32, 2);
  const v38 = np.max(v34, 1);
  const v39 = np.sinh(v36);
  const v40 = np.exp(v27);
  const v41 = np.slice(v39, [3, 3], [4, 4]);
  const v42 = np.sum(v37, 0);
  const v43 = np.add(v42, v38);
  const v44 = contract(v32, v40, 0, 0);
  const v45 = np.asinh(v43);
  const v46 = contract(v24, v15, 1, 1);
  const v47 = np.stopGradient(v41);
  const v48 = np.sigmoid(v45);
  const v49 = contract(v29, v48, 0, 0);
  const v50 = contract(v22, v21, 0, 0);
  const v51 = contract(v44, v47, 0, 1);
  const v52 = contract(v30, v33, 0, 0);
  const v53 = np.mul(v46, v50);
  const v54 = np.sqrt(v37);
  const v55 = np.sqrt(np.abs(v51));
  const v56 = np.sub(v52, v49);
  const v57 = np.cosh(v54);
  const v58 = np.neg(v37);
  const _v57 = np.reshape(v57, [4, 1]);
  const v59 = np.add(_v57, v53);
  const v60 = np.square(v57);
  const v61 = np.sin(v58);
  const v62 = np.atan(v59);
  const v63 = np.sum(v62, 0);
  const v64 = np.min(v63, 0);
  const v65 = np.sub(v64, v55);
  const v66 = np.sqrt(v2);
  const v67 = np.sum(v56, 1);
  const _v61 = np.reshape(v61, [4, 1]);
  const v68 = np.sub(_v61, v66);
  const v69 = contract(v60, v61, 0, 0);
  const v70 = contract(v68, v62, 0, 0);
  const _v22 = np.reshape(v22, [4, 1]);
  const v71 = np.add(_v22, v2);
  const v72 = np.sigmoid(v70);
  const v73 = contract(v72, v71, 0, 0);
  const _v37 = np.reshape(v37, [1, 4]);
  const v74 = np.div(v6, _v37);
  return [v74, v65, v67, v69, v73];
}

const INPUTS: { name: string; shape: Shape }[] = [
  { name: 'v0', shape: [4] },
  { name: 'v1', shape: [2, 3] },
  { name: 'v2', shape: [4, 4] },
  { name: 'v4', shape: [4, 1] },
];

/**
 * The sampling box. acos(v7) needs |v7| < 1, and v7 = v2³·(v4ᵀ·v2³)ᵀ stays below 0.75 for entries of v2
 * in (0, 0.6]; √v0 and √v2 need positive entries. v1 ≥ 0 keeps v33 = Σ(−v1) − cosh(tanh(v1))ᵀ ≤ −1, away
 * from the division by zero in v34, and a small v0 keeps v22 in (−π/2, π/2), away from the zeros of
 * v37 = cos²(v22) that v74 divides by; v51 stays positive, away from the kink of |v51|. Over 20 000
 * sampled points every value and local partial stayed below 100 in magnitude, v22 ∈ [0.2, 1.1],
 * v33 ≤ −1.2, v51 ≥ 0.29 and |v7| ≤ 0.25.
 */
const BOX: Record<string, readonly [number, number]> = {
  v0: [0.02, 0.1],
  v1: [0.1, 1],
  v2: [0.2, 0.6],
  v4: [-1, 1],
};

let graph: Graph | undefined;

/** Whether every vertex value and every local partial is finite at `point`. */
function finiteAt(point: readonly Tensor[]): boolean {
  graph ??= trace(randomProgramF, INPUTS);
  try {
    localJacobians(graph, evaluateGraph(graph, point));
    return true;
  } catch {
    return false;
  }
}

function uniform(rng: Rng, shape: Shape, [lo, hi]: readonly [number, number]): Tensor {
  const n = shape.reduce((a, d) => a * d, 1);
  return tensor(
    shape,
    Array.from({ length: n }, () => lo + (hi - lo) * rng.float()),
  );
}

export const f: TaskDefinition = {
  name: 'f',
  paperName: 'f',
  description:
    'random tensor program (dot_general, reshape, reductions, acos, asinh, …): 4 inputs → 5 outputs',
  inputs: INPUTS,
  fn: randomProgramF,
  samplePoint(rng) {
    // The box is finite by construction; resampling is a guard against a boundary case.
    for (let attempt = 0; attempt < 100; attempt++) {
      const point = INPUTS.map(({ name, shape }) => uniform(rng, shape, BOX[name]));
      if (finiteAt(point)) return point;
    }
    // Not reached in practice; the centre of the box is a finite point.
    return INPUTS.map(({ name, shape }) => {
      const [lo, hi] = BOX[name];
      return uniform(rng, shape, [(lo + hi) / 2, (lo + hi) / 2]);
    });
  },
};
