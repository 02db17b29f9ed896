import { NonFiniteError, ShapeError } from '../graph/errors.js';
import type { Graph, Operand } from '../graph/graph.js';
import { formatShape, shapesEqual } from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';
import { primitiveDef } from '../primitives/table.js';

/** Values of every input and vertex (index k - 1 for vertex k) at one point. */
export interface Evaluation {
  readonly inputs: readonly Tensor[];
  readonly values: readonly Tensor[];
}

export interface EvaluateOptions {
  /**
   * Raise NonFiniteError when an input or a vertex value is NaN or infinite, naming the vertex, its
   * primitive and the point (default false: IEEE semantics, as JAX, so values may be ±Inf or NaN).
   */
  readonly checkFinite?: boolean;
}

/** The point in one short line: `x=1.5, W=[0.1,0.2,0.3,…] (6 values)`, for error messages. */
export function describePoint(graph: Graph, inputs: readonly Tensor[]): string {
  const shown = inputs.slice(0, 4).map((t, i) => {
    const values = Array.from(t.data.subarray(0, 4), (x) => String(x)).join(',');
    const body = t.shape.length === 0 ? values : `[${values}${t.data.length > 4 ? ',…' : ''}]`;
    return `${graph.inputs[i].name}=${body}`;
  });
  return `${shown.join(', ')}${inputs.length > 4 ? ', …' : ''}`;
}

/** Checks inputs against the graph's input shapes (and, if asked, for finiteness); one-line errors name the input. */
export function checkInputs(graph: Graph, inputs: readonly Tensor[], checkFinite = true): void {
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
    const bad = checkFinite ? t.data.findIndex((x) => !Number.isFinite(x)) : -1;
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
  const { checkFinite = false } = options;
  checkInputs(graph, inputs, checkFinite);
  const values: Tensor[] = [];
  const ev = { inputs, values };
  for (const v of graph.vertices) {
    const operands = v.operands.map((op) => operandValue(ev, op));
    const out = primitiveDef(v.primitive).evaluate(operands, v.params as never, v.shape);
    if (checkFinite) {
      const bad = out.data.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0)
        throw new NonFiniteError(
          `vertex ${v.id} (${v.primitive}) is not finite at element ${bad}: ${out.data[bad]} (at ${describePoint(graph, inputs)})`,
        );
    }
    values.push(out);
  }
  return ev;
}

export function outputValues(graph: Graph, ev: Evaluation): Tensor[] {
  return graph.outputs.map((op) => operandValue(ev, op));
}
