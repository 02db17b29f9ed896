import type { VertexId } from '../graph/graph.js';

/** `optimal` only with a proof; otherwise the best proven lower bound on the optimum. */
export type Certificate = 'optimal' | { readonly lowerBound: number };

export interface SearchResult {
  /** The best order found (null when none was found within the budget). */
  readonly order: VertexId[] | null;
  readonly multiplications: number | null;
  readonly certificate: Certificate;
  readonly seconds: number;
  readonly method: string;
  readonly stats?: Readonly<Record<string, number | string>>;
}
