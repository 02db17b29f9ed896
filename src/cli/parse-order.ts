import { resolveOrder, type CostModelName, type Graph, type OrderName, type VertexId } from '../index.js';
import { CliError, oneLine, readJsonFile } from './errors.js';

const NAMED_ORDERS: Record<string, OrderName> = {
  fwd: 'forward',
  forward: 'forward',
  rev: 'reverse',
  reverse: 'reverse',
  markowitz: 'markowitz',
};

export interface ParsedOrder {
  /** The validated elimination order (1-based vertex ids). */
  readonly order: VertexId[];
  /** forward / reverse / markowitz, or a description of where an explicit order came from. */
  readonly label: string;
}

export const ORDER_HELP =
  'fwd|forward, rev|reverse, markowitz, a vertex list such as 2,1, or an order JSON file';

/**
 * Resolves `--order`: a named order, a comma- or space-separated vertex list (`2,1`, `v2 v1`), or a JSON file holding either the
 * shared order object {"task", "costModel", "multiplications", "order": [...]} (only `order` is read) or
 * a bare array. The vertex list is validated against the graph (every eliminable vertex exactly once).
 */
export function parseOrder(graph: Graph, spec: string, costModel: CostModelName = 'native'): ParsedOrder {
  const trimmed = spec.trim();
  const named = NAMED_ORDERS[trimmed.toLowerCase()];
  if (named) return { order: resolveOrder(graph, named, costModel), label: named };
  if (/\.json$/i.test(trimmed) || trimmed.includes('/') || trimmed.includes('\\')) {
    const list = readOrderFile(trimmed);
    try {
      return { order: resolveOrder(graph, list), label: trimmed };
    } catch (err) {
      throw new CliError(`${trimmed}: ${oneLine(err)}`);
    }
  }
  if (trimmed === '' || /^[+-]?v?\d/i.test(trimmed) || trimmed.includes(',')) {
    return { order: resolveOrder(graph, parseVertexList(trimmed)), label: 'explicit' };
  }
  throw new CliError(`unknown order '${spec}' (use ${ORDER_HELP})`);
}

function parseVertexList(text: string): number[] {
  if (text === '') return [];
  return text.split(/\s*,\s*|\s+/).map((s, k) => {
    // Accept the listing's names too: v2 is vertex 2.
    const m = /^([+-]?)v?(\d+)$/i.exec(s);
    if (!m) throw new CliError(`order entry ${k + 1} ('${s}') is not a vertex number`);
    return Number(m[1] + m[2]);
  });
}

function readOrderFile(path: string): number[] {
  const json = readJsonFile(path, 'order file');
  const list = Array.isArray(json) ? json : (json as { order?: unknown } | null)?.order;
  if (!Array.isArray(list)) {
    throw new CliError(`${path}: expected a JSON array of vertex ids or an object with an "order" array`);
  }
  return list.map((v: unknown, k) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw new CliError(
        `${path}: order entry ${k + 1} (${oneLine(JSON.stringify(v))}) is not a vertex number`,
      );
    }
    return v;
  });
}
