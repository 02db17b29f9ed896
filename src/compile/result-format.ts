import { CrosscountryError, ShapeError } from '../graph/errors.js';
import {
  offsetsOf,
  patternFromCoordinates,
  patternPosition,
  type SparsityPattern,
} from '../sparse/pattern.js';
import type { JacobianEntry } from './program.js';

export type { SparsityPattern } from '../sparse/pattern.js';

/**
 * How a compiled Jacobian is returned. `blocks`: one array per (output, input) pair, shaped
 * [batch, ...out.shape, ...in.shape] (JAX's nested result); `dense`: one [batch, rows, cols] array over the
 * flattened outputs (rows) and inputs (cols); `sparse`: the non-zero entries of that matrix in CSR order,
 * [batch, nnz], with one pattern shared by every point and every call.
 */
export type ResultFormat = 'blocks' | 'dense' | 'sparse';
export const RESULT_FORMATS: readonly ResultFormat[] = ['blocks', 'dense', 'sparse'];

/** How a compiled Jacobian returns its result: a program format, or `nested` JS arrays as JAX's. */
export type JacobianFormat = ResultFormat | 'nested';
export const JACOBIAN_FORMATS: readonly JacobianFormat[] = [...RESULT_FORMATS, 'nested'];

/** More (output, input) pairs than this make `blocks` a poor result (one typed array each): say so instead. */
export const MAX_BLOCKS = 100_000;

/** The `blocks` result: per output, [batch, ...shape]; per (output i, input j), [batch, ...out_i ++ in_j]. */
export interface JacobianBatch {
  readonly outputs: Float64Array[];
  readonly jacobian: Float64Array[][];
}

/** The `dense` result: jacobian is [batch, rows, cols] row-major. */
export interface DenseJacobianBatch {
  readonly outputs: Float64Array[];
  readonly jacobian: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** The `sparse` result: values is [batch, nnz], entry k of a point at (row, col) of pattern entry k. */
export interface SparseJacobianBatch {
  readonly outputs: Float64Array[];
  readonly values: Float64Array;
  readonly pattern: SparsityPattern;
}

export type ResultOf<F extends ResultFormat> = F extends 'dense'
  ? DenseJacobianBatch
  : F extends 'sparse'
    ? SparseJacobianBatch
    : JacobianBatch;

export type AnyJacobianBatch = JacobianBatch | DenseJacobianBatch | SparseJacobianBatch;

/** The pattern of a list of entries (duplicates merged) over outputs and inputs of the given sizes. */
export function patternOfEntries(
  entries: readonly JacobianEntry[],
  outputSizes: readonly number[],
  inputSizes: readonly number[],
): SparsityPattern {
  const rowOffsets = offsetsOf(outputSizes);
  const colOffsets = offsetsOf(inputSizes);
  const rows = rowOffsets[outputSizes.length];
  const cols = colOffsets[inputSizes.length];
  const coords = entries.map(([i, j, flat]) =>
    globalCoordinate(i, j, flat, inputSizes, rowOffsets, colOffsets),
  );
  return patternFromCoordinates(rows, cols, coords, rowOffsets, colOffsets);
}

/** (row, col) of entry `flat` of block (i, j) in the flattened matrix. */
export function globalCoordinate(
  i: number,
  j: number,
  flat: number,
  inputSizes: readonly number[],
  rowOffsets: readonly number[],
  colOffsets: readonly number[],
): [number, number] {
  const n = inputSizes[j];
  return [rowOffsets[i] + Math.floor(flat / n), colOffsets[j] + (flat % n)];
}

/** Allocation and the check of a reused result, per format: shared by generated code and the block kernels. */
export interface ResultArrays {
  readonly format: ResultFormat;
  allocate(batch: number): AnyJacobianBatch;
  /** Throws ShapeError unless `into` is a result of this format and these sizes for `batch` points. */
  check(into: AnyJacobianBatch, batch: number): void;
}

/**
 * Where a compiled program writes its results, per format: allocation, the check of a reused result, the
 * array handed to the generated code, and the store target of each Jacobian entry in generated source.
 */
export interface ResultLayout extends ResultArrays {
  /** What the generated code receives as `J`. */
  jacobianArgument(result: AnyJacobianBatch): unknown;
  /** Source of the store target of entry k of program.jacobian at point `b` (a JS expression naming `b`). */
  target(entryIndex: number, b: string): string;
}

/** The result arrays of a format; `pattern` is read only for `sparse`. */
export function resultArrays(
  format: ResultFormat,
  outputSizes: readonly number[],
  inputSizes: readonly number[],
  pattern: () => SparsityPattern,
): ResultArrays {
  // Plain loops: a program may have 10^4 outputs, and these run on every call.
  const outputsOk = (into: AnyJacobianBatch, batch: number): boolean => {
    const outs = into.outputs;
    if (!Array.isArray(outs) || outs.length !== outputSizes.length) return false;
    for (let i = 0; i < outs.length; i++) {
      const a: unknown = outs[i];
      if (!(a instanceof Float64Array) || a.length !== batch * outputSizes[i]) return false;
    }
    return true;
  };
  const newOutputs = (batch: number): Float64Array[] => {
    const outs = new Array<Float64Array>(outputSizes.length);
    for (let i = 0; i < outs.length; i++) outs[i] = new Float64Array(batch * outputSizes[i]);
    return outs;
  };
  const misfit = (batch: number): ShapeError =>
    new ShapeError(`'into' does not have the shapes of a ${format} result for a batch of ${batch}`);
  if (format === 'blocks') {
    if (outputSizes.length * inputSizes.length > MAX_BLOCKS)
      throw new CrosscountryError(
        `the Jacobian has ${outputSizes.length} × ${inputSizes.length} blocks (one array per output and input); use format: 'dense' or 'sparse'`,
      );
    const blockSizes = outputSizes.map((m) => inputSizes.map((n) => m * n));
    return {
      format,
      allocate: (batch) => ({
        outputs: newOutputs(batch),
        jacobian: blockSizes.map((row) => row.map((n) => new Float64Array(batch * n))),
      }),
      check(into, batch) {
        const j = (into as JacobianBatch).jacobian;
        const fits =
          outputsOk(into, batch) &&
          Array.isArray(j) &&
          j.length === blockSizes.length &&
          j.every(
            (row, i) =>
              Array.isArray(row) &&
              row.length === blockSizes[i].length &&
              row.every((a, k) => a instanceof Float64Array && a.length === batch * blockSizes[i][k]),
          );
        if (!fits) throw misfit(batch);
      },
    };
  }
  if (format === 'dense') {
    const rows = outputSizes.reduce((s, n) => s + n, 0);
    const cols = inputSizes.reduce((s, n) => s + n, 0);
    const size = rows * cols;
    return {
      format,
      allocate(batch) {
        if (batch * size > 2 ** 31)
          throw new CrosscountryError(
            `a dense Jacobian of ${rows} × ${cols} for ${batch} points needs ${((batch * size * 8) / 2 ** 30).toFixed(1)} GiB; use format: 'sparse'`,
          );
        return { outputs: newOutputs(batch), jacobian: new Float64Array(batch * size), rows, cols };
      },
      check(into, batch) {
        const j = (into as DenseJacobianBatch).jacobian;
        if (!outputsOk(into, batch) || !(j instanceof Float64Array) || j.length !== batch * size)
          throw misfit(batch);
      },
    };
  }
  return {
    format,
    allocate: (batch) => {
      const p = pattern();
      return { outputs: newOutputs(batch), values: new Float64Array(batch * p.colIdx.length), pattern: p };
    },
    check(into, batch) {
      const v = (into as SparseJacobianBatch).values;
      if (
        !outputsOk(into, batch) ||
        !(v instanceof Float64Array) ||
        v.length !== batch * pattern().colIdx.length
      )
        throw misfit(batch);
    },
  };
}

/** The layout of a program's Jacobian entries in one format. */
export function resultLayout(
  format: ResultFormat,
  entries: readonly JacobianEntry[],
  outputSizes: readonly number[],
  inputSizes: readonly number[],
): ResultLayout {
  let pattern: SparsityPattern | null = null;
  const patternOf = (): SparsityPattern => (pattern ??= patternOfEntries(entries, outputSizes, inputSizes));
  const arrays = resultArrays(format, outputSizes, inputSizes, patternOf);
  if (format === 'blocks') {
    const blockSizes = outputSizes.map((m) => inputSizes.map((n) => m * n));
    return {
      ...arrays,
      jacobianArgument: (r) => (r as JacobianBatch).jacobian,
      target: (k, b) => {
        const [i, j, flat] = entries[k];
        return `J${i}_${j}[${b}*${blockSizes[i][j]}+${flat}]`;
      },
    };
  }
  const rowOffsets = offsetsOf(outputSizes);
  const colOffsets = offsetsOf(inputSizes);
  const rows = rowOffsets[outputSizes.length];
  const cols = colOffsets[inputSizes.length];
  if (format === 'dense') {
    const size = rows * cols;
    return {
      ...arrays,
      jacobianArgument: (r) => (r as DenseJacobianBatch).jacobian,
      target: (k, b) => {
        const [i, j, flat] = entries[k];
        const [r, c] = globalCoordinate(i, j, flat, inputSizes, rowOffsets, colOffsets);
        return `J[${b}*${size}+${r * cols + c}]`;
      },
    };
  }
  const p = patternOf();
  const nnz = p.colIdx.length;
  return {
    ...arrays,
    jacobianArgument: (r) => (r as SparseJacobianBatch).values,
    target: (k, b) => {
      const [i, j, flat] = entries[k];
      const [r, c] = globalCoordinate(i, j, flat, inputSizes, rowOffsets, colOffsets);
      return `J[${b}*${nnz}+${patternPosition(p, r, c)}]`;
    },
  };
}
