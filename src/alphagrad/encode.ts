import { UnsupportedPrimitiveError } from '../graph/errors.js';
import { nodeOfOperand, operandShape, type Graph, type Operand, type Vertex } from '../graph/graph.js';
import type { ParamsOf, Primitive } from '../graph/primitive.js';
import { sizeOf, type Shape } from '../graph/shape.js';
import { primitiveDef } from '../primitives/table.js';

/**
 * AlphaGrad's 5-number edge encoding, built by our own primitive-to-sparsity mapping (alphagrad-spec §4.2).
 * An edge u→v is (type, out_d1, out_d2, in_d1, in_d2): its sparsity type and the 2-D shapes of v and u.
 */
export interface AlphagradEdge {
  /** Source node (inputs 0..numInputs-1, then vertices), as in nodeOfOperand. */
  readonly source: number;
  /** Target vertex id (1-based). */
  readonly target: number;
  readonly type: number;
  readonly outShape: readonly [number, number];
  readonly inShape: readonly [number, number];
}

type Shape2 = [number, number];

/** AlphaGrad's `get_shape`: size 1 → (1,1), vector n → (n,1), matrix unchanged; rank > 2 unsupported. */
export function shape2(shape: Shape, where: string): Shape2 {
  if (sizeOf(shape) === 1) return [1, 1];
  if (shape.length === 1) return [shape[0], 1];
  if (shape.length === 2) return [shape[0], shape[1]];
  throw new UnsupportedPrimitiveError(
    `${where}: the alphagrad cost model supports ranks up to 2, got [${shape.join(',')}]`,
  );
}

/** AlphaGrad's `_get_shape`, used only to classify contractions: vector n → (n,0) (even n = 1), else size 1 → (0,0). */
function classShape(shape: Shape): Shape2 {
  if (shape.length === 1) return [shape[0], 0];
  if (sizeOf(shape) === 1) return [0, 0];
  return [shape[0], shape[1]];
}

const isScalar2 = (s: Shape2): boolean => s[0] === 1 && s[1] === 1;
const isColumn2 = (s: Shape2): boolean => s[0] > 1 && s[1] === 1;
const isRow2 = (s: Shape2): boolean => s[0] === 1 && s[1] > 1;

function binaryType(input: Shape2, other: Shape2, out: Shape2): number {
  if (isScalar2(input)) return 1;
  if (isColumn2(input)) return isColumn2(out) && isScalar2(other) ? -2 : 2;
  if (isRow2(input)) return isRow2(out) && isScalar2(other) ? -3 : 3;
  // Matrix input: the code's fall-through gives −8 for a column (or scalar) partner, 8 for a row, else 6.
  if (other[1] === 1) return -8;
  if (other[0] === 1) return 8;
  return 6;
}

/** Types of the (lhs, rhs) edges of a dot_general. */
function dotTypes(lhs: Shape, rhs: Shape, lc: number, rc: number): [number, number] {
  const l = classShape(lhs);
  const r = classShape(rhs);
  const lhsVector = l[1] === 0 && l[0] !== 0;
  const rhsVector = r[1] === 0 && r[0] !== 0;
  const rhsScalar = r[0] === 0;
  const key = `${lc},${rc}`;
  if (lhsVector) {
    if (rhsVector) return [1, 1];
    if (r[0] === 1) return key === '0,1' ? [-3, -2] : [-2, -3];
    return [-4, -3];
  }
  if (rhsVector) return [-2, 1];
  if (rhsScalar) return [1, 1];
  const table: Record<string, [number, number]> = {
    '1,0': [-2, -3],
    '1,1': [-2, -5],
    '0,0': [-4, -3],
    '0,1': [-4, -5],
  };
  return table[key] ?? [1, 1];
}

/** Reductions are classified by rank: only rank-2 inputs reduced to rank 1 or to a row are sparse. */
function reduceType(p: Primitive, input: Shape, out: Shape, axes: readonly number[]): number {
  if (input.length !== 2 || out.length === 0) return 1;
  if (p === 'reduce_sum') {
    if (out.length === 1) return axes[0] === 0 ? -4 : -2;
    return out[0] === 1 ? -3 : 1;
  }
  if (out.length === 1) return 2;
  return out[0] === 1 && out[1] > 1 ? 3 : 1;
}

function transposeType(s: Shape2): number {
  if (isScalar2(s)) return 1;
  if (isColumn2(s)) return -4;
  if (isRow2(s)) return -5;
  return -7;
}

/** The sparsity type of each non-literal operand's edge, by the primitive table's rule; null = no edge. */
function edgeTypes(graph: Graph, v: Vertex): (number | null)[] {
  const shapes = v.operands.map((op) => operandShape(graph, op));
  const where = `vertex ${v.id} (${v.primitive})`;
  const out2 = shape2(v.shape, where);
  const rule = primitiveDef(v.primitive).alphagrad;
  switch (rule) {
    case 'elementwise-unary':
      return [isScalar2(shape2(shapes[0], where)) ? 1 : 6];
    case 'elementwise-binary':
      return [0, 1].map((k) => binaryType(shape2(shapes[k], where), shape2(shapes[1 - k], where), out2));
    case 'dot_general': {
      const [[lc, rc]] = (v.params as ParamsOf<'dot_general'>).dimension_numbers;
      return dotTypes(shapes[0], shapes[1], lc[0], rc[0]);
    }
    case 'reduce':
      return [reduceType(v.primitive, shapes[0], v.shape, (v.params as ParamsOf<'reduce_sum'>).axes)];
    case 'transpose':
      return [transposeType(shape2(shapes[0], where))];
    case 'broadcast': {
      const s = shape2(shapes[0], where);
      return [s[0] === out2[0] && s[1] === out2[1] ? -6 : -7];
    }
    case 'gather':
      return [11];
    case 'concatenate':
      return shapes.map(() => 11);
    case 'copy':
      return [-1];
    case 'no-edge':
      return [null];
    case 'unsupported':
      throw new UnsupportedPrimitiveError(
        `${where}: the alphagrad cost model has no sparsity type for '${v.primitive}'`,
      );
    default: {
      const unknown: never = rule;
      throw new Error(`unknown alphagrad rule ${String(unknown)}`);
    }
  }
}

/**
 * Every edge of the graph in AlphaGrad's encoding, in (target, operand) order. A source used twice by one
 * equation gets one edge, the later operand's (the AlphaGrad tensor has one slot per pair).
 */
export function alphagradEdges(graph: Graph): AlphagradEdge[] {
  const edges: AlphagradEdge[] = [];
  for (const v of graph.vertices) {
    const types = edgeTypes(graph, v);
    const out2 = shape2(v.shape, `vertex ${v.id}`);
    const bySource = new Map<number, AlphagradEdge>();
    v.operands.forEach((op: Operand, k) => {
      const source = nodeOfOperand(graph, op);
      const type = types[k];
      if (source === null || type === null) return;
      // concatenate's in-shape is always its first operand's (a quirk of the original interpreter).
      const inShape =
        v.primitive === 'concatenate' ? operandShape(graph, v.operands[0]) : operandShape(graph, op);
      bySource.set(source, {
        source,
        target: v.id,
        type,
        outShape: out2,
        inShape: shape2(inShape, `vertex ${v.id}`),
      });
    });
    edges.push(...bySource.values());
  }
  return edges;
}
