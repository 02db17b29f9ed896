import { createHash } from 'node:crypto';
import type { Graph, Operand } from './graph.js';

/** Numbers as text that tells −0 from 0 (JSON maps both to 0) and every NaN alike. */
const numberText = (x: number): string => (Object.is(x, -0) ? '-0' : String(x));

const replacer = (_key: string, value: unknown): unknown =>
  typeof value === 'number' && (Object.is(value, -0) || !Number.isFinite(value))
    ? `#${numberText(value)}`
    : value;

function operandText(op: Operand): string {
  switch (op.kind) {
    case 'input':
      return `i${op.index}`;
    case 'vertex':
      return `v${op.id}`;
    case 'literal':
      return `l[${op.value.shape.join(',')}]${Array.from(op.value.data, numberText).join(',')}`;
  }
}

const memo = new WeakMap<Graph, string>();

/**
 * A content hash of a graph that distinguishes every pair of graphs that compute differently: shapes,
 * primitives, params, operands and literal values (−0 apart from 0). Display names are left out. Linear in
 * the graph's size, memoised per graph object (graphs are immutable).
 */
export function graphFingerprint(graph: Graph): string {
  const known = memo.get(graph);
  if (known !== undefined) return known;
  const h = createHash('sha256');
  h.update(`in:${graph.inputs.map((x) => `[${x.shape.join(',')}]`).join(';')}\n`);
  for (const v of graph.vertices) {
    h.update(
      `${v.primitive}(${v.operands.map(operandText).join(' ')})[${v.shape.join(',')}]${JSON.stringify(v.params, replacer)}\n`,
    );
  }
  h.update(`out:${graph.outputs.map(operandText).join(' ')}`);
  const digest = h.digest('hex');
  memo.set(graph, digest);
  return digest;
}
