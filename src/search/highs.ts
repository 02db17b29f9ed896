import type { Highs } from 'highs';

import { CrosscountryError } from '../graph/errors.js';
import type { MilpModel, RowSet } from './milp-model.js';

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
export function createHighsModel(
  highs: Highs,
  model: Pick<MilpModel, 'numCols' | 'colCost' | 'colLower' | 'colUpper' | 'integrality' | 'rows'>,
): ReturnType<Highs['createModel']> {
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

/** Rows as HiGHS's compressed-row arrays. */
export function rowData(rows: RowSet, numCols: number) {
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
