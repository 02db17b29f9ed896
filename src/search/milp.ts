import type { Highs } from 'highs';

import { countOrder } from '../elimination/count.js';
import { bestHeuristicOrder } from '../elimination/heuristics.js';
import { CrosscountryError } from '../graph/errors.js';
import type { Graph, VertexId } from '../graph/graph.js';
import { buildMilpModel, type MilpModel, type RowSet } from './milp-model.js';
import type { OptimizeOptions, OptimizeResult } from './portfolio.js';

export { MilpUnsupportedError } from './milp-model.js';

export interface MilpOptions {
  /** Wall-clock budget for the solver in milliseconds (default 60 s). */
  readonly timeLimitMs?: number;
  /**
   * Branch-and-bound nodes per solve at most (HiGHS `mip_max_nodes`): a work limit, so that where the
   * solver stops does not depend on machine load. Default: none.
   */
  readonly maxNodes?: number;
  /** A known order handed to the solver as its first incumbent (default: the best heuristic order). */
  readonly warmStart?: readonly VertexId[];
  /** Solves at most, each after adding cuts against the order cycles of the last (default 20). */
  readonly maxRounds?: number;
  /** Further HiGHS options by their HiGHS names (advanced: e.g. `presolve`, `mip_heuristic_effort`). */
  readonly solverOptions?: Readonly<Record<string, string | number | boolean>>;
}

export interface MilpResult {
  /** The best order known: the solver's, or the warm start when the solver did not beat it. */
  readonly order: VertexId[];
  /** Its cost, recounted by countOrder (not taken from the solver). */
  readonly multiplications: number;
  /** A proven lower bound on the optimum: the solver's dual bound, rounded up (costs are integers). */
  readonly lowerBound: number;
  /** Whether the order's cost equals the lower bound. */
  readonly optimal: boolean;
  readonly stats: {
    readonly columns: number;
    readonly integerColumns: number;
    readonly rows: number;
    readonly rounds: number;
    readonly cycleCuts: number;
    readonly nodes: number;
    readonly seconds: number;
    /** Why the last solve stopped (HiGHS model status name). */
    readonly status: string;
  };
}

/** The `highs` package could not be loaded. */
export class MilpSolverUnavailableError extends CrosscountryError {
  override name = 'MilpSolverUnavailableError';
}

let solver: Promise<Highs> | null = null;

/** HiGHS (WebAssembly), loaded on first use only, so importing crosscountry stays light. */
export async function loadSolver(): Promise<Highs> {
  // The package's types describe its CommonJS face; Node loads its ES module, whose default is the loader.
  solver ??= import('highs')
    .then((m) => (m as unknown as { default: (options?: object) => Promise<Highs> }).default())
    .catch((err: unknown) => {
      solver = null;
      throw new MilpSolverUnavailableError(
        `the milp method needs the 'highs' package, which did not load (${err instanceof Error ? err.message : String(err)})`,
      );
    });
  return solver;
}

/** A HiGHS model of the MILP (the caller disposes it). */
export function createHighsModel(highs: Highs, model: MilpModel): ReturnType<Highs['createModel']> {
  const { rows } = model;
  return highs.createModel({
    numCols: model.numCols,
    numRows: rows.lower.length,
    colCost: model.colCost,
    colLower: model.colLower,
    colUpper: model.colUpper,
    rowLower: Float64Array.from(rows.lower, (x) => (x === -Infinity ? -highs.infinity : x)),
    rowUpper: Float64Array.from(rows.upper, (x) => (x === Infinity ? highs.infinity : x)),
    matrix: rowData(rows, model.numCols).matrix,
    integrality: model.integrality,
  });
}

/** A bound on a minimum of integers, from a floating-point solver. */
const roundUp = (bound: number): number =>
  Number.isFinite(bound) ? Math.max(0, Math.ceil(bound - 1e-6)) : 0;

function rowData(rows: RowSet, numCols: number) {
  return {
    lower: Float64Array.from(rows.lower),
    upper: Float64Array.from(rows.upper),
    matrix: {
      format: 'csr' as const,
      numRows: rows.lower.length,
      numCols,
      starts: Int32Array.from(rows.starts),
      indices: Int32Array.from(rows.indices),
      values: Float64Array.from(rows.values),
    },
  };
}

/**
 * Optimal (or bounded) vertex elimination of a scalar graph by integer programming (milp-model.ts), with
 * HiGHS. The warm start is the solver's first incumbent, so the result is never worse than it; the lower
 * bound is HiGHS's dual bound, which is valid at any stop. When the solver's order has a cycle among the
 * order variables, cuts against it are added and the model solved again.
 */
export async function milpOrder(graph: Graph, options: MilpOptions = {}): Promise<MilpResult> {
  const start = performance.now();
  const { timeLimitMs = 60_000, maxNodes, maxRounds = 20 } = options;
  const model: MilpModel = buildMilpModel(graph);
  const warm = options.warmStart ? [...options.warmStart] : bestHeuristicOrder(graph).order;
  let best = { order: warm, multiplications: countOrder(graph, warm).multiplications };
  const integerColumns = model.orderVariables;
  if (model.eliminable.length === 0 || best.multiplications === 0) {
    return {
      ...best,
      lowerBound: best.multiplications,
      optimal: true,
      stats: {
        columns: model.numCols,
        integerColumns,
        rows: model.rows.lower.length,
        rounds: 0,
        cycleCuts: 0,
        nodes: 0,
        seconds: (performance.now() - start) / 1000,
        status: 'trivial',
      },
    };
  }
  const highs = await loadSolver();
  const { rows } = model;
  const lp = createHighsModel(highs, model);
  let lowerBound = 0;
  let rounds = 0;
  let cutCount = 0;
  let nodes = 0;
  let status = 'notSet';
  const statusName = new Map<number, string>(
    Object.entries(highs.constants.modelStatus).map(([name, code]) => [code as number, name]),
  );
  try {
    // Integer costs: a gap below 1 is no gap.
    lp.options.set({ output_flag: false, mip_rel_gap: 0, mip_abs_gap: 0.999 });
    if (maxNodes !== undefined) lp.options.set({ mip_max_nodes: maxNodes });
    if (options.solverOptions) lp.options.set(options.solverOptions);
    while (rounds < maxRounds) {
      const remaining = timeLimitMs - (performance.now() - start);
      if (remaining <= 0) break;
      if (Number.isFinite(remaining)) lp.options.set({ time_limit: remaining / 1000 });
      lp.setSolution({ colValue: model.encode(best.order).colValue });
      lp.run();
      rounds++;
      const code = lp.getModelStatus() as number;
      status = statusName.get(code) ?? String(code);
      nodes += Number(lp.info.get('mip_node_count'));
      lowerBound = Math.max(lowerBound, roundUp(Number(lp.info.get('mip_dual_bound'))));
      if (Number(lp.info.get('primal_solution_status')) !== 2) break; // no feasible point to read
      const colValue = lp.getSolution().colValue;
      const order = model.decode(colValue);
      const multiplications = countOrder(graph, order).multiplications;
      if (multiplications < best.multiplications) best = { order, multiplications };
      if (best.multiplications <= lowerBound) break;
      const cuts = model.cycleCuts(colValue);
      // A consistent order is the solver's best; more rounds only help if its order had a cycle.
      if (cuts.lower.length === 0 || code !== highs.constants.modelStatus.optimal) break;
      const added = rowData(cuts, model.numCols);
      lp.addRows({
        lower: added.lower.map((x) => (x === -Infinity ? -highs.infinity : x)),
        upper: added.upper,
        matrix: added.matrix,
      });
      cutCount += cuts.lower.length;
    }
  } finally {
    lp.dispose();
  }
  lowerBound = Math.min(lowerBound, best.multiplications);
  return {
    ...best,
    lowerBound,
    optimal: lowerBound >= best.multiplications,
    stats: {
      columns: model.numCols,
      integerColumns,
      rows: rows.lower.length + cutCount,
      rounds,
      cycleCuts: cutCount,
      nodes,
      seconds: (performance.now() - start) / 1000,
      status,
    },
  };
}

/**
 * `optimizeOrder(graph, { method: 'milp' })`: milpOrder within the budget (default 5 s) from the best
 * heuristic order, as an OptimizeResult. The graphs it accepts (scalar, no free copy edges) count the same under
 * the native and alphagrad models, so either may be asked for.
 */
export async function milpOptimize(graph: Graph, options: OptimizeOptions = {}): Promise<OptimizeResult> {
  const { costModel = 'native', budgetSeconds = 5 } = options;
  const r = await milpOrder(graph, { timeLimitMs: budgetSeconds * 1000 });
  return {
    order: r.order,
    multiplications: r.multiplications,
    certificate: r.optimal ? 'optimal' : { lowerBound: r.lowerBound },
    seconds: r.stats.seconds,
    method: 'milp',
    costModel,
    // The solver runs to its time limit; an abort is seen only after it returns.
    interrupted: options.signal?.aborted === true,
    budgetSeconds,
    foundBy: 'milp',
    stats: { ...r.stats },
  };
}
