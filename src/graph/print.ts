import type { Graph, Operand } from './graph.js';
import { formatShape } from './shape.js';

const formatNumber = (x: number): string => (Number.isInteger(x) ? `${x}.0` : String(x));

function formatOperand(graph: Graph, op: Operand): string {
  switch (op.kind) {
    case 'input':
      return graph.inputs[op.index].name;
    case 'vertex':
      return `v${op.id}`;
    case 'literal':
      return op.value.data.length === 1
        ? `${formatNumber(op.value.data[0])}:f64${formatShape(op.value.shape)}`
        : `const:f64${formatShape(op.value.shape)}`;
  }
}

function formatParams(params: object): string {
  const entries = Object.entries(params);
  if (entries.length === 0) return '';
  return `[${entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}]`;
}

/**
 * A jaxpr-like dump: one equation per line, prefixed by its vertex id, marking outputs. Vertex k's
 * result is named v<k>, so orders can be read straight off the listing.
 */
export function pprintGraph(graph: Graph): string {
  const outputs = new Map<number, number[]>();
  graph.outputs.forEach((op, i) => {
    if (op.kind === 'vertex') outputs.set(op.id, [...(outputs.get(op.id) ?? []), i + 1]);
  });
  const width = String(graph.vertices.length).length;
  const lines = [
    `{ lambda ${graph.inputs.map((i) => `${i.name}:f64${formatShape(i.shape)}`).join(' ')} . let`,
  ];
  for (const v of graph.vertices) {
    const outs = outputs.get(v.id);
    const mark = outs ? `    # output ${outs.join(', ')}` : '';
    const args = v.operands.map((op) => formatOperand(graph, op)).join(' ');
    lines.push(
      `  ${String(v.id).padStart(width)}: v${v.id}:f64${formatShape(v.shape)} = ${v.primitive}${formatParams(v.params)} ${args}${mark}`,
    );
  }
  lines.push(`  in (${graph.outputs.map((op) => formatOperand(graph, op)).join(', ')}) }`);
  return lines.join('\n');
}
