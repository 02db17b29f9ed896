import { InvalidOrderError } from '../graph/errors.js';
import { eliminableVertices, outputVertexIds, type Graph, type VertexId } from '../graph/graph.js';

/** Checks that `order` lists every eliminable vertex exactly once and nothing else. */
export function validateOrder(graph: Graph, given: readonly number[]): VertexId[] {
  // A typed array of vertex ids (Int32Array.of(2, 1)) is an order too: checked entry by entry like any.
  const order: readonly number[] = ArrayBuffer.isView(given)
    ? Array.from(given as unknown as ArrayLike<number>)
    : given;
  if (!Array.isArray(order))
    throw new InvalidOrderError(
      `an order is an array of vertex ids, not ${JSON.stringify(order) ?? typeof order}`,
    );
  const eliminable = new Set(eliminableVertices(graph));
  const outputs = outputVertexIds(graph);
  const seen = new Set<number>();
  for (const v of order) {
    if (!Number.isInteger(v) || v < 1 || v > graph.vertices.length) {
      throw new InvalidOrderError(
        `order names vertex ${JSON.stringify(v) ?? String(v)}, but vertices are numbered 1..${graph.vertices.length}`,
      );
    }
    if (seen.has(v)) throw new InvalidOrderError(`order lists vertex ${v} twice`);
    if (!eliminable.has(v)) {
      const why = outputs.has(v) ? 'is a pure output (never eliminated)' : 'is not eliminable';
      throw new InvalidOrderError(`order names vertex ${v}, which ${why}`);
    }
    seen.add(v);
  }
  const missing = [...eliminable].filter((v) => !seen.has(v));
  if (missing.length > 0) {
    const list =
      missing.slice(0, 8).join(', ') + (missing.length > 8 ? `, … (${missing.length} in all)` : '');
    throw new InvalidOrderError(`order is missing vertices ${list}`);
  }
  return [...order];
}

/** Forward mode as vertex elimination: eliminable vertices ascending. */
export function forwardOrder(graph: Graph): VertexId[] {
  return eliminableVertices(graph);
}

/** Reverse mode as vertex elimination: eliminable vertices descending. */
export function reverseOrder(graph: Graph): VertexId[] {
  return eliminableVertices(graph).reverse();
}
