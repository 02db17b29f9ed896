import { GraphValidationError } from './errors.js';
import type { Graph, GraphInput, Operand, Vertex } from './graph.js';
import { checkShape } from './shape.js';
import { tensor } from './tensor.js';

/** JSON numbers cannot hold ±Infinity or NaN (softmax lowers to max(-inf, ·)), so those become strings. */
type JsonNumber = number | 'inf' | '-inf' | 'nan';

type OperandJson =
  { input: number } | { vertex: number } | { literal: { shape: number[]; data: JsonNumber[] } };

export interface GraphJson {
  format: 'crosscountry-graph';
  version: 1;
  inputs: { name: string; shape: number[] }[];
  vertices: {
    id: number;
    primitive: string;
    operands: OperandJson[];
    params: unknown;
    shape: number[];
    name?: string;
  }[];
  outputs: OperandJson[];
}

const encodeNumber = (x: number): JsonNumber =>
  Number.isNaN(x) ? 'nan' : x === Infinity ? 'inf' : x === -Infinity ? '-inf' : x;
const decodeNumber = (x: unknown): number => {
  if (typeof x === 'number') return x;
  if (x === 'inf') return Infinity;
  if (x === '-inf') return -Infinity;
  if (x === 'nan') return NaN;
  throw new GraphValidationError(`graph JSON: ${JSON.stringify(x)} is not a number`);
};

function encodeOperand(op: Operand): OperandJson {
  switch (op.kind) {
    case 'input':
      return { input: op.index + 1 };
    case 'vertex':
      return { vertex: op.id };
    case 'literal':
      return { literal: { shape: [...op.value.shape], data: [...op.value.data].map(encodeNumber) } };
  }
}

function decodeOperand(json: unknown, where: string): Operand {
  const o = json as Record<string, unknown>;
  if (o && typeof o.input === 'number') return { kind: 'input', index: o.input - 1 };
  if (o && typeof o.vertex === 'number') return { kind: 'vertex', id: o.vertex };
  if (o && typeof o.literal === 'object' && o.literal !== null) {
    const lit = o.literal as { shape?: unknown; data?: unknown };
    if (Array.isArray(lit.shape) && Array.isArray(lit.data)) {
      return {
        kind: 'literal',
        value: tensor(checkShape(lit.shape, `a literal in ${where}`), lit.data.map(decodeNumber)),
      };
    }
  }
  throw new GraphValidationError(`graph JSON: bad operand ${JSON.stringify(json)} in ${where}`);
}

/** Serialises a graph (literal values included); inputs are numbered 1-based like vertices. */
export function graphToJson(graph: Graph): GraphJson {
  return {
    format: 'crosscountry-graph',
    version: 1,
    inputs: graph.inputs.map((i) => ({ name: i.name, shape: [...i.shape] })),
    vertices: graph.vertices.map((v) => ({
      id: v.id,
      primitive: v.primitive,
      operands: v.operands.map(encodeOperand),
      params: v.params,
      shape: [...v.shape],
      ...(v.name ? { name: v.name } : {}),
    })),
    outputs: graph.outputs.map(encodeOperand),
  };
}

/**
 * Reads the JSON form back. The result is not yet checked against the primitive rules: pass it through
 * validateGraph (primitives/builder) before use.
 */
export function graphFromJson(json: unknown): Graph {
  const g = json as Partial<GraphJson>;
  if (
    !g ||
    g.format !== 'crosscountry-graph' ||
    !Array.isArray(g.inputs) ||
    !Array.isArray(g.vertices) ||
    !Array.isArray(g.outputs)
  ) {
    throw new GraphValidationError(
      'not a crosscountry graph JSON (format "crosscountry-graph" with inputs, vertices, outputs)',
    );
  }
  const inputs: GraphInput[] = g.inputs.map((i, k) => {
    if (!i || !Array.isArray(i.shape))
      throw new GraphValidationError(`graph JSON: input ${k + 1} has no shape`);
    return { name: String(i.name ?? `x${k}`), shape: checkShape(i.shape, `graph JSON: input ${k + 1}`) };
  });
  const vertices = g.vertices.map((v, k) => {
    if (!v || typeof v.primitive !== 'string' || !Array.isArray(v.operands) || !Array.isArray(v.shape)) {
      throw new GraphValidationError(`graph JSON: vertex at position ${k + 1} is malformed`);
    }
    return {
      id: v.id,
      primitive: v.primitive,
      operands: v.operands.map((o) => decodeOperand(o, `vertex ${v.id}`)),
      params: v.params ?? {},
      shape: checkShape(v.shape, `graph JSON: vertex at position ${k + 1}`),
      ...(v.name ? { name: v.name } : {}),
    } as unknown as Vertex;
  });
  return { inputs, vertices, outputs: g.outputs.map((o) => decodeOperand(o, 'outputs')) };
}
