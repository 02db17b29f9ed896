import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addBlocks,
  blockToDense,
  countProduct,
  csrBlock,
  fullBlock,
  isFull,
  multiplyBlocks,
  nnz,
  selectionBlock,
  structureOf,
  type Block,
} from '../src/sparse/block.js';
import { Rng } from '../src/util/random.js';

const seeded = (seed: number): (() => number) => {
  const rng = new Rng(seed);
  return () => rng.float();
};

/** A CSR copy that hides density, so products take the general (Gustavson) path: the reference. */
function asCsr(block: Block): Block {
  return {
    rows: block.rows,
    cols: block.cols,
    rowPtr: Int32Array.from(block.rowPtr),
    colIdx: Int32Array.from(block.colIdx),
    structural: block.structural,
    values: block.values === null ? null : Float64Array.from(block.values),
  };
}

function randomBlock(rows: number, cols: number, density: number, rand: () => number): Block {
  const rowPtr = new Int32Array(rows + 1);
  const colIdx: number[] = [];
  const values: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++)
      if (rand() < density) {
        colIdx.push(c);
        values.push(rand() * 2 - 1);
      }
    rowPtr[r + 1] = colIdx.length;
  }
  return csrBlock(rows, cols, rowPtr, Int32Array.from(colIdx), Float64Array.from(values));
}

function denseProduct(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let t = 0; t < k; t++) for (let j = 0; j < n; j++) out[i * n + j] += a[i * k + t] * b[t * n + j];
  return out;
}

/** The 0/1 pattern of a block as a valued block. */
function asPattern(block: Block): Block {
  const c = asCsr(block);
  return { ...c, structural: false, values: new Float64Array(nnz(c)).fill(1) };
}

const patternOf = (b: Block): string => `${Array.from(b.rowPtr)}|${Array.from(b.colIdx)}`;

describe('dense blocks', () => {
  it('csrBlock recognises a full pattern and keeps the row-major values', () => {
    const b = csrBlock(
      2,
      2,
      Int32Array.from([0, 2, 4]),
      Int32Array.from([1, 0, 0, 1]),
      Float64Array.from([2, 1, 3, 4]),
    );
    assert.ok(isFull(b));
    assert.deepEqual(Array.from(b.values as Float64Array), [1, 2, 3, 4]);
    assert.deepEqual(Array.from(b.colIdx), [0, 1, 0, 1]);
    const partial = csrBlock(2, 2, Int32Array.from([0, 1, 2]), Int32Array.from([1, 0]), null);
    assert.ok(!isFull(partial));
  });

  it('every product agrees with dense arithmetic, the boolean pattern product and countProduct', () => {
    const rand = seeded(7);
    const densities = [1, 0.6, 0.15, 0];
    const kinds = new Set<string>();
    for (let trial = 0; trial < 200; trial++) {
      const [m, k, n] = [1 + Math.floor(rand() * 6), 1 + Math.floor(rand() * 6), 1 + Math.floor(rand() * 6)];
      const pick = (rows: number, cols: number, t: number): Block =>
        t % 5 === 4
          ? selectionBlock(
              cols,
              Int32Array.from({ length: rows }, () => Math.floor(rand() * (cols + 1)) - 1),
            )
          : randomBlock(rows, cols, densities[t % 5], rand);
      const a = pick(m, k, trial);
      const b = pick(k, n, Math.floor(trial / 5));
      kinds.add(`${isFull(a)}${a.structural}|${isFull(b)}${b.structural}`);
      const counter = { count: 0 };
      const product = multiplyBlocks(a, b, counter);
      const expected = denseProduct(blockToDense(a), blockToDense(b), m, k, n);
      const got = blockToDense(product);
      for (let e = 0; e < expected.length; e++) assert.ok(Math.abs(got[e] - expected[e]) < 1e-12);
      // Reference pattern and count from the patterns alone: entry (i, j) exists iff some a[i,t]·b[t,j] pair does.
      const pa = blockToDense(asPattern(a));
      const pb = blockToDense(asPattern(b));
      const pairs = denseProduct(pa, pb, m, k, n);
      assert.deepEqual(
        Array.from(blockToDense(asPattern(product))),
        Array.from(pairs, (x) => (x > 0 ? 1 : 0)),
      );
      const valuedPairs = a.structural || b.structural ? 0 : pairs.reduce((s, x) => s + x, 0);
      assert.equal(counter.count, valuedPairs);
      assert.equal(countProduct(a, b), valuedPairs);
      // Structure only: the same pattern, no values.
      const symbolic = multiplyBlocks(structureOf(a), structureOf(b));
      assert.equal(symbolic.structural, product.structural);
      if (!symbolic.structural) assert.equal(symbolic.values, null);
      assert.equal(patternOf(symbolic), patternOf(product));
      assert.equal(nnz(symbolic), nnz(product));
    }
    // Dense, sparse and selection operands on both sides.
    assert.ok(kinds.size >= 8, [...kinds].join(' '));
  });

  it('a sum with a dense block is dense and adds selections as ones', () => {
    const rand = seeded(3);
    const d = fullBlock(3, 2, Float64Array.from([1, 2, 3, 4, 5, 6]));
    const s = randomBlock(3, 2, 0.5, rand);
    const sel = selectionBlock(2, Int32Array.from([1, -1, 0]));
    for (const other of [s, sel, d]) {
      const sum = addBlocks(other, d);
      assert.ok(isFull(sum));
      const expected = blockToDense(d).map((x, e) => x + blockToDense(other)[e]);
      assert.deepEqual(Array.from(blockToDense(sum)), Array.from(expected));
    }
  });
});
