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
export function offsetsOf(sizes: readonly number[]): number[] {
  const out = [0];
  for (const n of sizes) out.push(out[out.length - 1] + n);
  return out;
}
