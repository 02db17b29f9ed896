/**
 * The same elimination MILP (src/search/milp-model.ts, without cycle cuts: on these models the first
 * solution is consistent) solved by three solvers that install from npm without downloads: HiGHS
 * (`highs`, WebAssembly), GLPK (`glpk.js`, WebAssembly) and `javascript-lp-solver` (pure JavaScript).
 * Used by bench/milp.ts to pick the solver; each run gets the same wall-clock limit.
 */
import type { MilpModel } from '../src/search/milp-model.js';
import { createHighsModel, loadSolver } from '../src/search/milp.js';

export interface SolverRun {
  readonly solver: string;
  readonly seconds: number;
  /** Objective of the solution returned (null: none). */
  readonly objective: number | null;
  /** Whether the solver says it proved optimality. */
  readonly optimal: boolean;
}

const name = (j: number): string => `x${j}`;

/** The one call of javascript-lp-solver used here. */
interface SolverApi {
  Solve(model: {
    optimize: string;
    opType: 'min' | 'max';
    constraints: Record<string, { min?: number; max?: number }>;
    variables: Record<string, Record<string, number>>;
    binaries: Record<string, 1>;
    options: { timeout: number };
  }): { feasible?: boolean; result?: number };
}

/** Each row as (lower, upper, terms), shared by the converters. */
function rowsOf(model: MilpModel): { lower: number; upper: number; terms: [number, number][] }[] {
  const { rows } = model;
  return rows.lower.map((lower, i) => {
    const terms: [number, number][] = [];
    for (let k = rows.starts[i]; k < rows.starts[i + 1]; k++) terms.push([rows.indices[k], rows.values[k]]);
    return { lower, upper: rows.upper[i], terms };
  });
}

export async function solveWithHighs(model: MilpModel, limitSeconds: number): Promise<SolverRun> {
  const highs = await loadSolver();
  const start = performance.now();
  const lp = createHighsModel(highs, model);
  try {
    lp.options.set({ output_flag: false, mip_rel_gap: 0, mip_abs_gap: 0.999, time_limit: limitSeconds });
    lp.run();
    const optimal = lp.getModelStatus() === highs.constants.modelStatus.optimal;
    const objective = Number(lp.info.get('primal_solution_status')) === 2 ? lp.getObjectiveValue() : null;
    return { solver: 'highs', seconds: (performance.now() - start) / 1000, objective, optimal };
  } finally {
    lp.dispose();
  }
}

export async function solveWithGlpk(model: MilpModel, limitSeconds: number): Promise<SolverRun> {
  const glpk = await (await import('glpk.js/node')).default();
  const start = performance.now();
  const vars = (terms: [number, number][]) => terms.map(([j, coef]) => ({ name: name(j), coef }));
  const bnds = (lower: number, upper: number) =>
    lower === -Infinity
      ? { type: glpk.GLP_UP, lb: 0, ub: upper }
      : upper === Infinity
        ? { type: glpk.GLP_LO, lb: lower, ub: 0 }
        : { type: glpk.GLP_DB, lb: lower, ub: upper };
  const objective: [number, number][] = [];
  model.colCost.forEach((c, j) => objective.push([j, c]));
  const result = glpk.solve(
    {
      name: 'elimination',
      objective: { direction: glpk.GLP_MIN, name: 'cost', vars: vars(objective) },
      subjectTo: rowsOf(model).map((r, i) => ({
        name: `r${i}`,
        vars: vars(r.terms),
        bnds: bnds(r.lower, r.upper),
      })),
      bounds: Array.from(model.colLower, (lb, j) => ({
        name: name(j),
        type: glpk.GLP_DB,
        lb,
        ub: model.colUpper[j],
      })),
      binaries: [...model.integrality.keys()].filter((j) => model.integrality[j] === 1).map(name),
    },
    { msglev: glpk.GLP_MSG_OFF, tmlim: limitSeconds },
  );
  const feasible = result.result.status === glpk.GLP_OPT || result.result.status === glpk.GLP_FEAS;
  return {
    solver: 'glpk.js',
    seconds: (performance.now() - start) / 1000,
    objective: feasible ? result.result.z : null,
    optimal: result.result.status === glpk.GLP_OPT,
  };
}

export async function solveWithJsLpSolver(model: MilpModel, limitSeconds: number): Promise<SolverRun> {
  // Typed as its CommonJS face; under ESM the solver object is the default export.
  const solver = (await import('javascript-lp-solver')).default as unknown as SolverApi;
  const start = performance.now();
  const constraints: Record<string, { min?: number; max?: number }> = {};
  const variables: Record<string, Record<string, number>> = {};
  for (let j = 0; j < model.numCols; j++) {
    variables[name(j)] = { cost: model.colCost[j], [`ub${j}`]: 1 };
    constraints[`ub${j}`] = { max: model.colUpper[j] };
    if (model.colLower[j] > 0) {
      variables[name(j)][`lb${j}`] = 1;
      constraints[`lb${j}`] = { min: model.colLower[j] };
    }
  }
  rowsOf(model).forEach((r, i) => {
    constraints[`r${i}`] = {
      ...(r.lower === -Infinity ? {} : { min: r.lower }),
      ...(r.upper === Infinity ? {} : { max: r.upper }),
    };
    for (const [j, c] of r.terms) variables[name(j)][`r${i}`] = c;
  });
  const binaries: Record<string, 1> = {};
  model.integrality.forEach((t, j) => {
    if (t === 1) binaries[name(j)] = 1;
  });
  const result = solver.Solve({
    optimize: 'cost',
    opType: 'min',
    constraints,
    variables,
    binaries,
    options: { timeout: limitSeconds * 1000 },
  });
  const seconds = (performance.now() - start) / 1000;
  const objective = result.feasible ? (result.result ?? null) : null;
  // The solver returns its best integral point at the timeout without telling whether it was proven.
  return {
    solver: 'javascript-lp-solver',
    seconds,
    objective,
    optimal: objective !== null && seconds < limitSeconds,
  };
}
