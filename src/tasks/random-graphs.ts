import type { Graph, Operand } from '../graph/graph.js';
import { GraphBuilder } from '../primitives/builder.js';
import { Rng } from '../util/random.js';

export interface RandomScalarGraphOptions {
  readonly numInputs: number;
  readonly numVertices: number;
  readonly numOutputs: number;
  readonly seed: number;
  /** Share of vertices that are structural copies (convert_element_type): free to multiply through. */
  readonly structuralFraction?: number;
  /** How far back operands are drawn from (smaller = longer chains, larger = wider graphs). */
  readonly window?: number;
  /** Also make every vertex no later equation uses an output, so no vertex is dead code. */
  readonly noDeadCode?: boolean;
  /**
   * Probability that an operand is an input instead of a recent node (default 0). Deep chains of bounded
   * primitives shrink derivatives geometrically, so at 10^4 vertices ∂output/∂input underflows to 0 unless
   * inputs also enter late.
   */
  readonly inputOperandRate?: number;
}

const UNARY = ['sin', 'cos', 'tanh', 'logistic', 'atan', 'neg'] as const;
const BINARY = ['add', 'sub', 'mul'] as const;

/**
 * A random straight-line scalar program: bounded, smooth primitives (so any point gives finite
 * Jacobians), operands drawn from a window of recent nodes, the last `numOutputs` vertices as outputs.
 * Same seed, same graph.
 */
export function randomScalarGraph(options: RandomScalarGraphOptions): Graph {
  const {
    numInputs,
    numVertices,
    numOutputs,
    seed,
    structuralFraction = 0,
    window = 12,
    noDeadCode = false,
    inputOperandRate = 0,
  } = options;
  const rng = new Rng(seed);
  const b = new GraphBuilder();
  const nodes: Operand[] = [];
  for (let i = 0; i < numInputs; i++) nodes.push(b.addInput(`x${i}`, []));
  const pickOperand = (): Operand =>
    inputOperandRate > 0 && rng.float() < inputOperandRate
      ? nodes[rng.int(0, numInputs - 1)]
      : nodes[rng.int(Math.max(0, nodes.length - window), nodes.length - 1)];
  for (let k = 0; k < numVertices; k++) {
    const r = rng.float();
    let op: Operand;
    if (r < structuralFraction) op = b.addVertex('convert_element_type', [pickOperand()], {});
    else if (r < structuralFraction + (1 - structuralFraction) * 0.45)
      op = b.addVertex(rng.pick(UNARY), [pickOperand()], {});
    else op = b.addVertex(rng.pick(BINARY), [pickOperand(), pickOperand()], {});
    nodes.push(op);
  }
  const outputs = nodes.slice(nodes.length - Math.min(numOutputs, numVertices));
  if (noDeadCode) {
    const used = new Set<number>();
    for (let id = 1; id <= numVertices; id++) {
      for (const op of b.operandsOf(id)) if (op.kind === 'vertex') used.add(op.id);
    }
    for (let id = 1; id <= numVertices - outputs.length; id++)
      if (!used.has(id)) outputs.unshift({ kind: 'vertex', id });
  }
  return b.build(outputs);
}

export interface RandomTensorGraphOptions {
  readonly numInputs: number;
  readonly numVertices: number;
  readonly numOutputs: number;
  readonly seed: number;
}

/**
 * A random straight-line program over small vectors and matrices (sizes 2–3) mixing element-wise
 * operations, size-1 broadcasting, matrix products, reductions, transposes and reshapes: every kind of
 * block structure the native model distinguishes. Shapes stay within rank 2 so the alphagrad model
 * applies too. Same seed, same graph.
 */
export function randomTensorGraph(options: RandomTensorGraphOptions): Graph {
  const { numInputs, numVertices, numOutputs, seed } = options;
  const rng = new Rng(seed);
  const b = new GraphBuilder();
  const shapes: number[][] = [[2], [3], [2, 3], [3, 2], [2, 2], [2, 1], []];
  const nodes: Operand[] = [];
  for (let i = 0; i < numInputs; i++) nodes.push(b.addInput(`x${i}`, rng.pick(shapes)));
  const recent = (): Operand => nodes[rng.int(Math.max(0, nodes.length - 8), nodes.length - 1)];
  const shapeOf = (op: Operand): readonly number[] => b.shapeOf(op);
  const same = (a: readonly number[], c: readonly number[]): boolean =>
    a.length === c.length && a.every((d, i) => d === c[i]);
  while (nodes.length - numInputs < numVertices) {
    const x = recent();
    const s = shapeOf(x);
    const r = rng.float();
    let op: Operand | null = null;
    if (r < 0.3) op = b.addVertex(rng.pick(UNARY), [x], {});
    else if (r < 0.55) {
      // A partner of the same shape, a scalar, or a size-1 broadcast partner.
      const partner = nodes
        .slice(-10)
        .find(
          (y) =>
            y !== x &&
            (same(shapeOf(y), s) ||
              shapeOf(y).length === 0 ||
              (s.length === 2 && same(shapeOf(y), [s[0], 1]))),
        );
      if (partner) op = b.addVertex(rng.pick(BINARY), rng.float() < 0.5 ? [x, partner] : [partner, x], {});
    } else if (r < 0.7 && s.length === 2) {
      const partner = nodes.slice(-12).find((y) => shapeOf(y).length >= 1 && shapeOf(y)[0] === s[1]);
      if (partner)
        op = b.addVertex('dot_general', [x, partner], {
          dimension_numbers: [
            [[1], [0]],
            [[], []],
          ],
        });
    } else if (r < 0.8 && s.length >= 1) op = b.addVertex('reduce_sum', [x], { axes: [s.length - 1] });
    else if (r < 0.9 && s.length === 2) op = b.addVertex('transpose', [x], { permutation: [1, 0] });
    else if (s.length >= 1) op = b.addVertex('reshape', [x], { new_sizes: [s.reduce((p, d) => p * d, 1)] });
    if (op) nodes.push(op);
  }
  return b.build(nodes.slice(nodes.length - Math.min(numOutputs, numVertices)));
}
