import { NonFiniteError } from '../graph/errors.js';
import { nodeOfOperand, operandShape, type Graph } from '../graph/graph.js';
import { primitiveDef } from '../primitives/table.js';
import { addBlocks, type Block } from '../sparse/block.js';
import { describePoint, operandValue, type Evaluation } from './evaluate.js';

/** An edge of the computational graph: the local partial ∂target/∂source as a structured block. */
export interface LocalEdge {
  /** Node index of the source (inputs 0..numInputs-1, then vertices; see nodeOfOperand). */
  readonly source: number;
  readonly block: Block;
}

/**
 * The local Jacobians of every vertex (index k - 1 for vertex k), one edge per distinct source: partials
 * of an operand used twice (x·x) are summed, literals get none and identically-zero partials are dropped.
 * With `ev` null only the structure is built (symbolic blocks).
 */
export function localJacobians(
  graph: Graph,
  ev: Evaluation | null,
  options: { readonly checkFinite?: boolean } = {},
): LocalEdge[][] {
  return graph.vertices.map((v) => {
    const rule = primitiveDef(v.primitive);
    const sources = v.operands.map((op) => nodeOfOperand(graph, op));
    const blocks = rule.partials({
      params: v.params as never,
      operandShapes: v.operands.map((op) => operandShape(graph, op)),
      shape: v.shape,
      operands: ev ? v.operands.map((op) => operandValue(ev, op)) : null,
      out: ev ? ev.values[v.id - 1] : null,
      wants: sources.map((s) => s !== null),
    });
    const merged = new Map<number, Block>();
    blocks.forEach((block, k) => {
      const source = sources[k];
      if (block === null || source === null) return;
      if (ev && block.values && options.checkFinite) {
        const bad = block.values.findIndex((x) => !Number.isFinite(x));
        if (bad >= 0) {
          throw new NonFiniteError(
            `vertex ${v.id} (${v.primitive}) has a non-finite partial for operand ${k + 1}: ${block.values[bad]} (at ${describePoint(graph, ev.inputs)})`,
          );
        }
      }
      const prev = merged.get(source);
      merged.set(source, prev ? addBlocks(prev, block) : block);
    });
    return [...merged].map(([source, block]) => ({ source, block }));
  });
}
