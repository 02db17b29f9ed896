import { offsetsOf, type SparsityPattern } from '../sparse/pattern.js';
import type { CompiledProgram } from './emit.js';
import { isProduct, type Program } from './program.js';
import {
  patternOfEntries,
  resultArrays,
  type AnyJacobianBatch,
  type DenseJacobianBatch,
  type JacobianBatch,
  type ResultFormat,
  type SparseJacobianBatch,
} from './result-format.js';

/**
 * The `bytecode` backend: the same program as generated code, encoded in typed arrays and run by one
 * small interpreter loop. V8 optimises a straight-line function only after about 900 runs of it, in
 * proportion to its size, and a program of 10^5 vertices is hundreds of such functions that each run once
 * per point: they stay unoptimised for thousands of calls (the 10,000-cell flux kernel: 579 functions,
 * 17 optimised after 1,500 calls, 2 µs a cell). One loop is hot at once, and encoding takes a fraction of
 * generating and parsing the source.
 */

// Opcodes and term tags of the encoded stream.
const SUM = 0;
const CALL = 1;
const TERM = 0;
const PRODUCT = 1;
const NEGATED = 2;

interface Encoded {
  readonly code: Int32Array;
  /** The scratch slots, with constants (and literal call arguments) preset. */
  readonly slots: Float64Array;
}

function encode(program: Program): Encoded {
  const code: number[] = [];
  const literals: number[] = [];
  const literalSlot = (v: number): number => program.numSyms + literals.push(v) - 1;
  for (const ins of program.instrs) {
    if (ins.kind === 'sum') {
      code.push(SUM, ins.dst, ins.terms.length);
      for (const t of ins.terms) {
        if (typeof t === 'number') code.push(TERM, t);
        else if (isProduct(t)) code.push(PRODUCT, t[0], t[1]);
        else code.push(NEGATED, t.neg);
      }
    } else {
      code.push(CALL, ins.dst, ins.fn, ins.args.length);
      for (const a of ins.args) code.push(typeof a === 'number' ? a : literalSlot(a.literal));
    }
  }
  const slots = new Float64Array(program.numSyms + literals.length);
  for (const [s, v] of program.constants) slots[s] = v;
  literals.forEach((v, k) => (slots[program.numSyms + k] = v));
  return { code: Int32Array.from(code), slots };
}

/** Runs the encoded stream once over `s` (the interpreter's one hot loop). */
function execute(code: Int32Array, s: Float64Array, fns: Program['fns'], args: number[]): void {
  const n = code.length;
  let pc = 0;
  while (pc < n) {
    if (code[pc] === SUM) {
      const dst = code[pc + 1];
      const terms = code[pc + 2];
      pc += 3;
      // Left to right from the first term, exactly as the generated `t0+t1-t2` (0 + t0 would turn −0 into 0).
      let acc = 0;
      for (let t = 0; t < terms; t++) {
        const tag = code[pc];
        const x = tag === PRODUCT ? s[code[pc + 1]] * s[code[pc + 2]] : s[code[pc + 1]];
        pc += tag === PRODUCT ? 3 : 2;
        if (t === 0) acc = tag === NEGATED ? -x : x;
        else if (tag === NEGATED) acc -= x;
        else acc += x;
      }
      s[dst] = acc;
    } else {
      const dst = code[pc + 1];
      const f = fns[code[pc + 2]];
      const count = code[pc + 3];
      pc += 4;
      if (count === 1) s[dst] = f(s[code[pc]]);
      else if (count === 2) s[dst] = f(s[code[pc]], s[code[pc + 1]]);
      else if (count === 3) s[dst] = f(s[code[pc]], s[code[pc + 1]], s[code[pc + 2]]);
      else {
        args.length = count;
        for (let a = 0; a < count; a++) args[a] = s[code[pc + a]];
        s[dst] = f(...args);
      }
      pc += count;
    }
  }
}

/** Where each stored slot goes in a point's part of the result arrays, per format. */
interface Stores {
  /** Slot per stored value. */
  readonly slot: Int32Array;
  /** Which result array (outputs first, then the Jacobian's arrays) and where in one point's part of it. */
  readonly array: Int32Array;
  readonly offset: Int32Array;
  /** Values per point of each result array. */
  readonly stride: number[];
  readonly arrays: (result: AnyJacobianBatch) => Float64Array[];
}

function storesOf(program: Program, format: ResultFormat, pattern: () => SparsityPattern): Stores {
  const outputSizes = program.outputs.map((o) => o.length);
  const inputSizes = program.inputs.map((x) => x.length);
  const slot: number[] = [];
  const array: number[] = [];
  const offset: number[] = [];
  const stride = [...outputSizes];
  program.outputs.forEach((slots, i) =>
    slots.forEach((s, e) => {
      slot.push(s);
      array.push(i);
      offset.push(e);
    }),
  );
  const base = outputSizes.length;
  const rowOffsets = offsetsOf(outputSizes);
  const colOffsets = offsetsOf(inputSizes);
  const cols = colOffsets[inputSizes.length];
  let arrays: (result: AnyJacobianBatch) => Float64Array[];
  if (format === 'blocks') {
    for (const m of outputSizes) for (const n of inputSizes) stride.push(m * n);
    for (const [i, j, flat, s] of program.jacobian) {
      slot.push(s);
      array.push(base + i * inputSizes.length + j);
      offset.push(flat);
    }
    arrays = (r) => [...r.outputs, ...(r as JacobianBatch).jacobian.flat()];
  } else if (format === 'dense') {
    stride.push(rowOffsets[outputSizes.length] * cols);
    for (const [i, j, flat, s] of program.jacobian) {
      const n = inputSizes[j];
      slot.push(s);
      array.push(base);
      offset.push((rowOffsets[i] + Math.floor(flat / n)) * cols + colOffsets[j] + (flat % n));
    }
    arrays = (r) => [...r.outputs, (r as DenseJacobianBatch).jacobian];
  } else {
    const p = pattern();
    stride.push(p.colIdx.length);
    for (const [i, j, flat, s] of program.jacobian) {
      const n = inputSizes[j];
      const r = rowOffsets[i] + Math.floor(flat / n);
      const c = colOffsets[j] + (flat % n);
      let lo = p.rowPtr[r];
      let hi = p.rowPtr[r + 1];
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (p.colIdx[mid] < c) lo = mid + 1;
        else hi = mid;
      }
      slot.push(s);
      array.push(base);
      offset.push(lo);
    }
    arrays = (r) => [...r.outputs, (r as SparseJacobianBatch).values];
  }
  return {
    slot: Int32Array.from(slot),
    array: Int32Array.from(array),
    offset: Int32Array.from(offset),
    stride,
    arrays,
  };
}

export function bytecodeProgram(program: Program, format: ResultFormat): CompiledProgram<AnyJacobianBatch> {
  const outputSizes = program.outputs.map((o) => o.length);
  const inputSizes = program.inputs.map((x) => x.length);
  let built: SparsityPattern | null = null;
  const pattern = (): SparsityPattern =>
    (built ??= patternOfEntries(program.jacobian, outputSizes, inputSizes));
  const result = resultArrays(format, outputSizes, inputSizes, pattern);
  const { code, slots } = encode(program);
  const stores = storesOf(program, format, pattern);
  const inputSlots = program.inputs.map((x) => Int32Array.from(x));
  const args: number[] = [];
  return {
    layout: 'point',
    sourceLength: 0,
    run(inputs, batch, into) {
      if (inputs.length !== inputSizes.length)
        throw new RangeError(`expected ${inputSizes.length} inputs, got ${inputs.length}`);
      inputs.forEach((x, j) => {
        if (x.length !== batch * inputSizes[j])
          throw new RangeError(`input ${j + 1} has ${x.length} values, expected ${batch} × ${inputSizes[j]}`);
      });
      const out = into ?? result.allocate(batch);
      if (into) result.check(into, batch);
      const targets = stores.arrays(out);
      const { slot, array, offset, stride } = stores;
      for (let b = 0; b < batch; b++) {
        for (let j = 0; j < inputSlots.length; j++) {
          const x = inputs[j];
          const ids = inputSlots[j];
          const at = b * ids.length;
          for (let e = 0; e < ids.length; e++) slots[ids[e]] = x[at + e];
        }
        execute(code, slots, program.fns, args);
        for (let k = 0; k < slot.length; k++)
          targets[array[k]][b * stride[array[k]] + offset[k]] = slots[slot[k]];
      }
      return out;
    },
  };
}
