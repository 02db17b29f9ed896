/**
 * g: a randomly generated scalar program (graphax `examples/randoms.py`, spec graphax-spec.md 5.6): 15
 * inputs, 105 elementary operations over atan2, pow, atan, tan, sinh, log, asin, atanh, …, 20 outputs.
 * `v15 = v16 = jnp.ones(())` are constants, so they appear as 1.0 literals. As in the paper's graph
 * (`data/paper/jaxpr/g.jaxpr`), the program is traced under `jax.vmap` with batch 1: every value has
 * shape (1, 1) and no `convert_element_type` vertices appear (the unbatched trace has 37 of them).
 *
 * A straight-line transcription, one statement per equation; vertex k computes v(k + 16). The traced
 * equation sequence is identical to the jaxpr's (105 vertices).
 */
import { evaluateGraph } from '../evaluate/evaluate.js';
import { localJacobians } from '../evaluate/linearize.js';
import type { Graph } from '../graph/graph.js';
import type { Tensor } from '../graph/tensor.js';
import { tensor } from '../graph/tensor.js';
import * as np from '../trace/tensor-api.js';
import type { Traced } from '../trace/tensor-api.js';
import { trace } from '../trace/trace.js';
import type { Rng } from '../util/random.js';
import type { TaskDefinition } from './task.js';

function randomProgramG(...v: Traced[]): Traced[] {
  const [v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14] = v;
  const v15 = 1; // jnp.ones(())
  const v16 = 1; // jnp.ones(())
  const v17 = np.atan2(v15, v3);
  const v18 = np.pow(v15, v14);
  const v19 = np.atan2(v13, v17);
  const v20 = np.pow(v17, v5);
  const v21 = np.sub(v9, v8);
  const v22 = np.atan(v10);
  const v23 = np.mul(v21, v0);
  const v24 = np.sub(v22, v18);
  const v25 = np.pow(v24, v11);
  const v26 = np.add(v21, v12);
  const v27 = np.exp(v2);
  const v28 = np.add(v21, v26);
  const v29 = np.pow(v16, v17);
  const v30 = np.sin(v3);
  const v31 = np.div(v2, v23);
  const v32 = np.atan2(v24, v26);
  const v33 = np.sub(v29, v25);
  const v34 = np.atan(v33);
  const v35 = np.mul(v7, v27);
  const v36 = np.tan(v13);
  const v37 = np.add(v27, v19);
  const v38 = np.div(v7, v6);
  const v39 = np.sub(v25, v34);
  const v40 = np.sub(v29, v6);
  const v41 = np.pow(v35, v4);
  const v42 = np.cos(v0);
  const v43 = np.sub(v40, v19);
  const v44 = np.div(v41, v7);
  const v45 = np.sub(v40, v8);
  const v46 = np.atan2(v16, v43);
  const v47 = np.div(v8, v30);
  const v48 = np.pow(v37, v36);
  const v49 = np.pow(v47, v44);
  const v50 = np.atan2(v45, v40);
  const v51 = np.atan2(v44, v13);
  const v52 = np.div(v4, v34);
  const v53 = np.atan2(v41, v1);
  const v54 = np.atan2(v25, v53);
  const v55 = np.add(v12, v51);
  const v56 = np.pow(v3, v48);
  const v57 = np.sub(v24, v32);
  const v58 = np.atanh(v48);
  const v59 = np.atanh(v54);
  const v60 = np.atan2(v2, v26);
  const v61 = np.sub(v52, v18);
  const v62 = np.cos(v38);
  const v63 = np.div(v8, v32);
  const v64 = np.atan2(v42, v46);
  const v65 = np.sinh(v36);
  const v66 = np.sub(v61, v50);
  const v67 = np.pow(v13, v39);
  const v68 = np.pow(v37, v26);
  const v69 = np.sub(v68, v43);
  const v70 = np.log(v65);
  const v71 = np.pow(v23, v58);
  const v72 = np.atan2(v50, v69);
  const v73 = np.div(v20, v72);
  const v74 = np.mul(v41, v56);
  const v75 = np.mul(v39, v33);
  const v76 = np.mul(v61, v15);
  const v77 = np.pow(v66, v64);
  const v78 = np.atan2(v53, v25);
  const v79 = np.sub(v59, v60);
  const v80 = np.atan2(v73, v41);
  const v81 = np.mul(v74, v46);
  const v82 = np.square(v5);
  const v83 = np.atan2(v28, v62);
  const v84 = np.atan2(v39, v9);
  const v85 = np.mul(v4, v12);
  const v86 = np.div(v57, v56);
  const v87 = np.atan2(v61, v63);
  const v88 = np.asinh(v14);
  const v89 = np.pow(v86, v83);
  const v90 = np.asin(v66);
  const v91 = np.sub(v70, v79);
  const v92 = np.atan2(v37, v65);
  const v93 = np.mul(v67, v77);
  const v94 = np.pow(v87, v55);
  const v95 = np.square(v49);
  const v96 = np.div(v92, v94);
  const v97 = np.add(v15, v95);
  const v98 = np.div(v91, v76);
  const v99 = np.atanh(v46);
  const v100 = np.mul(v75, v45);
  const v101 = np.div(v100, v28);
  const v102 = np.add(v90, v29);
  const v103 = np.atan2(v80, v84);
  const v104 = np.sub(v20, v91);
  const v105 = np.add(v82, v90);
  const v106 = np.div(v102, v103);
  const v107 = np.pow(v75, v42);
  const v108 = np.mul(v68, v62);
  const v109 = np.div(v102, v1);
  const v110 = np.pow(v98, v101);
  const v111 = np.neg(v100);
  const v112 = np.div(v31, v89);
  const v113 = np.div(v105, v108);
  const v114 = np.sub(v22, v70);
  const v115 = np.mul(v106, v44);
  const v116 = np.sub(v107, v81);
  const v117 = np.pow(v58, v115);
  const v118 = np.sub(v78, v108);
  const v119 = np.tan(v87);
  const v120 = np.pow(v87, v48);
  const v121 = np.add(v105, v38);
  return [
    v121,
    v71,
    v85,
    v88,
    v93,
    v96,
    v97,
    v99,
    v104,
    v109,
    v110,
    v111,
    v112,
    v113,
    v114,
    v116,
    v117,
    v118,
    v119,
    v120,
  ];
}

/**
 * The sampling box. g is NaN almost everywhere: pow(x, y) needs x > 0 for eight different bases,
 * atanh and asin need arguments in (−1, 1) (v58, v59, v90, v99), log needs sinh(tan(v13)) > 0, …
 * (e.g. v24 = atan(v10) − 1 > 0 needs v10 > tan 1, so the source's test value 0.15 gives NaN). The
 * box was found by a random walk inside the feasible region followed by growing a box around a central
 * point; every one of 50 000 points sampled from it gave finite values and local partials, all below
 * 300 in magnitude.
 */
const BOX: readonly (readonly [number, number])[] = [
  [-0.5, -0.1], // v0
  [-7, -5], // v1
  [-12, -9], // v2
  [0.3, 0.7], // v3
  [0.82, 0.98], // v4
  [1, 2], // v5
  [-11, -7], // v6
  [0.7, 1.3], // v7
  [0.02, 0.22], // v8
  [-6.2, -5.6], // v9
  [7, 8.7], // v10
  [0.62, 0.78], // v11
  [8.02, 8.18], // v12
  [1.22, 1.38], // v13
  [2.5, 4], // v14
];

const INPUTS = BOX.map((_range, i) => ({ name: `v${i}`, shape: [1, 1] }));

let graph: Graph | undefined;

/** Whether every vertex value and every local partial is finite at `point`. */
function finiteAt(point: readonly Tensor[]): boolean {
  graph ??= trace(randomProgramG, INPUTS);
  try {
    localJacobians(graph, evaluateGraph(graph, point));
    return true;
  } catch {
    return false;
  }
}

export const g: TaskDefinition = {
  name: 'g',
  paperName: 'g',
  description:
    'random scalar program (atan2, pow, atanh, asin, log, …): 15 inputs → 20 outputs, vmap batch 1',
  inputs: INPUTS,
  fn: randomProgramG,
  samplePoint(rng: Rng) {
    // The box is finite by construction; resampling is a guard against a boundary case.
    for (let attempt = 0; attempt < 100; attempt++) {
      const point = BOX.map(([lo, hi]) => tensor([1, 1], [lo + (hi - lo) * rng.float()]));
      if (finiteAt(point)) return point;
    }
    // Not reached in practice; the centre of the box is a finite point.
    return BOX.map(([lo, hi]) => tensor([1, 1], [(lo + hi) / 2]));
  },
};
