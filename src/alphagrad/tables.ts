import { readDataFile } from '../util/data.js';

/** AlphaGrad's sparsity tables, indexed with type + OFFSET (types −10..11). */
export interface SparsityTables {
  /** MUL[i][j]: type of the product of an in-edge of type i−10 and an out-edge of type j−10. */
  readonly mul: Int8Array;
  /** ADD[e][n]: type after adding a product of type n−10 onto an existing edge of type e−10. */
  readonly add: Int8Array;
  /** CONTRACTION[k][i][j]: whether factor k enters the cost of that product. */
  readonly contraction: Uint8Array;
}

export const OFFSET = 10;
export const NUM_TYPES = 22;

let cached: SparsityTables | null = null;

/** The tables from data/paper/alphagrad-sparsity-tables.json (copied verbatim from the shared paper data). */
export function sparsityTables(): SparsityTables {
  if (cached) return cached;
  const json = JSON.parse(readDataFile('paper/alphagrad-sparsity-tables.json')) as {
    MUL_SPARSITY_MAP: number[][];
    ADD_SPARSITY_MAP: number[][];
    CONTRACTION_MAP: number[][][];
  };
  cached = {
    mul: Int8Array.from(json.MUL_SPARSITY_MAP.flat()),
    add: Int8Array.from(json.ADD_SPARSITY_MAP.flat()),
    contraction: Uint8Array.from(json.CONTRACTION_MAP.flat(2)),
  };
  return cached;
}
