import {
  toNested,
  type EliminationResult,
  type EliminationStep,
  type Graph,
  type NestedArray,
  type Tensor,
  type VertexId,
} from '../index.js';
import type { CostModelName as CostModel } from '../index.js';

const plural = (n: number): string => `${n} multiplication${n === 1 ? '' : 's'}`;

/** Compact JSON on one line: what `--json` prints. */
/** One JSON line; NaN and ±Infinity (IEEE results) are written "NaN", "Infinity", "-Infinity", not null. */
export const toJsonLine = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));

/** A number for people: integers as is, others to 10 significant digits. */
export function formatNumber(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(10)));
}

/**
 * A tensor in numpy's layout, numbers right-aligned; continuation lines are indented by `indent` columns
 * so the value can follow a label.
 */
export function formatTensor(t: Tensor, indent = 0): string {
  if (t.shape.length === 0) return formatNumber(t.data[0]);
  const width = Math.max(0, ...Array.from(t.data, (x) => formatNumber(x).length));
  const render = (value: NestedArray): string => {
    if (typeof value === 'number') return formatNumber(value).padStart(width);
    if (value.every((v) => typeof v === 'number')) return `[${value.map(render).join(', ')}]`;
    return `[${value.map((v) => render(v).replace(/\n/g, '\n ')).join(',\n ')}]`;
  };
  return render(toNested(t)).replace(/\n/g, `\n${' '.repeat(indent)}`);
}

const formatShape = (shape: readonly number[]): string => `f64[${shape.join(',')}]`;
const list = (order: readonly VertexId[]): string => (order.length > 0 ? order.join(', ') : '(none)');

/** How a cost or Jacobian was obtained, e.g. "markowitz order 2, 1". */
export const describeOrder = (label: string, order: readonly VertexId[]): string =>
  `${label === 'explicit' ? 'explicit' : label} order ${list(order)}`;

export function costJson(
  multiplications: number,
  order: readonly VertexId[],
  costModel: CostModel,
  steps?: readonly EliminationStep[],
): object {
  return {
    multiplications,
    order: [...order],
    costModel,
    ...(steps ? { steps: steps.map((s) => ({ vertex: s.vertex, multiplications: s.multiplications })) } : {}),
  };
}

export function costText(
  multiplications: number,
  label: string,
  order: readonly VertexId[],
  costModel: CostModel,
  steps?: readonly EliminationStep[],
): string {
  const lines = [
    `${plural(multiplications)} for the ${describeOrder(label, order)} (cost model: ${costModel})`,
  ];
  if (steps) {
    const width = String(Math.max(0, ...steps.map((s) => s.vertex))).length;
    steps.forEach((s, k) =>
      lines.push(`  ${k + 1}. eliminate v${String(s.vertex).padEnd(width)}  ${plural(s.multiplications)}`),
    );
  }
  return lines.join('\n');
}

export function jacobianJson(result: EliminationResult, order: readonly VertexId[]): object {
  return {
    outputs: result.outputs.map(toNested),
    jacobian: result.jacobian.map((row) => row.map(toNested)),
    multiplications: result.multiplications,
    order: [...order],
  };
}

/** Names for outputs in text: y (one output) or y1, y2, … */
export const outputNames = (graph: Graph): string[] =>
  graph.outputs.length === 1 ? ['y'] : graph.outputs.map((_o, i) => `y${i + 1}`);

function labelled(label: string, t: Tensor): string {
  const head = `  ${label}${t.shape.length > 0 ? ` ${formatShape(t.shape)}` : ''} = `;
  return head + formatTensor(t, head.length);
}

export function jacobianText(
  graph: Graph,
  inputs: readonly Tensor[],
  result: EliminationResult,
  label: string,
  order: readonly VertexId[],
): string {
  const names = outputNames(graph);
  const lines = ['inputs:'];
  graph.inputs.forEach((input, j) => lines.push(labelled(input.name, inputs[j])));
  lines.push('outputs:');
  graph.outputs.forEach((op, i) => {
    const source =
      op.kind === 'vertex' ? ` (v${op.id})` : op.kind === 'input' ? ' (an input)' : ' (a constant)';
    lines.push(labelled(`${names[i]}${source}`, result.outputs[i]));
  });
  lines.push(`jacobian (${describeOrder(label, order)}: ${plural(result.multiplications)}):`);
  result.jacobian.forEach((row, i) =>
    row.forEach((block, j) => lines.push(labelled(`d${names[i]}/d${graph.inputs[j].name}`, block))),
  );
  return lines.join('\n');
}
