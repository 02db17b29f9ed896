import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { countOrderWith, eliminableVertices, np, resolveOrder, trace } from '../src/index.js';
import { alphagradEdges } from '../src/alphagrad/encode.js';
import { importJaxpr } from '../src/jaxpr/index.js';
import { PAPER_TASKS, paperData } from './paper-data.js';

interface PaperGraph {
  numInputs: number;
  alphagradEdges: number[][];
  expected: { forward: number; reverse: number; markowitz: number; markowitzOrder: number[] };
  publishedOrders: { algorithm: string; recomputedMultiplications: number | null; order: number[] }[];
}

const TASKS = PAPER_TASKS;
const data = paperData;

describe('alphagrad cost model on the 10 paper graphs (built from our own jaxpr import)', () => {
  for (const task of TASKS) {
    const graph = importJaxpr(data(`jaxpr/${task}.jaxpr`));
    const paper = JSON.parse(data(`graphs/${task}.json`)) as PaperGraph;

    test(`${task}: our edge encoding equals alphagradEdges`, () => {
      const ours = alphagradEdges(graph)
        .map((e) => [e.source + 1, e.target, e.type, ...e.outShape, ...e.inShape])
        .sort((a, b) => a[1] - b[1] || a[0] - b[0]);
      const theirs = [...paper.alphagradEdges].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
      assert.deepEqual(ours, theirs);
    });

    test(`${task}: forward, reverse and Markowitz counts and the Markowitz order equal expected`, () => {
      const count = (spec: 'forward' | 'reverse' | 'markowitz'): number =>
        countOrderWith(graph, resolveOrder(graph, spec, 'alphagrad'), 'alphagrad').multiplications;
      assert.deepEqual(
        { forward: count('forward'), reverse: count('reverse'), markowitz: count('markowitz') },
        {
          forward: paper.expected.forward,
          reverse: paper.expected.reverse,
          markowitz: paper.expected.markowitz,
        },
      );
      assert.deepEqual(resolveOrder(graph, 'markowitz', 'alphagrad'), paper.expected.markowitzOrder);
    });

    const recomputable = paper.publishedOrders.filter((o) => o.recomputedMultiplications !== null);
    if (recomputable.length > 0) {
      test(`${task}: published orders reproduce their counts (${recomputable.map((o) => o.recomputedMultiplications).join(', ')})`, () => {
        for (const o of recomputable) {
          assert.equal(
            countOrderWith(graph, o.order, 'alphagrad').multiplications,
            o.recomputedMultiplications,
            o.algorithm,
          );
        }
      });
    }
  }

  test('the AlphaGrad orders of the 7 faithful tasks give the published counts', () => {
    const published: Record<string, number> = {
      RoeFlux_1d: 320,
      RoeFlux_3d: 811,
      RobotArm_6DOF: 231,
      HumanHeartDipole: 148,
      PropaneCombustion: 88,
      f: 6374,
      g: 417,
    };
    for (const [task, count] of Object.entries(published)) {
      const graph = importJaxpr(data(`jaxpr/${task}.jaxpr`));
      const paper = JSON.parse(data(`graphs/${task}.json`)) as PaperGraph;
      const counts = paper.publishedOrders.map((o) =>
        o.order.length === eliminableVertices(graph).length
          ? countOrderWith(graph, o.order, 'alphagrad').multiplications
          : null,
      );
      assert.ok(counts.includes(count), `${task}: ${count} not among ${counts.join(', ')}`);
    }
  });

  test('Griewank & Walther example: forward 8, reverse 6, Markowitz [2, 1] → 6', () => {
    const g = trace(
      (x, y) => {
        const z = np.mul(x, y);
        const w = np.sin(z);
        return [np.add(w, z), np.log(w)];
      },
      [[], []],
    );
    assert.equal(countOrderWith(g, resolveOrder(g, 'forward'), 'alphagrad').multiplications, 8);
    assert.equal(countOrderWith(g, resolveOrder(g, 'reverse'), 'alphagrad').multiplications, 6);
    assert.deepEqual(resolveOrder(g, 'markowitz', 'alphagrad'), [2, 1]);
    assert.equal(countOrderWith(g, [2, 1], 'alphagrad').multiplications, 6);
  });
});
