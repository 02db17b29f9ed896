import { operandShape, type Graph, type VertexId } from '../graph/graph.js';
import { sizeOf } from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';
import { evaluateGraph, outputValues } from '../evaluate/evaluate.js';
import { localJacobians } from '../evaluate/linearize.js';
import { EdgeGraph } from '../elimination/edge-graph.js';
import { finalBlocks } from '../elimination/sparsity.js';
import { validateOrder } from '../elimination/order.js';
import { isFull, nnz, type Block } from '../sparse/block.js';
import { offsetsOf, patternOfBlocks, patternPosition, type SparsityPattern } from '../sparse/pattern.js';
import type { CompiledProgram } from './emit.js';
import {
  resultArrays,
  type AnyJacobianBatch,
  type DenseJacobianBatch,
  type JacobianBatch,
  type ResultArrays,
  type ResultFormat,
  type SparseJacobianBatch,
} from './result-format.js';
import type { ProgramStats } from './program.js';
import type { Work } from './op-costs.js';

/**
 * The `kernels` backend: instead of generating one statement per scalar product, each call evaluates the
 * graph, builds the local Jacobian blocks and eliminates the order on them with the block kernels of
 * sparse/block.ts (dense, dense·sparse and sparse products as loops over typed arrays). Memory is that of
 * the blocks themselves, so a Jacobian of 5·10^7 entries runs where its generated program (one statement
 * per product) could not even be built. The products and their count are exactly the native model's.
 */
export interface KernelProgram extends CompiledProgram<AnyJacobianBatch> {
  readonly multiplications: number;
  readonly order: VertexId[];
  readonly stats: ProgramStats;
  readonly work: Work;
  /** The pattern of the entries this order writes (the `sparse` result's), built on first request. */
  readonly pattern: () => SparsityPattern;
}

/**
 * Above this many multiplications (native count of the order) a tensor graph's Jacobian runs on the block
 * kernels: its generated program would hold a statement per product, and building one of 10^6 statements
 * takes seconds and gigabytes (a 64-wide MLP w.r.t. its weights: 8.5 s, 2.9 GB) while the kernels need
 * neither.
 */
export const KERNEL_MULTIPLICATIONS = 250_000;

export function kernelProgram(graph: Graph, order: readonly VertexId[], format: ResultFormat): KernelProgram {
  validateOrder(graph, order);
  const symbolic = EdgeGraph.symbolic(graph, localJacobians(graph, null));
  let multiplications = 0;
  for (const id of order) multiplications += symbolic.eliminate(id);
  const outputSizes = graph.outputs.map((op) => sizeOf(operandShape(graph, op)));
  const inputSizes = graph.inputs.map((x) => sizeOf(x.shape));
  const final = finalBlocks(graph, symbolic);
  // The pattern costs an index per entry: built only for the sparse result or when asked for.
  let built: SparsityPattern | null = null;
  const pattern = (): SparsityPattern => (built ??= patternOfBlocks(final, outputSizes, inputSizes));
  const writer = resultWriter(format, pattern, outputSizes, inputSizes);
  let entries = 0;
  for (const blocks of final)
    for (const block of blocks.values()) entries += block === 'identity' ? 0 : nnz(block);
  graph.outputs.forEach((op, i) => {
    if (op.kind === 'input') entries += outputSizes[i];
  });
  const run = (inputs: readonly Float64Array[], batch: number, into?: AnyJacobianBatch): AnyJacobianBatch => {
    if (inputs.length !== inputSizes.length)
      throw new RangeError(`expected ${inputSizes.length} inputs, got ${inputs.length}`);
    const result = into ?? writer.allocate(batch);
    if (into) writer.check(into, batch);
    for (let b = 0; b < batch; b++) {
      const point: Tensor[] = graph.inputs.map((x, j) => ({
        shape: x.shape,
        data: inputs[j].subarray(b * inputSizes[j], (b + 1) * inputSizes[j]),
      }));
      const ev = evaluateGraph(graph, point);
      const edges = new EdgeGraph(graph, localJacobians(graph, ev));
      for (const id of order) edges.eliminate(id);
      outputValues(graph, ev).forEach((t, i) => result.outputs[i].set(t.data, b * outputSizes[i]));
      finalBlocks(graph, edges).forEach((blocks, i) => {
        for (const [j, block] of blocks) writer.write(result, b, i, j, block);
      });
    }
    return result;
  };
  return {
    run,
    layout: 'point',
    sourceLength: 0,
    multiplications,
    order: [...order],
    pattern,
    // The kernels' own operations: a multiply-add per product, a store per entry; primal work is not counted.
    stats: {
      multiplications,
      derivativeMultiplications: multiplications,
      additions: multiplications,
      calls: 0,
      jacobianEntries: entries,
      instructions: 0,
    },
    work: { mul: multiplications, add: multiplications, store: entries },
  };
}

interface ResultWriter extends ResultArrays {
  /** Stores block (output i, input j) of point b. */
  write(result: AnyJacobianBatch, b: number, i: number, j: number, block: Block | 'identity'): void;
}

/** Calls `visit(r, c, value)` for every entry of a final block, rows ascending, columns ascending. */
function forEachEntry(
  block: Block | 'identity',
  n: number,
  visit: (r: number, c: number, x: number) => void,
): void {
  if (block === 'identity') {
    for (let r = 0; r < n; r++) visit(r, r, 1);
    return;
  }
  const { values } = block;
  if (isFull(block)) {
    for (let r = 0, e = 0; r < block.rows; r++)
      for (let c = 0; c < block.cols; c++, e++) visit(r, c, values === null ? 1 : values[e]);
    return;
  }
  const { rowPtr, colIdx } = block;
  for (let r = 0; r < block.rows; r++)
    for (let p = rowPtr[r]; p < rowPtr[r + 1]; p++) visit(r, colIdx[p], values === null ? 1 : values[p]);
}

function resultWriter(
  format: ResultFormat,
  patternOf: () => SparsityPattern,
  outputSizes: readonly number[],
  inputSizes: readonly number[],
): ResultWriter {
  const arrays = resultArrays(format, outputSizes, inputSizes, patternOf);
  if (format === 'blocks') {
    return {
      ...arrays,
      write(result, b, i, j, block) {
        const n = inputSizes[j];
        const target = (result as JacobianBatch).jacobian[i][j];
        const base = b * outputSizes[i] * n;
        if (block !== 'identity' && isFull(block) && block.values !== null) target.set(block.values, base);
        else forEachEntry(block, n, (r, c, x) => (target[base + r * n + c] = x));
      },
    };
  }
  const rowOffsets = offsetsOf(outputSizes);
  const colOffsets = offsetsOf(inputSizes);
  if (format === 'dense') {
    const cols = colOffsets[inputSizes.length];
    const size = rowOffsets[outputSizes.length] * cols;
    return {
      ...arrays,
      write(result, b, i, j, block) {
        const J = (result as DenseJacobianBatch).jacobian;
        const base = b * size + rowOffsets[i] * cols + colOffsets[j];
        forEachEntry(block, inputSizes[j], (r, c, x) => (J[base + r * cols + c] = x));
      },
    };
  }
  const pattern = patternOf();
  const size = pattern.colIdx.length;
  // In each global row, block (i, j)'s entries start at the first column of input j (found by bisection,
  // once per block that exists).
  const starts = new Map<number, Int32Array>();
  const startsOf = (i: number, j: number): Int32Array => {
    const key = i * inputSizes.length + j;
    let start = starts.get(key);
    if (start === undefined) {
      start = new Int32Array(outputSizes[i]);
      for (let r = 0; r < outputSizes[i]; r++)
        start[r] = patternPosition(pattern, rowOffsets[i] + r, colOffsets[j]);
      starts.set(key, start);
    }
    return start;
  };
  return {
    ...arrays,
    write(result, b, i, j, block) {
      const v = (result as SparseJacobianBatch).values;
      const start = startsOf(i, j);
      const base = b * size;
      let row = -1;
      let k = 0;
      forEachEntry(block, inputSizes[j], (r, _c, x) => {
        if (r !== row) {
          row = r;
          k = base + start[r];
        }
        v[k++] = x;
      });
    },
  };
}
