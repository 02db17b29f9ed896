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
const STORE = 2;
// Specialised sums, the shapes that make up most programs (flux kernel: 42% a·b, 29% a+b, 13% −a, 7% a−b).
const MUL = 3;
const ADD = 4;
const NEG = 5;
const SUB = 6;
const TERM = 0;
const PRODUCT = 1;
const NEGATED = 2;

interface Encoded {
  readonly code: Int32Array;
  /** The registers, with constants (and literal call arguments) preset; input k's elements at inputRegs. */
  readonly registers: Float64Array;
  readonly inputRegs: Int32Array[];
}

/**
 * Encodes the program over registers instead of slots: a slot's register is reused once its last reader
 * has run, and every stored value is written out right after it is computed (STORE), so the registers
 * that are live at once, not the program's 10^6 slots, set the working set and it stays in cache.
 */
function encode(program: Program, storesOfSlot: Map<number, number[]>): Encoded {
  const reg = new Int32Array(program.numSyms).fill(-1);
  const literals: number[] = [];
  let registers = 0;
  const pinned: [number, number][] = [];
  // Inputs, constants and literal arguments keep their own registers for the whole run.
  const inputRegs = program.inputs.map((slots) =>
    Int32Array.from(slots, (sl) => (reg[sl] >= 0 ? reg[sl] : (reg[sl] = registers++))),
  );
  for (const [sl, v] of program.constants)
    if (reg[sl] < 0) {
      reg[sl] = registers++;
      pinned.push([reg[sl], v]);
    }
  const literalReg = (v: number): number => {
    literals.push(v);
    pinned.push([registers, v]);
    return registers++;
  };
  const lastUse = new Int32Array(program.numSyms).fill(-1);
  program.instrs.forEach((ins, k) => {
    if (ins.kind === 'sum') {
      for (const t of ins.terms) {
        if (typeof t === 'number') lastUse[t] = k;
        else if (isProduct(t)) lastUse[t[0]] = lastUse[t[1]] = k;
        else lastUse[t.neg] = k;
      }
    } else for (const a of ins.args) if (typeof a === 'number') lastUse[a] = k;
  });
  const isPinned = (sl: number): boolean => reg[sl] >= 0;
  const free: number[] = [];
  const code: number[] = [];
  const store = (sl: number): void => {
    for (const k of storesOfSlot.get(sl) ?? []) code.push(STORE, reg[sl], k);
  };
  // Values stored as they are (an input, a constant) are written before the first instruction.
  for (const sl of storesOfSlot.keys()) if (isPinned(sl)) store(sl);
  const pinnedCount = registers;
  const release = (sl: number, k: number): void => {
    if (lastUse[sl] === k && reg[sl] >= pinnedCount) free.push(reg[sl]);
  };
  program.instrs.forEach((ins, k) => {
    if (ins.kind === 'sum') {
      const [t0, t1] = ins.terms;
      const n = ins.terms.length;
      let at: number;
      if (n === 1 && typeof t0 === 'object' && isProduct(t0)) {
        code.push(MUL, 0, reg[t0[0]], reg[t0[1]]);
        at = code.length - 3;
      } else if (n === 1 && typeof t0 === 'object' && !isProduct(t0)) {
        code.push(NEG, 0, reg[t0.neg]);
        at = code.length - 2;
      } else if (n === 2 && typeof t0 === 'number' && typeof t1 === 'number') {
        code.push(ADD, 0, reg[t0], reg[t1]);
        at = code.length - 3;
      } else if (n === 2 && typeof t0 === 'number' && typeof t1 === 'object' && !isProduct(t1)) {
        code.push(SUB, 0, reg[t0], reg[t1.neg]);
        at = code.length - 3;
      } else {
        code.push(SUM, 0, n);
        at = code.length - 2;
        for (const t of ins.terms) {
          if (typeof t === 'number') code.push(TERM, reg[t]);
          else if (isProduct(t)) code.push(PRODUCT, reg[t[0]], reg[t[1]]);
          else code.push(NEGATED, reg[t.neg]);
        }
      }
      const read = new Set<number>();
      for (const t of ins.terms) {
        if (typeof t === 'number') read.add(t);
        else if (isProduct(t)) read.add(t[0]).add(t[1]);
        else read.add(t.neg);
      }
      for (const sl of read) release(sl, k);
      reg[ins.dst] = free.pop() ?? registers++;
      code[at] = reg[ins.dst];
    } else {
      code.push(CALL, 0, ins.fn, ins.args.length);
      const at = code.length - 3;
      for (const a of ins.args) code.push(typeof a === 'number' ? reg[a] : literalReg(a.literal));
      const seen = new Set<number>();
      for (const a of ins.args)
        if (typeof a === 'number' && !seen.has(a)) {
          seen.add(a);
          release(a, k);
        }
      reg[ins.dst] = free.pop() ?? registers++;
      code[at] = reg[ins.dst];
    }
    store(ins.dst);
    // A value nothing reads again (it was only stored) frees its register at once.
    if (lastUse[ins.dst] < 0) free.push(reg[ins.dst]);
  });
  const values = new Float64Array(registers);
  for (const [r, v] of pinned) values[r] = v;
  return { code: Int32Array.from(code), registers: values, inputRegs };
}

/** Runs the encoded stream once (the interpreter's one hot loop); STORE writes into `targets` at `bases`. */
function execute(
  code: Int32Array,
  s: Float64Array,
  fns: Program['fns'],
  args: number[],
  stores: Stores,
  targets: Float64Array[],
  bases: number[],
): void {
  const n = code.length;
  const { array, offset } = stores;
  let pc = 0;
  while (pc < n) {
    const op = code[pc];
    if (op === MUL) {
      s[code[pc + 1]] = s[code[pc + 2]] * s[code[pc + 3]];
      pc += 4;
    } else if (op === ADD) {
      s[code[pc + 1]] = s[code[pc + 2]] + s[code[pc + 3]];
      pc += 4;
    } else if (op === NEG) {
      s[code[pc + 1]] = -s[code[pc + 2]];
      pc += 3;
    } else if (op === SUB) {
      s[code[pc + 1]] = s[code[pc + 2]] - s[code[pc + 3]];
      pc += 4;
    } else if (op === SUM) {
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
    } else if (op === STORE) {
      const k = code[pc + 2];
      const a = array[k];
      targets[a][bases[a] + offset[k]] = s[code[pc + 1]];
      pc += 3;
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
  const stores = storesOf(program, format, pattern);
  const storesOfSlot = new Map<number, number[]>();
  stores.slot.forEach((sl, k) => {
    const list = storesOfSlot.get(sl);
    if (list) list.push(k);
    else storesOfSlot.set(sl, [k]);
  });
  const { code, registers, inputRegs } = encode(program, storesOfSlot);
  const args: number[] = [];
  const bases = stores.stride.map(() => 0);
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
      for (let b = 0; b < batch; b++) {
        for (let j = 0; j < inputRegs.length; j++) {
          const x = inputs[j];
          const ids = inputRegs[j];
          const at = b * ids.length;
          for (let e = 0; e < ids.length; e++) registers[ids[e]] = x[at + e];
        }
        for (let a = 0; a < bases.length; a++) bases[a] = b * stores.stride[a];
        execute(code, registers, program.fns, args, stores, targets, bases);
      }
      return out;
    },
  };
}
