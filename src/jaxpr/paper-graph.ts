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
  if (!isPaperGraphJson(json))
    throw new GraphValidationError('not a paper graph JSON (equations, inputShapes, outputsInReturnOrder)');
  const b = new GraphBuilder();
  const vars: Operand[] = json.inputShapes.map((shape, i) => b.addInput(`x${i + 1}`, shape));
  for (const [k, eq] of json.equations.entries()) {
    if (!eq || typeof eq !== 'object' || !Array.isArray(eq.inputs))
      throw new GraphValidationError(`${json.task}: equation ${k + 1} is malformed`);
    const where = `${json.task} vertex ${eq.vertex}`;
    if (eq.vertex !== vars.length - json.inputShapes.length + 1)
      throw new GraphValidationError(`${where}: vertices out of order`);
    if (!isPrimitive(eq.primitive))
      throw new UnsupportedPrimitiveError(`${where}: unsupported primitive '${eq.primitive}'`);
    const operands = eq.inputs.map((inp): Operand => {
      if (!inp || typeof inp !== 'object')
        throw new GraphValidationError(`${where}: malformed operand ${JSON.stringify(inp)}`);
      if ('var' in inp) {
        const op = vars[inp.var - 1];
        if (!op) throw new GraphValidationError(`${where}: unknown variable ${inp.var}`);
        return op;
      }
      if (typeof inp.literal !== 'number' && typeof inp.literal !== 'string')
        throw new GraphValidationError(`${where}: malformed operand ${JSON.stringify(inp)}`);
      return { kind: 'literal', value: scalarTensor(literalValue(inp.literal)) };
    });
    const op = b.addVertex(
      eq.primitive,
      operands,
      paramsFromJaxpr(eq.primitive, eq.params, eq.outputShape) as never,
    );
    if (!Array.isArray(eq.outputShape) || !shapesEqual(b.shapeOf(op), eq.outputShape)) {
      throw new GraphValidationError(
        `${where}: computes ${formatShape(b.shapeOf(op))}, file says ${Array.isArray(eq.outputShape) ? formatShape(eq.outputShape) : JSON.stringify(eq.outputShape)}`,
      );
    }
    vars.push(op);
  }
  return b.build(
    json.outputsInReturnOrder.map((v) => {
      const op = vars[json.inputShapes.length + v - 1];
      if (!op) throw new GraphValidationError(`${json.task}: output ${JSON.stringify(v)} is not a vertex`);
      return op;
    }),
  );
}
