import { countOrder, graphToJson, jacobianByElimination, pprintGraph } from '../index.js';
import { loadGraph } from './load-graph.js';
import { costJson, costText, jacobianJson, jacobianText, toJsonLine } from './output.js';
import { parseCostModel, parseOrder } from './parse-order.js';
import { readInputs } from './read-inputs.js';

/** Each command returns the text to print on stdout; errors are thrown and reported by main. */

export interface CostOptions {
  readonly order: string;
  readonly costModel: string;
  readonly steps?: boolean;
  readonly json?: boolean;
}

export async function costCommand(graphPath: string, opts: CostOptions): Promise<string> {
  const costModel = parseCostModel(opts.costModel);
  const graph = await loadGraph(graphPath);
  const { order, label } = parseOrder(graph, opts.order);
  const { multiplications, steps } = countOrder(graph, order);
  const shownSteps = opts.steps ? steps : undefined;
  return opts.json
    ? toJsonLine(costJson(multiplications, order, costModel, shownSteps))
    : costText(multiplications, label, order, costModel, shownSteps);
}

export interface JacobianOptions {
  readonly at: string;
  readonly order: string;
  readonly json?: boolean;
}

export async function jacobianCommand(graphPath: string, opts: JacobianOptions): Promise<string> {
  const graph = await loadGraph(graphPath);
  const { order, label } = parseOrder(graph, opts.order);
  const inputs = readInputs(graph, opts.at);
  const result = jacobianByElimination(graph, inputs, order);
  return opts.json
    ? toJsonLine(jacobianJson(result, order))
    : jacobianText(graph, inputs, result, label, order);
}

export async function printCommand(graphPath: string, opts: { readonly json?: boolean }): Promise<string> {
  const graph = await loadGraph(graphPath);
  return opts.json ? JSON.stringify(graphToJson(graph), null, 2) : pprintGraph(graph);
}
