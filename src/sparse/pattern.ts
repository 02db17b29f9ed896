/**
 * A Jacobian's sparsity pattern over the flattened outputs (rows; output i from rowOffsets[i]) and inputs
 * (cols; input j from colOffsets[j]), in CSR form: row r's columns are colIdx[rowPtr[r] .. rowPtr[r+1]),
 * ascending. One pattern serves every point and every call.
 */
export interface SparsityPattern {
  readonly rows: number;
  readonly cols: number;
  readonly rowPtr: Int32Array;
  readonly colIdx: Int32Array;
  readonly rowOffsets: readonly number[];
  readonly colOffsets: readonly number[];
}

/** CSR from (row, col) pairs, sorted and deduplicated. */
export function patternFromCoordinates(
  rows: number,
  cols: number,
  coords: readonly (readonly [number, number])[],
  rowOffsets: readonly number[],
  colOffsets: readonly number[],
): SparsityPattern {
  const sorted = [...coords].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const rowPtr = new Int32Array(rows + 1);
  const colIdx: number[] = [];
  let last: readonly [number, number] | null = null;
  for (const c of sorted) {
    if (last && last[0] === c[0] && last[1] === c[1]) continue;
    colIdx.push(c[1]);
    rowPtr[c[0] + 1]++;
    last = c;
  }
  for (let r = 0; r < rows; r++) rowPtr[r + 1] += rowPtr[r];
  return { rows, cols, rowPtr, colIdx: Int32Array.from(colIdx), rowOffsets, colOffsets };
}

/** Prefix sums [0, n0, n0+n1, …]: where each output's rows (or input's columns) start. */
/** The position in `pattern` of the first entry of row r whose column is ≥ c (the entry (r, c) if present). */
export function patternPosition(pattern: SparsityPattern, r: number, c: number): number {
  let lo = pattern.rowPtr[r];
  let hi = pattern.rowPtr[r + 1];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pattern.colIdx[mid] < c) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function offsetsOf(sizes: readonly number[]): number[] {
  const out = [0];
  for (const n of sizes) out.push(out[out.length - 1] + n);
  return out;
}

/**
 * One output's Jacobian row blocks: per input j, the block ∂output/∂input_j (any CSR-shaped block), or
 * 'identity' when the output is input j itself.
 */
export interface PatternBlock {
  readonly rows: number;
  readonly cols: number;
  readonly rowPtr: Int32Array;
  readonly colIdx: Int32Array;
  /** Every entry present: the indices are not read (a dense block builds them only on demand). */
  readonly full?: boolean;
}
export type OutputBlocks = ReadonlyMap<number, PatternBlock | 'identity'>;

/**
 * The pattern of a Jacobian given as blocks, built row by row without coordinate lists: rows of a block
 * are sorted, and inputs occupy ascending column ranges, so concatenating block rows in input order is CSR.
 */
export function patternOfBlocks(
  outputs: readonly OutputBlocks[],
  outputSizes: readonly number[],
  inputSizes: readonly number[],
): SparsityPattern {
  const rowOffsets = offsetsOf(outputSizes);
  const colOffsets = offsetsOf(inputSizes);
  const rows = rowOffsets[outputSizes.length];
  const rowPtr = new Int32Array(rows + 1);
  const inputsOf = outputs.map((blocks) => [...blocks.keys()].sort((a, b) => a - b));
  outputs.forEach((blocks, i) => {
    for (const j of inputsOf[i]) {
      const block = blocks.get(j);
      for (let r = 0; r < outputSizes[i]; r++) rowPtr[rowOffsets[i] + r + 1] += rowLength(block, r);
    }
  });
  for (let r = 0; r < rows; r++) rowPtr[r + 1] += rowPtr[r];
  const colIdx = new Int32Array(rowPtr[rows]);
  const fill = rowPtr.slice(0, rows);
  outputs.forEach((blocks, i) => {
    for (const j of inputsOf[i]) {
      const block = blocks.get(j);
      const c0 = colOffsets[j];
      for (let r = 0; r < outputSizes[i]; r++) {
        const R = rowOffsets[i] + r;
        if (block === 'identity') colIdx[fill[R]++] = c0 + r;
        else if (block?.full) for (let c = 0; c < block.cols; c++) colIdx[fill[R]++] = c0 + c;
        else if (block)
          for (let p = block.rowPtr[r]; p < block.rowPtr[r + 1]; p++)
            colIdx[fill[R]++] = c0 + block.colIdx[p];
      }
    }
  });
  return { rows, cols: colOffsets[inputSizes.length], rowPtr, colIdx, rowOffsets, colOffsets };
}

function rowLength(block: PatternBlock | 'identity' | undefined, r: number): number {
  if (block === undefined) return 0;
  if (block === 'identity') return 1;
  return block.full ? block.cols : block.rowPtr[r + 1] - block.rowPtr[r];
}
