import { GraphValidationError, UnsupportedPrimitiveError } from '../graph/errors.js';
import type { Graph, Operand } from '../graph/graph.js';
import { isPrimitive } from '../graph/primitive.js';
import { formatShape, shapesEqual } from '../graph/shape.js';
import { scalarTensor } from '../graph/tensor.js';
import { GraphBuilder } from '../primitives/builder.js';
import { paramsFromJaxpr, type JaxprValue } from './params.js';

/** The shared paper graph format (`../shared/paper/graphs/<task>.json`), the parts that define the program. */
export interface PaperGraphJson {
  task: string;
  inputShapes: number[][];
  equations: {
    vertex: number;
    primitive: string;
    inputs: ({ var: number } | { literal: number | string })[];
    outputShape: number[];
    params: Record<string, JaxprValue>;
  }[];
  outputsInReturnOrder: number[];
}

export function isPaperGraphJson(json: unknown): json is PaperGraphJson {
  const j = json as Partial<PaperGraphJson>;
  return (
    !!j && Array.isArray(j.equations) && Array.isArray(j.inputShapes) && Array.isArray(j.outputsInReturnOrder)
  );
}

const literalValue = (v: number | string): number =>
  typeof v === 'number' ? v : v === '-inf' ? -Infinity : v === 'inf' ? Infinity : Number.NaN;

/**
 * Builds the graph of a shared paper graph JSON from its `equations` (variable ids: inputs 1..numInputs,
 * then numInputs + k for vertex k). Same program, same numbering as the task's jaxpr.
 */
export function importPaperGraph(json: PaperGraphJson): Graph {
  const b = new GraphBuilder();
  const vars: Operand[] = json.inputShapes.map((shape, i) => b.addInput(`x${i + 1}`, shape));
  for (const eq of json.equations) {
    const where = `${json.task} vertex ${eq.vertex}`;
    if (eq.vertex !== vars.length - json.inputShapes.length + 1)
      throw new GraphValidationError(`${where}: vertices out of order`);
    if (!isPrimitive(eq.primitive))
      throw new UnsupportedPrimitiveError(`${where}: unsupported primitive '${eq.primitive}'`);
    const operands = eq.inputs.map((inp): Operand => {
      if ('var' in inp) {
        const op = vars[inp.var - 1];
        if (!op) throw new GraphValidationError(`${where}: unknown variable ${inp.var}`);
        return op;
      }
      return { kind: 'literal', value: scalarTensor(literalValue(inp.literal)) };
    });
    const op = b.addVertex(
      eq.primitive,
      operands,
      paramsFromJaxpr(eq.primitive, eq.params, eq.outputShape) as never,
    );
    if (!shapesEqual(b.shapeOf(op), eq.outputShape)) {
      throw new GraphValidationError(
        `${where}: computes ${formatShape(b.shapeOf(op))}, file says ${formatShape(eq.outputShape)}`,
      );
    }
    vars.push(op);
  }
  return b.build(json.outputsInReturnOrder.map((v) => vars[json.inputShapes.length + v - 1]));
}
