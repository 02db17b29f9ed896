import type { Graph, Vertex } from '../graph/graph.js';
import { sizeOf } from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';
import { evaluateGraph, operandValue, outputValues } from '../evaluate/evaluate.js';
import type { ReferenceJacobian } from './tape.js';

export interface FiniteDifferenceOptions {
  /**
   * Relative step: component x is perturbed by ±step·max(1, |x|). The default ∛ε ≈ 6e-6 balances the
   * O(h²) truncation error of central differences against the O(ε/h) rounding error.
   */
  readonly step?: number;
}

/**
 * An approximate Jacobian by central differences, from the interpreter alone (no partial rule is used), in
 * elimination's layout. For checking the exact Jacobians at smooth points only.
 */
export function finiteDifferenceJacobian(
  graph: Graph,
  inputs: readonly Tensor[],
  options: FiniteDifferenceOptions = {},
): ReferenceJacobian {
  const step = options.step ?? Math.cbrt(Number.EPSILON);
  if (!(step > 0 && Number.isFinite(step))) throw new RangeError(`finite-difference step ${step}`);
  const outputs = outputValues(graph, evaluateGraph(graph, inputs));
  const jacobian = outputs.map((out) =>
    inputs.map((input) => {
      const shape = [...out.shape, ...input.shape];
      return { shape, data: new Float64Array(sizeOf(shape)) };
    }),
  );
  inputs.forEach((input, j) => {
    const n = input.data.length;
    for (let c = 0; c < n; c++) {
      const x = input.data[c];
      const h = step * Math.max(1, Math.abs(x));
      const up = x + h;
      const down = x - h;
      const plus = evaluateAt(graph, inputs, j, c, up);
      const minus = evaluateAt(graph, inputs, j, c, down);
      // Divide by the distance actually stepped, which rounding of x ± h may have changed.
      const width = up - down;
      outputs.forEach((_out, i) => {
        const J = jacobian[i][j].data;
        const p = plus[i].data;
        const q = minus[i].data;
        for (let o = 0; o < p.length; o++) J[o * n + c] = (p[o] - q[o]) / width;
      });
    }
  });
  return { outputs, jacobian };
}

/** Outputs with component c of input j set to `value`; a perturbed point may leave the domain, so no check. */
function evaluateAt(graph: Graph, inputs: readonly Tensor[], j: number, c: number, value: number): Tensor[] {
  const data = Float64Array.from(inputs[j].data);
  data[c] = value;
  const perturbed = inputs.map((t, k) => (k === j ? { shape: t.shape, data } : t));
  return outputValues(graph, evaluateGraph(graph, perturbed, { checkFinite: false }));
}

/**
 * The graph with every stop_gradient operand replaced by its value at `point`: differentiating it by
 * finite differences treats those values as constants, as the exact Jacobian does.
 */
export function freezeStopGradients(graph: Graph, point: readonly Tensor[]): Graph {
  const ev = evaluateGraph(graph, point);
  const vertices = graph.vertices.map((v) =>
    v.primitive === 'stop_gradient'
      ? ({ ...v, operands: [{ kind: 'literal', value: operandValue(ev, v.operands[0]) }] } as Vertex)
      : v,
  );
  return { ...graph, vertices };
}
