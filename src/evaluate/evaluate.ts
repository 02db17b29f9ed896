import { NonFiniteError, ShapeError } from '../graph/errors.js';
import type { Graph, Operand } from '../graph/graph.js';
import { formatShape, shapesEqual } from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';
import { ruleOf } from '../primitives/rules.js';

/** Values of every input and vertex (index k - 1 for vertex k) at one point. */
export interface Evaluation {
  readonly inputs: readonly Tensor[];
  readonly values: readonly Tensor[];
}

export interface EvaluateOptions {
  /** Raise NonFiniteError when a vertex value is NaN or infinite (default true). */
  readonly checkFinite?: boolean;
}

/** Checks inputs against the graph's input shapes and for finiteness; one-line errors name the input. */
export function checkInputs(graph: Graph, inputs: readonly Tensor[]): void {
  if (inputs.length !== graph.inputs.length) {
    throw new ShapeError(`expected ${graph.inputs.length} inputs, got ${inputs.length}`);
  }
  inputs.forEach((t, i) => {
    const spec = graph.inputs[i];
    if (!shapesEqual(t.shape, spec.shape)) {
      throw new ShapeError(
        `input ${i + 1} (${spec.name}) has shape ${formatShape(t.shape)}, expected ${formatShape(spec.shape)}`,
      );
    }
    const bad = t.data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0)
      throw new NonFiniteError(
        `input ${i + 1} (${spec.name}) is not finite at element ${bad}: ${t.data[bad]}`,
      );
  });
}

export function operandValue(ev: Pick<Evaluation, 'inputs' | 'values'>, op: Operand): Tensor {
  switch (op.kind) {
    case 'input':
      return ev.inputs[op.index];
    case 'vertex':
      return ev.values[op.id - 1];
    case 'literal':
      return op.value;
  }
}

/** Runs the program on concrete inputs (the reference interpreter every other executor is checked against). */
export function evaluateGraph(
  graph: Graph,
  inputs: readonly Tensor[],
  options: EvaluateOptions = {},
): Evaluation {
  const { checkFinite = true } = options;
  checkInputs(graph, inputs);
  const values: Tensor[] = [];
  const ev = { inputs, values };
  for (const v of graph.vertices) {
    const operands = v.operands.map((op) => operandValue(ev, op));
    const out = ruleOf(v.primitive).evaluate(operands, v.params as never, v.shape);
    if (checkFinite) {
      const bad = out.data.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0)
        throw new NonFiniteError(
          `vertex ${v.id} (${v.primitive}) is not finite at element ${bad}: ${out.data[bad]}`,
        );
    }
    values.push(out);
  }
  return ev;
}

export function outputValues(graph: Graph, ev: Evaluation): Tensor[] {
  return graph.outputs.map((op) => operandValue(ev, op));
}
