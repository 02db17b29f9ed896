import { CrosscountryError, GraphValidationError, UnsupportedPrimitiveError } from '../graph/errors.js';
import type { Graph, GraphInput, Operand, Vertex, VertexId } from '../graph/graph.js';
import { isPrimitive, type ParamsOf, type Primitive } from '../graph/primitive.js';
import { checkShape, sizeOf, type Shape } from '../graph/shape.js';
import { primitiveDef } from './table.js';

/**
 * Builds a Graph equation by equation, inferring (and so validating) every vertex shape from its rule.
 * The tracer, the random-graph generator and the jaxpr importer all build graphs through this.
 */
export class GraphBuilder {
  private readonly inputs: GraphInput[] = [];
  private readonly vertices: Vertex[] = [];

  addInput(name: string, shape: Shape): Operand {
    this.inputs.push({ name, shape: checkShape(shape, `input ${this.inputs.length + 1} (${name})`) });
    return { kind: 'input', index: this.inputs.length - 1 };
  }

  /** Appends one equation and returns the operand that refers to its result. */
  addVertex<P extends Primitive>(
    primitive: P,
    operands: readonly Operand[],
    params: ParamsOf<P>,
    name?: string,
  ): Operand {
    const shape = this.checkVertex(primitive, operands, params);
    const id: VertexId = this.vertices.length + 1;
    const vertex = {
      id,
      primitive,
      operands: [...operands],
      params,
      shape: [...shape],
      ...(name ? { name } : {}),
    };
    this.vertices.push(vertex as unknown as Vertex);
    return { kind: 'vertex', id };
  }

  /** The operands of an already added vertex. */
  operandsOf(id: VertexId): readonly Operand[] {
    return this.vertices[id - 1].operands;
  }

  shapeOf(op: Operand): Shape {
    switch (op.kind) {
      case 'input':
        return this.inputs[op.index].shape;
      case 'vertex':
        return this.vertices[op.id - 1].shape;
      case 'literal':
        return op.value.shape;
    }
  }

  build(outputs: readonly Operand[]): Graph {
    outputs.forEach((op) => this.checkOperand(op, `output`));
    return { inputs: [...this.inputs], vertices: [...this.vertices], outputs: [...outputs] };
  }

  private checkVertex<P extends Primitive>(
    primitive: P,
    operands: readonly Operand[],
    params: ParamsOf<P>,
  ): Shape {
    if (!isPrimitive(primitive)) {
      throw new UnsupportedPrimitiveError(
        `vertex ${this.vertices.length + 1}: unsupported primitive '${String(primitive)}'`,
      );
    }
    const rule = primitiveDef(primitive);
    const where = `vertex ${this.vertices.length + 1} (${primitive})`;
    if (rule.arity !== 'variadic' && operands.length !== rule.arity) {
      throw new GraphValidationError(`${where} takes ${rule.arity} operands, got ${operands.length}`);
    }
    operands.forEach((op) => this.checkOperand(op, where));
    if (params === null || typeof params !== 'object')
      throw new GraphValidationError(`${where} has params ${JSON.stringify(params)}, not an object`);
    try {
      return rule.shape(
        operands.map((op) => this.shapeOf(op)),
        params,
      );
    } catch (e) {
      // A rule reading params of the wrong form (from JSON or user code) fails in its own way: say where.
      if (e instanceof CrosscountryError) throw e;
      throw new GraphValidationError(`${where} has malformed params ${JSON.stringify(params)}`);
    }
  }

  private checkOperand(op: Operand, where: string): void {
    const kind = (op as { kind?: unknown } | null)?.kind;
    if (kind !== 'input' && kind !== 'vertex' && kind !== 'literal')
      throw new GraphValidationError(`${where} has a malformed operand ${JSON.stringify(op) ?? String(op)}`);
    if (op.kind === 'literal') {
      checkShape(op.value?.shape, `${where}, a literal`);
      if (!(op.value.data instanceof Float64Array) || op.value.data.length !== sizeOf(op.value.shape))
        throw new GraphValidationError(`${where} has a literal whose data does not fit its shape`);
    }
    if (
      op.kind === 'input' &&
      !(Number.isInteger(op.index) && op.index >= 0 && op.index < this.inputs.length)
    ) {
      throw new GraphValidationError(`${where} reads unknown input ${op.index + 1}`);
    }
    if (op.kind === 'vertex' && !(Number.isInteger(op.id) && op.id >= 1 && op.id <= this.vertices.length)) {
      throw new GraphValidationError(`${where} reads vertex ${op.id}, which is not defined before it`);
    }
  }
}

/** Re-validates a graph from elsewhere (JSON, user code): ids, references and every shape. */
export function validateGraph(graph: Graph): Graph {
  if (
    !graph ||
    !Array.isArray(graph.inputs) ||
    !Array.isArray(graph.vertices) ||
    !Array.isArray(graph.outputs)
  )
    throw new GraphValidationError('a graph has inputs, vertices and outputs arrays');
  const b = new GraphBuilder();
  graph.inputs.forEach((inp, i) => {
    if (!inp || typeof inp !== 'object') throw new GraphValidationError(`input ${i + 1} is malformed`);
    b.addInput(String(inp.name), inp.shape);
  });
  graph.vertices.forEach((v, i) => {
    if (!v || typeof v !== 'object' || !Array.isArray(v.operands))
      throw new GraphValidationError(`vertex at position ${i + 1} is malformed`);
    if (v.id !== i + 1) throw new GraphValidationError(`vertex at position ${i + 1} has id ${v.id}`);
    checkShape(v.shape, `vertex ${v.id} (${v.primitive})`);
    b.addVertex(v.primitive, v.operands, v.params as never, v.name);
  });
  const rebuilt = b.build(graph.outputs);
  rebuilt.vertices.forEach((v, i) => {
    const declared = graph.vertices[i].shape;
    if (declared.length !== v.shape.length || declared.some((d, k) => d !== v.shape[k])) {
      throw new GraphValidationError(
        `vertex ${v.id} (${v.primitive}) declares shape [${declared}] but computes [${v.shape}]`,
      );
    }
  });
  return rebuilt;
}
