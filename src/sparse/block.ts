/**
 * A local or accumulated Jacobian block ∂target/∂source, flattened to a (target size × source size) sparse
 * matrix in CSR form. Its structure (the pattern, and whether it is a 0/1 selection) depends only on
 * primitives and shapes, never on values, so the same code runs numerically (values present) and
 * symbolically (structure only) and both count the same multiplications.
 */
export interface Block {
  readonly rows: number;
  readonly cols: number;
  /** Row r's entries are colIdx[rowPtr[r] .. rowPtr[r+1]), columns ascending. */
  readonly rowPtr: Int32Array;
  readonly colIdx: Int32Array;
  /**
   * True for 0/1 selections (copy, reshape, transpose, broadcast, slice, concatenate and their products):
   * every entry is exactly 1, so a product with this block is a gather or a sum and costs no multiplication.
   */
  readonly structural: boolean;
  /** Entry values aligned with colIdx; null for structural blocks and for structure-only (symbolic) blocks. */
  readonly values: Float64Array | null;
}

export function nnz(block: Block): number {
  return block.rowPtr[block.rows];
}

/** Whether a block carries numbers: structural blocks are exact without any. */
export function isNumeric(block: Block): boolean {
  return block.structural || block.values !== null;
}

/** A selection: row r holds a single 1 at column source[r], or nothing when source[r] < 0. */
export function selectionBlock(cols: number, source: Int32Array): Block {
  const rows = source.length;
  const rowPtr = new Int32Array(rows + 1);
  let n = 0;
  for (let r = 0; r < rows; r++) {
    if (source[r] >= 0) n++;
    rowPtr[r + 1] = n;
  }
  const colIdx = new Int32Array(n);
  for (let r = 0, k = 0; r < rows; r++) if (source[r] >= 0) colIdx[k++] = source[r];
  return { rows, cols, rowPtr, colIdx, structural: true, values: null };
}

/** One valued entry per row at column source[r] (element-wise partials, diagonal when source is 0..n-1). */
export function rowMapBlock(cols: number, source: Int32Array, values: Float64Array | null): Block {
  const rows = source.length;
  const rowPtr = new Int32Array(rows + 1);
  for (let r = 0; r < rows; r++) rowPtr[r + 1] = r + 1;
  return { rows, cols, rowPtr, colIdx: Int32Array.from(source), structural: false, values };
}

export function diagonalBlock(n: number, values: Float64Array | null): Block {
  const source = new Int32Array(n);
  for (let i = 0; i < n; i++) source[i] = i;
  return rowMapBlock(n, source, values);
}

/** A valued block from CSR arrays whose rows may be unsorted; sorts each row (values follow). */
export function csrBlock(
  rows: number,
  cols: number,
  rowPtr: Int32Array,
  colIdx: Int32Array,
  values: Float64Array | null,
): Block {
  for (let r = 0; r < rows; r++) sortRow(colIdx, values, rowPtr[r], rowPtr[r + 1]);
  return { rows, cols, rowPtr, colIdx, structural: false, values };
}

function sortRow(colIdx: Int32Array, values: Float64Array | null, start: number, end: number): void {
  // Insertion sort: rows are short, and this keeps values paired with their columns.
  for (let i = start + 1; i < end; i++) {
    const c = colIdx[i];
    const v = values === null ? 0 : values[i];
    let j = i - 1;
    while (j >= start && colIdx[j] > c) {
      colIdx[j + 1] = colIdx[j];
      if (values !== null) values[j + 1] = values[j];
      j--;
    }
    colIdx[j + 1] = c;
    if (values !== null) values[j + 1] = v;
  }
}

/** Multiplications of post·pre, from structure alone: Σ over post's entries (i,k) of nnz(row k of pre). */
export function countProduct(post: Block, pre: Block): number {
  if (post.structural || pre.structural) return 0;
  let count = 0;
  const idx = post.colIdx;
  for (let p = 0, n = nnz(post); p < n; p++) {
    const k = idx[p];
    count += pre.rowPtr[k + 1] - pre.rowPtr[k];
  }
  return count;
}

/** Tally of the scalar multiplications a numeric kernel really performed. */
export interface MultiplicationCounter {
  count: number;
}

/**
 * The chain-rule product post·pre (post: v→w, pre: u→v) by Gustavson's row-wise algorithm. In numeric
 * mode every `a * b` it evaluates increments `counter`; products through structural blocks only copy or add.
 */
export function multiplyBlocks(post: Block, pre: Block, counter?: MultiplicationCounter): Block {
  if (post.cols !== pre.rows)
    throw new RangeError(`block product ${post.rows}x${post.cols} · ${pre.rows}x${pre.cols}`);
  const rows = post.rows;
  const cols = pre.cols;
  const bothStructural = post.structural && pre.structural;
  const numeric = isNumeric(post) && isNumeric(pre);
  const marker = new Int32Array(cols).fill(-1);
  const acc = new Float64Array(cols);
  const hits = new Int32Array(cols);
  const rowPtr = new Int32Array(rows + 1);
  const outCols: number[] = [];
  const outVals: number[] = [];
  const rowCols: number[] = [];
  let anyRepeat = false;
  let muls = 0;
  for (let i = 0; i < rows; i++) {
    rowCols.length = 0;
    for (let p = post.rowPtr[i]; p < post.rowPtr[i + 1]; p++) {
      const k = post.colIdx[p];
      const a = post.values === null ? 1 : post.values[p];
      for (let q = pre.rowPtr[k]; q < pre.rowPtr[k + 1]; q++) {
        const j = pre.colIdx[q];
        if (marker[j] !== i) {
          marker[j] = i;
          rowCols.push(j);
          acc[j] = 0;
          hits[j] = 0;
        }
        hits[j]++;
        if (!numeric) continue;
        if (post.structural) acc[j] += pre.structural ? 1 : (pre.values as Float64Array)[q];
        else if (pre.structural) acc[j] += a;
        else {
          acc[j] += a * (pre.values as Float64Array)[q];
          muls++;
        }
      }
    }
    rowCols.sort((x, y) => x - y);
    for (const j of rowCols) {
      outCols.push(j);
      outVals.push(acc[j]);
      if (hits[j] > 1) anyRepeat = true;
    }
    rowPtr[i + 1] = outCols.length;
  }
  if (counter) counter.count += muls;
  // A product of selections stays a selection unless two paths meet in one entry (then it holds a count).
  const structural = bothStructural && !anyRepeat;
  const values = structural || !numeric ? null : Float64Array.from(outVals);
  return { rows, cols, rowPtr, colIdx: Int32Array.from(outCols), structural, values };
}

/** Sum of two blocks of one shape (accumulating a fill-in onto an existing edge). Costs no multiplication. */
export function addBlocks(a: Block, b: Block): Block {
  if (a.rows !== b.rows || a.cols !== b.cols)
    throw new RangeError(`block sum ${a.rows}x${a.cols} + ${b.rows}x${b.cols}`);
  const numeric = isNumeric(a) && isNumeric(b);
  const rowPtr = new Int32Array(a.rows + 1);
  const outCols: number[] = [];
  const outVals: number[] = [];
  let overlap = false;
  const av = (p: number): number => (a.values === null ? 1 : a.values[p]);
  const bv = (q: number): number => (b.values === null ? 1 : b.values[q]);
  for (let r = 0; r < a.rows; r++) {
    let p = a.rowPtr[r];
    let q = b.rowPtr[r];
    const pe = a.rowPtr[r + 1];
    const qe = b.rowPtr[r + 1];
    while (p < pe || q < qe) {
      const ca = p < pe ? a.colIdx[p] : Infinity;
      const cb = q < qe ? b.colIdx[q] : Infinity;
      if (ca === cb) {
        outCols.push(ca);
        outVals.push(av(p++) + bv(q++));
        overlap = true;
      } else if (ca < cb) {
        outCols.push(ca);
        outVals.push(av(p++));
      } else {
        outCols.push(cb);
        outVals.push(bv(q++));
      }
    }
    rowPtr[r + 1] = outCols.length;
  }
  const structural = a.structural && b.structural && !overlap;
  const values = structural || !numeric ? null : Float64Array.from(outVals);
  return { rows: a.rows, cols: a.cols, rowPtr, colIdx: Int32Array.from(outCols), structural, values };
}

/** Drops the numbers, keeping the structure: what the symbolic cost engines work on. */
export function structureOf(block: Block): Block {
  return block.values === null ? block : { ...block, values: null };
}

/** Row-major dense copy (rows × cols). Requires a numeric block. */
export function blockToDense(block: Block): Float64Array {
  if (!isNumeric(block)) throw new Error('blockToDense needs a numeric block');
  const out = new Float64Array(block.rows * block.cols);
  for (let r = 0; r < block.rows; r++) {
    for (let p = block.rowPtr[r]; p < block.rowPtr[r + 1]; p++) {
      out[r * block.cols + block.colIdx[p]] += block.values === null ? 1 : block.values[p];
    }
  }
  return out;
}

/** Short structural description for dumps: `diag 4x4`, `select 6x3`, `dense 2x8`, `sparse 8x32 nnz=32`. */
export function describeBlock(block: Block): string {
  const n = nnz(block);
  const dims = `${block.rows}x${block.cols}`;
  if (block.structural) return `select ${dims}`;
  if (n === block.rows * block.cols) return `dense ${dims}`;
  if (block.rows === block.cols && n === block.rows) {
    let diag = true;
    for (let r = 0; r < block.rows && diag; r++)
      diag = block.colIdx[r] === r && block.rowPtr[r + 1] === r + 1;
    if (diag) return `diag ${dims}`;
  }
  return `sparse ${dims} nnz=${n}`;
}
