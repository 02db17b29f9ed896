import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { compileGraphJacobian } from '../src/compile/jacobian.js';
import { jaxjsVariant, loadJaxjs } from '../bench/report/jaxjs-peer.js';
import { packPoints } from '../bench/report/runtime.js';
import { TASKS, taskGraph } from '../src/tasks/index.js';
import { Rng } from '../src/util/random.js';

describe('the jax-js peer replay', () => {
  // RoeFlux_3d has slices, concatenations and dot_generals, and outputs of several elements; Perceptron has
  // transposes and reductions.
  for (const name of ['RoeFlux_3d', 'Perceptron']) {
    test(`${name}: jacfwd and jacrev (float32) agree with the compiled Jacobian (float64)`, async () => {
      const jax = await loadJaxjs();
      const task = TASKS.find((t) => t.name === name) as (typeof TASKS)[number];
      const graph = taskGraph(task, 'jaxpr');
      const rng = new Rng(11);
      const points = [task.samplePoint(rng), task.samplePoint(rng)];
      const ours = compileGraphJacobian(graph, 'markowitz')(packPoints(points));
      // Point 0 as a dense (all outputs) × (all inputs) matrix, row-major.
      const dense: number[] = [];
      ours.jacobian.forEach((row, i) => {
        const outSize = ours.outputs[i].length / 2;
        for (let r = 0; r < outSize; r++)
          row.forEach((block) => {
            const inSize = block.length / 2 / outSize;
            for (let c = 0; c < inSize; c++) dense.push(block[r * inSize + c]);
          });
      });
      const n = points[0].reduce((s, t) => s + t.data.length, 0);
      const flat = new Float64Array(2 * n);
      points.forEach((p, b) => {
        let o = b * n;
        for (const t of p) {
          flat.set(t.data, o);
          o += t.data.length;
        }
      });
      for (const mode of ['jacfwd', 'jacrev'] as const) {
        const theirs = await jaxjsVariant(jax, graph, mode, flat, 2).firstJacobian();
        assert.equal(theirs.length, dense.length);
        dense.forEach((x, k) =>
          assert.ok(
            Math.abs(x - theirs[k]) <= 1e-3 * Math.max(1, Math.abs(x)),
            `${mode} entry ${k}: ${x} vs ${theirs[k]}`,
          ),
        );
      }
    });
  }
});
