import type { ParamsOf, Primitive } from './primitive.js';
import { sizeOf, type Shape } from './shape.js';
import type { Tensor } from './tensor.js';

/** Vertex ids are 1-based in equation (program) order, as in JAX jaxprs and Graphax. Inputs are not vertices. */
export type VertexId = number;

/** What an equation reads: a program input, an earlier vertex, or a constant. */
export type Operand =
  | { readonly kind: 'input'; readonly index: number }
  | { readonly kind: 'vertex'; readonly id: VertexId }
  | { readonly kind: 'literal'; readonly value: Tensor };

export interface GraphInput {
  readonly name: string;
  readonly shape: Shape;
}

interface VertexOf<P extends Primitive> {
  readonly id: VertexId;
  readonly primitive: P;
  readonly operands: readonly Operand[];
  readonly params: ParamsOf<P>;
  readonly shape: Shape;
  /** Display name (e.g. the jaxpr variable); not used for identity. */
  readonly name?: string;
}

/** One primitive application. A discriminated union, so `switch (v.primitive)` narrows `params`. */
export type Vertex = { [P in Primitive]: VertexOf<P> }[Primitive];

/** The one IR: a straight-line program over tensors. `vertices[k - 1].id === k`. */
export interface Graph {
  readonly inputs: readonly GraphInput[];
  readonly vertices: readonly Vertex[];
  readonly outputs: readonly Operand[];
}

export function vertexById(graph: Graph, id: VertexId): Vertex {
  const v = graph.vertices[id - 1];
  if (v === undefined || v.id !== id) throw new RangeError(`no vertex ${id}`);
  return v;
}

export function operandShape(graph: Graph, op: Operand): Shape {
  switch (op.kind) {
    case 'input':
      return graph.inputs[op.index].shape;
    case 'vertex':
      return vertexById(graph, op.id).shape;
    case 'literal':
      return op.value.shape;
  }
}

/**
 * Node numbering shared by every elimination engine: inputs first (0..numInputs-1), then vertex k at
 * numInputs + k - 1. Literals are not nodes: their partials are never needed.
 */
export function nodeOfOperand(graph: Graph, op: Operand): number | null {
  switch (op.kind) {
    case 'input':
      return op.index;
    case 'vertex':
      return graph.inputs.length + op.id - 1;
    case 'literal':
      return null;
  }
}

/** Scalar size of every node, in node order (inputs first, then vertices; see nodeOfOperand). */
export function nodeSizes(graph: Graph): number[] {
  return [...graph.inputs.map((x) => sizeOf(x.shape)), ...graph.vertices.map((v) => sizeOf(v.shape))];
}

export function nodeOfVertex(graph: Graph, id: VertexId): number {
  return graph.inputs.length + id - 1;
}

/** Whether every input and vertex is a scalar: there the fast scalar engines are exact. */
export function isScalarGraph(graph: Graph): boolean {
  const scalar = (shape: readonly number[]): boolean => shape.every((d) => d === 1);
  return graph.inputs.every((i) => scalar(i.shape)) && graph.vertices.every((v) => scalar(v.shape));
}

/** Vertex ids that are program outputs. */
export function outputVertexIds(graph: Graph): Set<VertexId> {
  const ids = new Set<VertexId>();
  for (const op of graph.outputs) if (op.kind === 'vertex') ids.add(op.id);
  return ids;
}

/** Vertex ids read by later equations. */
export function usedVertexIds(graph: Graph): Set<VertexId> {
  const ids = new Set<VertexId>();
  for (const v of graph.vertices) for (const op of v.operands) if (op.kind === 'vertex') ids.add(op.id);
  return ids;
}

/**
 * The eliminable vertices, ascending: every non-output vertex, plus outputs that later equations use
 * (eliminating those reroutes their successors while they keep their own Jacobian block). Pure outputs
 * are never eliminated.
 */
export function eliminableVertices(graph: Graph): VertexId[] {
  const outputs = outputVertexIds(graph);
  const used = usedVertexIds(graph);
  return graph.vertices.filter((v) => !outputs.has(v.id) || used.has(v.id)).map((v) => v.id);
}
