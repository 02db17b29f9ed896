import type { CostState } from '../search/problem.js';

/** What the observation needs of one vertex, read from the engine once and reused while it is unchanged. */
export interface VertexRow {
  /** Nodes with an edge into the vertex, ascending. */
  readonly predecessors: readonly number[];
  /** Nodes the vertex has an edge to, ascending (eliminated outputs included; the observation drops them). */
  readonly successors: readonly number[];
  /** Multiplications eliminating it now would cost (0 for vertices that are never legal: outputs). */
  readonly cost: number;
  readonly markowitz: number;
}

/**
 * Per-vertex rows of one position, copy-on-write between a position and its children: eliminating v
 * changes only the edges between v's predecessors and successors, so only the rows of v's neighbours
 * (and v itself) are dropped and recomputed on demand. The row array is shared until a child first
 * writes to it, so an expansion costs O(degree), not a copy of every vertex's data.
 */
export class VertexRows {
  private constructor(
    private rows: (VertexRow | undefined)[],
    private shared: boolean,
    /** Whether any row is cached (games played without observations skip the invalidation). */
    private filled = false,
  ) {}

  static empty(numVertices: number): VertexRows {
    return new VertexRows(new Array<VertexRow | undefined>(numVertices), false);
  }

  /** The row of vertex index `v` (0-based), from the cache or freshly read from `engine`. */
  get(v: number, engine: CostState, numInputs: number, legal: boolean): VertexRow {
    const cached = this.rows[v];
    if (cached) return cached;
    const node = numInputs + v;
    const row: VertexRow = {
      predecessors: engine.predecessors(node),
      successors: engine.successors(node),
      cost: legal ? engine.eliminationCost(v + 1) : 0,
      markowitz: legal ? engine.markowitzDegree(v + 1) : 0,
    };
    this.own();
    this.rows[v] = row;
    this.filled = true;
    return row;
  }

  /** A copy for a child position: it shares the rows until one of the two writes. */
  fork(): VertexRows {
    this.shared = true;
    return new VertexRows(this.rows, true, this.filled);
  }

  /**
   * Drops the rows that eliminating vertex index `v` will change: its own and its neighbours' (read
   * before the move, from the cache or the engine).
   */
  invalidateAround(v: number, engine: CostState, numInputs: number): void {
    if (!this.filled) return;
    const node = numInputs + v;
    const row = this.rows[v];
    const predecessors = row ? row.predecessors : engine.predecessors(node);
    const successors = row ? row.successors : engine.successors(node);
    this.own();
    this.rows[v] = undefined;
    for (const u of predecessors) if (u >= numInputs) this.rows[u - numInputs] = undefined;
    for (const w of successors) this.rows[w - numInputs] = undefined;
  }

  /** The copy in copy-on-write. */
  private own(): void {
    if (!this.shared) return;
    this.rows = this.rows.slice();
    this.shared = false;
  }
}
