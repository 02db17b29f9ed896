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
}

const UNARY = ['sin', 'cos', 'tanh', 'logistic', 'atan', 'neg'] as const;
const BINARY = ['add', 'sub', 'mul'] as const;

/**
 * A random straight-line scalar program: bounded, smooth primitives (so any point gives finite
 * Jacobians), operands drawn from a window of recent nodes, the last `numOutputs` vertices as outputs.
 * Same seed, same graph.
 */
export function randomScalarGraph(options: RandomScalarGraphOptions): Graph {
  const { numInputs, numVertices, numOutputs, seed, structuralFraction = 0, window = 12 } = options;
  const rng = new Rng(seed);
  const b = new GraphBuilder();
  const nodes: Operand[] = [];
  for (let i = 0; i < numInputs; i++) nodes.push(b.addInput(`x${i}`, []));
  const pickOperand = (): Operand => nodes[rng.int(Math.max(0, nodes.length - window), nodes.length - 1)];
  for (let k = 0; k < numVertices; k++) {
    const r = rng.float();
    let op: Operand;
    if (r < structuralFraction) op = b.addVertex('convert_element_type', [pickOperand()], {});
    else if (r < structuralFraction + (1 - structuralFraction) * 0.45)
      op = b.addVertex(rng.pick(UNARY), [pickOperand()], {});
    else op = b.addVertex(rng.pick(BINARY), [pickOperand(), pickOperand()], {});
    nodes.push(op);
  }
  return b.build(nodes.slice(nodes.length - Math.min(numOutputs, numVertices)));
}
