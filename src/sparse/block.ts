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
  /**
   * Every entry present (a dense valued block): values are then row-major, and rowPtr/colIdx are only built
   * if something reads them, so dense products and their counts never materialise rows × cols indices.
   */
  readonly full?: boolean;
}

export function nnz(block: Block): number {
  return block.full === true ? block.rows * block.cols : block.rowPtr[block.rows];
}

export const isFull = (block: Block): boolean => block.full === true;

/** A dense valued block (values row-major, or null for structure only); its CSR arrays are built lazily. */
class FullBlock implements Block {
  readonly full = true;
  readonly structural = false;
  private ptr: Int32Array | null = null;
  private idx: Int32Array | null = null;
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly values: Float64Array | null,
  ) {}
  get rowPtr(): Int32Array {
    if (this.ptr === null) {
      this.ptr = new Int32Array(this.rows + 1);
      for (let r = 0; r < this.rows; r++) this.ptr[r + 1] = (r + 1) * this.cols;
    }
    return this.ptr;
  }
  get colIdx(): Int32Array {
    if (this.idx === null) {
      if (this.rows * this.cols > 2 ** 30) throw new RangeError('dense block too large for CSR indices');
      this.idx = new Int32Array(this.rows * this.cols);
      for (let r = 0, e = 0; r < this.rows; r++) for (let c = 0; c < this.cols; c++) this.idx[e++] = c;
    }
    return this.idx;
  }
}

export function fullBlock(rows: number, cols: number, values: Float64Array | null): Block {
  return new FullBlock(rows, cols, values);
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
  // Sorted rows without repeats that hold rows × cols entries are dense: values are already row-major.
  if (rows > 0 && cols > 0 && rowPtr[rows] === rows * cols && coversEveryColumn(cols, colIdx))
    return fullBlock(rows, cols, values);
  return { rows, cols, rowPtr, colIdx, structural: false, values };
}

function coversEveryColumn(cols: number, colIdx: Int32Array): boolean {
  for (let e = 0; e < colIdx.length; e++) if (colIdx[e] !== e % cols) return false;
  return true;
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
  if (isFull(post)) return post.rows * nnz(pre);
  if (isFull(pre)) return nnz(post) * pre.cols;
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
  if (!post.structural && !pre.structural) {
    if (isFull(post) && isFull(pre)) return denseTimesDense(post, pre, counter);
    if (isFull(post)) return denseTimesSparse(post, pre, counter);
    if (isFull(pre)) return sparseTimesDense(post, pre, counter);
  }
  if (isRowMap(post) && !isFull(pre)) return rowMapTimes(post, pre, counter);
  return gustavson(post, pre, counter);
}

/** At most one entry per row (element-wise partials, diagonals, selections). */
function isRowMap(block: Block): boolean {
  if (isFull(block)) return block.cols <= 1;
  const ptr = block.rowPtr;
  for (let r = 0; r < block.rows; r++) if (ptr[r + 1] - ptr[r] > 1) return false;
  return true;
}

/**
 * post with at most one entry per row: product row i is pre's row k scaled by post[i, k], so rows are
 * copied, never merged (the common case in tensor graphs: an element-wise vertex's partial times anything).
 */
function rowMapTimes(post: Block, pre: Block, counter?: MultiplicationCounter): Block {
  const rows = post.rows;
  const cols = pre.cols;
  const rowPtr = new Int32Array(rows + 1);
  const { rowPtr: pp, colIdx: pc } = post;
  const { rowPtr: qp, colIdx: qc } = pre;
  for (let i = 0; i < rows; i++) {
    const k = pp[i + 1] > pp[i] ? pc[pp[i]] : -1;
    rowPtr[i + 1] = rowPtr[i] + (k < 0 ? 0 : qp[k + 1] - qp[k]);
  }
  const n = rowPtr[rows];
  const colIdx = new Int32Array(n);
  const structural = post.structural && pre.structural;
  const numeric = isNumeric(post) && isNumeric(pre);
  const values = !structural && numeric ? new Float64Array(n) : null;
  const a = post.values;
  const b = pre.values;
  for (let i = 0; i < rows; i++) {
    if (pp[i + 1] === pp[i]) continue;
    const k = pc[pp[i]];
    const x = a === null ? 1 : a[pp[i]];
    const start = qp[k];
    const len = qp[k + 1] - start;
    colIdx.set(qc.subarray(start, start + len), rowPtr[i]);
    if (values !== null) {
      const o = rowPtr[i] - start;
      if (b === null) for (let q = start; q < start + len; q++) values[o + q] = x;
      else for (let q = start; q < start + len; q++) values[o + q] = x * b[q];
    }
  }
  if (counter && numeric && !post.structural && !pre.structural) counter.count += n;
  if (!structural && rows > 0 && cols > 0 && n === rows * cols) return fullBlock(rows, cols, values);
  return { rows, cols, rowPtr, colIdx, structural, values };
}

function gustavson(post: Block, pre: Block, counter?: MultiplicationCounter): Block {
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
  if (!structural && rows > 0 && cols > 0 && outCols.length === rows * cols)
    return fullBlock(rows, cols, values);
  return { rows, cols, rowPtr, colIdx: Int32Array.from(outCols), structural, values };
}

// The kernels below are for valued blocks of which at least one is dense. Each performs exactly the
// multiplications countProduct counts (every pair of entries, zeros included), so the native model holds.

/** Both dense: a row-major matrix product (i-k-j loops, so the inner loop runs along rows of both). */
function denseTimesDense(post: Block, pre: Block, counter?: MultiplicationCounter): Block {
  const { rows, cols: inner } = post;
  const cols = pre.cols;
  const a = post.values;
  const b = pre.values;
  if (a === null || b === null) return fullBlock(rows, cols, null);
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let k = 0; k < inner; k++) {
      const x = a[i * inner + k];
      const q = k * cols;
      for (let j = 0; j < cols; j++) out[o + j] += x * b[q + j];
    }
  }
  if (counter) counter.count += rows * inner * cols;
  return fullBlock(rows, cols, out);
}

/**
 * Dense post (every row uses every row of pre): each product row has the union of pre's columns, the
 * same for every row; dense when that union is every column.
 */
function denseTimesSparse(post: Block, pre: Block, counter?: MultiplicationCounter): Block {
  const { rows, cols: inner } = post;
  const cols = pre.cols;
  const position = new Int32Array(cols).fill(-1);
  for (let e = 0, n = nnz(pre); e < n; e++) position[pre.colIdx[e]] = 0;
  let width = 0;
  for (let j = 0; j < cols; j++) if (position[j] === 0) position[j] = width++;
  const a = post.values;
  const b = pre.values;
  const numeric = a !== null && b !== null;
  const out = numeric ? new Float64Array(rows * width) : null;
  if (out !== null && a !== null && b !== null) {
    const idx = pre.colIdx;
    const ptr = pre.rowPtr;
    for (let i = 0; i < rows; i++) {
      const o = i * width;
      for (let k = 0; k < inner; k++) {
        const x = a[i * inner + k];
        const end = ptr[k + 1];
        // Every column used: positions are the columns themselves (the common case).
        if (width === cols) for (let q = ptr[k]; q < end; q++) out[o + idx[q]] += x * b[q];
        else for (let q = ptr[k]; q < end; q++) out[o + position[idx[q]]] += x * b[q];
      }
    }
    if (counter) counter.count += rows * nnz(pre);
  }
  if (width === cols && rows > 0 && cols > 0) return fullBlock(rows, cols, out);
  const rowPtr = new Int32Array(rows + 1);
  for (let i = 0; i < rows; i++) rowPtr[i + 1] = (i + 1) * width;
  const row = new Int32Array(width);
  for (let j = 0; j < cols; j++) if (position[j] >= 0) row[position[j]] = j;
  const colIdx = new Int32Array(rows * width);
  for (let i = 0; i < rows; i++) colIdx.set(row, i * width);
  return { rows, cols, rowPtr, colIdx, structural: false, values: out };
}

/** Dense pre: product row i is a combination of pre's rows, so dense wherever post's row i has an entry. */
function sparseTimesDense(post: Block, pre: Block, counter?: MultiplicationCounter): Block {
  const rows = post.rows;
  const cols = pre.cols;
  let nonEmpty = 0;
  for (let i = 0; i < rows; i++) if (post.rowPtr[i + 1] > post.rowPtr[i]) nonEmpty++;
  const a = post.values;
  const b = pre.values;
  const out = a !== null && b !== null ? new Float64Array(nonEmpty * cols) : null;
  if (out !== null && a !== null && b !== null) {
    for (let i = 0, o = 0; i < rows; i++) {
      const start = post.rowPtr[i];
      const end = post.rowPtr[i + 1];
      if (start === end) continue;
      for (let p = start; p < end; p++) {
        const x = a[p];
        const q = post.colIdx[p] * cols;
        for (let j = 0; j < cols; j++) out[o + j] += x * b[q + j];
      }
      o += cols;
    }
    if (counter) counter.count += nnz(post) * cols;
  }
  if (nonEmpty === rows && rows > 0 && cols > 0) return fullBlock(rows, cols, out);
  const rowPtr = new Int32Array(rows + 1);
  for (let i = 0; i < rows; i++) rowPtr[i + 1] = rowPtr[i] + (post.rowPtr[i + 1] > post.rowPtr[i] ? cols : 0);
  const colIdx = new Int32Array(nonEmpty * cols);
  for (let e = 0; e < colIdx.length; e++) colIdx[e] = e % cols;
  return { rows, cols, rowPtr, colIdx, structural: false, values: out };
}

/** Sum of two blocks of one shape (accumulating a fill-in onto an existing edge). Costs no multiplication. */
export function addBlocks(a: Block, b: Block): Block {
  if (a.rows !== b.rows || a.cols !== b.cols)
    throw new RangeError(`block sum ${a.rows}x${a.cols} + ${b.rows}x${b.cols}`);
  if (isFull(a)) return addOntoDense(a, b);
  if (isFull(b)) return addOntoDense(b, a);
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

/** dense + other: dense, other's entries (1 for a selection's) added in place on a copy. */
function addOntoDense(dense: Block, other: Block): Block {
  if (!isNumeric(other) || dense.values === null) return fullBlock(dense.rows, dense.cols, null);
  const out = Float64Array.from(dense.values);
  if (isFull(other)) {
    const v = other.values as Float64Array;
    for (let e = 0; e < out.length; e++) out[e] += v[e];
  } else {
    const { rowPtr, colIdx, values } = other;
    for (let r = 0; r < other.rows; r++)
      for (let p = rowPtr[r]; p < rowPtr[r + 1]; p++)
        out[r * dense.cols + colIdx[p]] += values ? values[p] : 1;
  }
  return fullBlock(dense.rows, dense.cols, out);
}

/** Drops the numbers, keeping the structure: what the symbolic cost engines work on. */
export function structureOf(block: Block): Block {
  if (block.values === null) return block;
  return isFull(block) ? fullBlock(block.rows, block.cols, null) : { ...block, values: null };
}

/** Row-major dense copy (rows × cols). Requires a numeric block. */
export function blockToDense(block: Block): Float64Array {
  if (!isNumeric(block)) throw new Error('blockToDense needs a numeric block');
  if (isFull(block)) return Float64Array.from(block.values as Float64Array);
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
