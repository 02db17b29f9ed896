import type { ProgramBuilder, Sym, Term } from './program.js';

/**
 * A block whose entries are program slots: the same CSR structure as sparse/block.ts, so products and sums
 * follow the same rules, but each operation records instructions instead of computing numbers.
 */
export interface SymBlock {
  readonly rows: number;
  readonly cols: number;
  readonly rowPtr: Int32Array;
  readonly colIdx: Int32Array;
  /** 0/1 selection: every entry is exactly 1, no slots. */
  readonly structural: boolean;
  readonly syms: Sym[] | null;
}

/** A valued block from (row, col, slot) entries in any order (sorted here; no duplicates expected). */
export function symBlockFromEntries(
  rows: number,
  cols: number,
  entries: (readonly [number, number, Sym])[],
): SymBlock {
  const sorted = [...entries].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const rowPtr = new Int32Array(rows + 1);
  for (const [r] of sorted) rowPtr[r + 1]++;
  for (let r = 0; r < rows; r++) rowPtr[r + 1] += rowPtr[r];
  return {
    rows,
    cols,
    rowPtr,
    colIdx: Int32Array.from(sorted.map((e) => e[1])),
    structural: false,
    syms: sorted.map((e) => e[2]),
  };
}

/** The slot of entry p of a block (structural entries are the constant 1). */
const slotOf = (b: ProgramBuilder, block: SymBlock, p: number): Sym =>
  block.syms ? block.syms[p] : b.constant(1);

/** post·pre, recording one multiplication per pair of valued entries (the native model's count). */
export function multiplySym(b: ProgramBuilder, post: SymBlock, pre: SymBlock): SymBlock {
  const rows = post.rows;
  const cols = pre.cols;
  const bothStructural = post.structural && pre.structural;
  const terms = new Map<number, Term[]>();
  const rowPtr = new Int32Array(rows + 1);
  const colIdx: number[] = [];
  const syms: Sym[] = [];
  let anyRepeat = false;
  for (let i = 0; i < rows; i++) {
    terms.clear();
    for (let p = post.rowPtr[i]; p < post.rowPtr[i + 1]; p++) {
      const k = post.colIdx[p];
      for (let q = pre.rowPtr[k]; q < pre.rowPtr[k + 1]; q++) {
        const j = pre.colIdx[q];
        let term: Term;
        if (post.structural) term = slotOf(b, pre, q);
        else if (pre.structural) term = slotOf(b, post, p);
        else term = [slotOf(b, post, p), slotOf(b, pre, q)];
        const list = terms.get(j);
        if (list) list.push(term);
        else terms.set(j, [term]);
      }
    }
    for (const j of [...terms.keys()].sort((x, y) => x - y)) {
      const list = terms.get(j) as Term[];
      if (list.length > 1) anyRepeat = true;
      colIdx.push(j);
      // Two selections compose to a selection; where paths meet the entry is their count.
      syms.push(bothStructural ? b.constant(list.length) : b.sum(list));
    }
    rowPtr[i + 1] = colIdx.length;
  }
  const structural = bothStructural && !anyRepeat;
  return { rows, cols, rowPtr, colIdx: Int32Array.from(colIdx), structural, syms: structural ? null : syms };
}

/** a + b (an existing edge plus a new product); overlapping entries become sums, which cost no multiplication. */
export function addSym(b: ProgramBuilder, x: SymBlock, y: SymBlock): SymBlock {
  const rowPtr = new Int32Array(x.rows + 1);
  const colIdx: number[] = [];
  const syms: Sym[] = [];
  let overlap = false;
  for (let r = 0; r < x.rows; r++) {
    let p = x.rowPtr[r];
    let q = y.rowPtr[r];
    while (p < x.rowPtr[r + 1] || q < y.rowPtr[r + 1]) {
      const cx = p < x.rowPtr[r + 1] ? x.colIdx[p] : Infinity;
      const cy = q < y.rowPtr[r + 1] ? y.colIdx[q] : Infinity;
      if (cx === cy) {
        overlap = true;
        colIdx.push(cx);
        syms.push(b.sum([slotOf(b, x, p++), slotOf(b, y, q++)]));
      } else if (cx < cy) {
        colIdx.push(cx);
        syms.push(slotOf(b, x, p++));
      } else {
        colIdx.push(cy);
        syms.push(slotOf(b, y, q++));
      }
    }
    rowPtr[r + 1] = colIdx.length;
  }
  const structural = x.structural && y.structural && !overlap;
  return {
    rows: x.rows,
    cols: x.cols,
    rowPtr,
    colIdx: Int32Array.from(colIdx),
    structural,
    syms: structural ? null : syms,
  };
}
