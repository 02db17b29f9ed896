import { offsetsOf, patternPosition, type SparsityPattern } from '../sparse/pattern.js';
import { LruCache } from '../util/lru.js';
import type { CompiledProgram } from './emit.js';
import { isProduct, type Program } from './program.js';
import {
  globalCoordinate,
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

// Opcodes of the encoded stream. Each heads a run: [op, count, …count items].
const SUM = 0;
const CALL = 1;
const STORE = 2;
// Specialised sums, the shapes that make up most programs (flux kernel: 42% a·b, 29% a+b, 13% −a, 7% a−b).
const MUL = 3;
const ADD = 4;
const NEG = 5;
const SUB = 6;
// Term tags of a general SUM item.
const TERM = 0;
const PRODUCT = 1;
const NEGATED = 2;

interface Encoded {
  readonly code: Int32Array;
  /** The registers, with constants (and literal call arguments) preset; input k's elements at inputRegs. */
  readonly registers: Float64Array;
  readonly inputRegs: Int32Array[];
  /** Per CALL run kind, the loop that runs it. */
  readonly kernels: CallKernel[];
}

/** Runs `count` calls of one kind from `pc` (each: dst, then its argument registers); returns the next pc. */
type CallKernel = (code: Int32Array, s: Float64Array, pc: number, count: number, args: number[]) => number;

/**
 * Loops for calls with an inline form (`Math.sqrt($0)`, `$0/$1`), generated once per form: one small
 * function per form keeps V8's view of it monomorphic, so the math inlines. A generic call through the
 * function table cost 60 ns (the 10,000-cell flux kernel: half of a point's time in 50,000 calls).
 */
const inlineKernels = new LruCache<string, CallKernel>(512);

function inlineKernel(inline: string, argc: number): CallKernel {
  const key = `${argc}|${inline}`;
  let k = inlineKernels.get(key);
  if (!k) {
    const expr = inline.replace(/\$(\d)/g, (_m, a: string) => `s[code[pc+${1 + Number(a)}]]`);
    k = new Function(
      'code',
      's',
      'pc',
      'count',
      `for(const end=pc+${1 + argc}*count;pc<end;pc+=${1 + argc})s[code[pc]]=${expr};return pc;`,
    ) as CallKernel;
    inlineKernels.set(key, k);
  }
  return k;
}

/** The loop for calls of `f` through the table, for functions without an inline form. */
function tableKernel(f: (...args: number[]) => number, argc: number): CallKernel {
  if (argc === 1)
    return (code, s, pc, count) => {
      for (const end = pc + 2 * count; pc < end; pc += 2) s[code[pc]] = f(s[code[pc + 1]]);
      return pc;
    };
  if (argc === 2)
    return (code, s, pc, count) => {
      for (const end = pc + 3 * count; pc < end; pc += 3) s[code[pc]] = f(s[code[pc + 1]], s[code[pc + 2]]);
      return pc;
    };
  return (code, s, pc, count, args) => {
    for (let i = 0; i < count; i++) {
      args.length = argc;
      for (let a = 0; a < argc; a++) args[a] = s[code[pc + 1 + a]];
      s[code[pc]] = f(...args);
      pc += 1 + argc;
    }
    return pc;
  };
}

/** What an instruction is in the encoded stream: its opcode, and for calls the function and arity. */
function classOf(ins: Program['instrs'][number], callKind: (ins: CallInstr) => number): number {
  if (ins.kind === 'call') return 8 + callKind(ins);
  const [t0, t1] = ins.terms;
  const n = ins.terms.length;
  if (n === 1 && typeof t0 === 'object') return isProduct(t0) ? MUL : NEG;
  if (n === 2 && typeof t0 === 'number' && typeof t1 === 'number') return ADD;
  if (n === 2 && typeof t0 === 'number' && typeof t1 === 'object' && !isProduct(t1)) return SUB;
  return SUM;
}

/** The slots an instruction reads (literals excluded), each once. */
function readsOf(ins: Program['instrs'][number]): number[] {
  const read = new Set<number>();
  if (ins.kind === 'sum') {
    for (const t of ins.terms) {
      if (typeof t === 'number') read.add(t);
      else if (isProduct(t)) read.add(t[0]).add(t[1]);
      else read.add(t.neg);
    }
  } else for (const a of ins.args) if (typeof a === 'number') read.add(a);
  return [...read];
}

type CallInstr = Extract<Program['instrs'][number], { kind: 'call' }>;

interface Item {
  /** Instruction index, or −1 − slot for the stores of that slot. */
  readonly at: number;
  readonly depth: number;
  readonly cls: number;
}

/**
 * Instructions per scheduling window: long runs, yet a window's live values stay in cache. Measured on the
 * 10,000-cell flux kernel (one process, 2 cores): 2,048 ran 6% faster than 512 and 19% faster than 32,768.
 */
const WINDOW = 2048;

/**
 * The order instructions run in. First depth-first from the stored values, in result order: each value is
 * computed just before the first entry that needs it, so a banded program's live values are those of a
 * few neighbouring rows, not of every row at once. Then, within windows of WINDOW instructions, by depth
 * (1 + the deepest instruction of the window it reads) and class: instructions of one depth never read
 * each other, so any order among them computes the same numbers, and same-class neighbours form runs.
 */
function schedule(
  program: Program,
  reads: number[][],
  storesOfSlot: Map<number, number[]>,
  roots: readonly number[],
  callKind: (ins: CallInstr) => number,
): Item[] {
  const { instrs } = program;
  const producer = new Int32Array(program.numSyms).fill(-1);
  instrs.forEach((ins, k) => (producer[ins.dst] = k));
  const placed = new Uint8Array(instrs.length);
  const sequence: number[] = [];
  const stack: number[] = [];
  const visit = (root: number): void => {
    if (root < 0 || placed[root]) return;
    stack.push(root);
    while (stack.length > 0) {
      const k = stack[stack.length - 1];
      if (placed[k] === 2) {
        stack.pop();
        continue;
      }
      if (placed[k] === 1) {
        placed[k] = 2;
        sequence.push(k);
        stack.pop();
        continue;
      }
      placed[k] = 1;
      for (const sl of reads[k]) {
        const p = producer[sl];
        if (p >= 0 && placed[p] === 0) stack.push(p);
      }
    }
  };
  for (const sl of roots) visit(producer[sl]);
  for (let k = 0; k < instrs.length; k++) visit(k);

  const depth = new Int32Array(program.numSyms);
  const window = new Int32Array(program.numSyms).fill(-1);
  const items: Item[] = [];
  for (let start = 0; start < sequence.length; start += WINDOW) {
    const w = start / WINDOW;
    const batch: Item[] = [];
    for (let q = start; q < Math.min(start + WINDOW, sequence.length); q++) {
      const k = sequence[q];
      const ins = instrs[k];
      let d = 0;
      for (const sl of reads[k]) if (window[sl] === w) d = Math.max(d, depth[sl]);
      depth[ins.dst] = d + 1;
      window[ins.dst] = w;
      batch.push({ at: k, depth: (d + 1) * 2, cls: classOf(ins, callKind) });
      if (storesOfSlot.has(ins.dst)) batch.push({ at: -1 - ins.dst, depth: (d + 1) * 2 + 1, cls: STORE });
    }
    batch.sort((x, y) => x.depth - y.depth || x.cls - y.cls);
    for (const it of batch) items.push(it);
  }
  return items;
}

/** The stored slots by the first result row they go to (outputs' elements and Jacobian rows alike). */
function rootsInRowOrder(program: Program): number[] {
  const rowOffsets = offsetsOf(program.outputs.map((o) => o.length));
  const inputSizes = program.inputs.map((x) => x.length);
  const colOffsets = offsetsOf(inputSizes);
  const rooted: [row: number, slot: number][] = [];
  program.outputs.forEach((slots, i) => slots.forEach((sl, e) => rooted.push([rowOffsets[i] + e, sl])));
  for (const [i, j, flat, sl] of program.jacobian)
    rooted.push([globalCoordinate(i, j, flat, inputSizes, rowOffsets, colOffsets)[0], sl]);
  return rooted.sort((a, b) => a[0] - b[0]).map(([, sl]) => sl);
}

/**
 * Encodes the program in runs of one kind of instruction. Instructions are grouped by depth (1 + the
 * deepest instruction they read), and within a depth by opcode (calls by function): instructions of one
 * depth never read each other, so any order within it computes the same numbers, and a run of a few
 * thousand multiplications is one tight loop without a dispatch per instruction — the dispatch's
 * mispredicted branch had been most of an instruction's cost. Each stored value is written out by a
 * STORE run one depth later. Registers are reused once a slot's last reader has run, so the live
 * registers, not the program's 10^6 slots, set the working set.
 */
function encode(program: Program, storesOfSlot: Map<number, number[]>): Encoded {
  const reg = new Int32Array(program.numSyms).fill(-1);
  let registers = 0;
  const pinned: [number, number][] = [];
  // Inputs, constants and literal arguments keep their own registers for the whole run.
  const inputRegs = program.inputs.map((slots) =>
    Int32Array.from(slots, (sl) => (reg[sl] >= 0 ? reg[sl] : (reg[sl] = registers++))),
  );
  // One register per distinct constant (keyed by bit pattern, so −0 and each NaN keep their own): a
  // program has a constant per vertex that uses one, and 10^5 copies of 0.5 would crowd the cache.
  const constantRegs = new Map<string, number>();
  const bits = new Float64Array(1);
  const bitsView = new BigUint64Array(bits.buffer);
  const constantReg = (v: number): number => {
    bits[0] = v;
    const key = bitsView[0].toString(36);
    let r = constantRegs.get(key);
    if (r === undefined) {
      r = registers++;
      constantRegs.set(key, r);
      pinned.push([r, v]);
    }
    return r;
  };
  for (const [sl, v] of program.constants) if (reg[sl] < 0) reg[sl] = constantReg(v);
  const isPinned = (sl: number): boolean => reg[sl] >= 0;

  // The schedule: instructions (index ≥ 0) and stores of a slot (−1 − slot).
  const { instrs } = program;
  const reads = instrs.map(readsOf);
  const kernels: CallKernel[] = [];
  const kernelIds = new Map<string, number>();
  const callKind = (ins: CallInstr): number => {
    const key = `${ins.fn}|${ins.args.length}|${ins.inline ?? ''}`;
    let id = kernelIds.get(key);
    if (id === undefined) {
      id = kernels.length;
      kernelIds.set(key, id);
      const argc = ins.args.length;
      kernels.push(
        ins.inline === undefined ? tableKernel(program.fns[ins.fn], argc) : inlineKernel(ins.inline, argc),
      );
    }
    return id;
  };
  const items = schedule(program, reads, storesOfSlot, rootsInRowOrder(program), callKind);
  const readsOfItem = (at: number): number[] => (at >= 0 ? reads[at] : [-1 - at]);
  const lastUse = new Int32Array(program.numSyms).fill(-1);
  items.forEach((it, pos) => {
    for (const sl of readsOfItem(it.at)) lastUse[sl] = pos;
  });
  const firstFree = registers;
  const free: number[] = [];
  const code: number[] = [];
  // Values stored as they are (an input, a constant) are written before the first instruction.
  const pinnedStores: number[] = [];
  for (const sl of storesOfSlot.keys())
    if (isPinned(sl)) for (const k of storesOfSlot.get(sl) ?? []) pinnedStores.push(reg[sl], k);
  if (pinnedStores.length > 0) {
    code.push(STORE, pinnedStores.length / 2);
    for (const v of pinnedStores) code.push(v);
  }

  let runStart = -1;
  let runClass = -1;
  let runDepth = -1;
  const openRun = (cls: number, d: number, header: number[]): void => {
    if (cls === runClass && d === runDepth) return;
    runClass = cls;
    runDepth = d;
    runStart = code.length;
    code.push(...header);
  };
  // The count of the open run sits right after its opcode.
  const countItem = (n = 1): void => {
    code[runStart + 1] += n;
  };
  const release = (sl: number, pos: number): void => {
    if (lastUse[sl] === pos && reg[sl] >= firstFree) free.push(reg[sl]);
  };
  const destination = (dst: number): number => {
    reg[dst] = free.pop() ?? registers++;
    return reg[dst];
  };
  items.forEach((it, pos) => {
    if (it.at < 0) {
      const sl = -1 - it.at;
      const ks = storesOfSlot.get(sl) ?? [];
      openRun(STORE, it.depth, [STORE, 0]);
      for (const k of ks) code.push(reg[sl], k);
      countItem(ks.length);
      release(sl, pos);
      return;
    }
    const ins = instrs[it.at];
    if (ins.kind === 'sum') {
      const [t0, t1] = ins.terms;
      const operands: number[] = [];
      if (it.cls === MUL) {
        const [x, y] = t0 as readonly [number, number];
        operands.push(reg[x], reg[y]);
      } else if (it.cls === NEG) operands.push(reg[(t0 as { neg: number }).neg]);
      else if (it.cls === ADD) operands.push(reg[t0 as number], reg[t1 as number]);
      else if (it.cls === SUB) operands.push(reg[t0 as number], reg[(t1 as { neg: number }).neg]);
      else {
        operands.push(ins.terms.length);
        for (const t of ins.terms) {
          if (typeof t === 'number') operands.push(TERM, reg[t]);
          else if (isProduct(t)) operands.push(PRODUCT, reg[t[0]], reg[t[1]]);
          else operands.push(NEGATED, reg[t.neg]);
        }
      }
      for (const sl of reads[it.at]) release(sl, pos);
      openRun(it.cls, it.depth, [it.cls, 0]);
      code.push(destination(ins.dst), ...operands);
    } else {
      const operands = ins.args.map((a) => (typeof a === 'number' ? reg[a] : constantReg(a.literal)));
      for (const sl of reads[it.at]) release(sl, pos);
      openRun(it.cls, it.depth, [CALL, 0, it.cls - 8]);
      code.push(destination(ins.dst), ...operands);
    }
    countItem();
    // A value nothing reads again (it was only stored) frees its register at once.
    if (lastUse[ins.dst] < 0) free.push(reg[ins.dst]);
  });
  const values = new Float64Array(registers);
  for (const [r, v] of pinned) values[r] = v;
  return { code: Int32Array.from(code), registers: values, inputRegs, kernels };
}

/** Runs the encoded stream once (the interpreter's one hot loop); STORE writes into `targets` at `bases`. */
function execute(
  code: Int32Array,
  s: Float64Array,
  kernels: readonly CallKernel[],
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
    const count = code[pc + 1];
    pc += 2;
    switch (op) {
      case MUL:
        for (const end = pc + 3 * count; pc < end; pc += 3) s[code[pc]] = s[code[pc + 1]] * s[code[pc + 2]];
        break;
      case ADD:
        for (const end = pc + 3 * count; pc < end; pc += 3) s[code[pc]] = s[code[pc + 1]] + s[code[pc + 2]];
        break;
      case SUB:
        for (const end = pc + 3 * count; pc < end; pc += 3) s[code[pc]] = s[code[pc + 1]] - s[code[pc + 2]];
        break;
      case NEG:
        for (const end = pc + 2 * count; pc < end; pc += 2) s[code[pc]] = -s[code[pc + 1]];
        break;
      case STORE:
        for (const end = pc + 2 * count; pc < end; pc += 2) {
          const k = code[pc + 1];
          const a = array[k];
          targets[a][bases[a] + offset[k]] = s[code[pc]];
        }
        break;
      case SUM:
        for (let i = 0; i < count; i++) {
          const dst = code[pc];
          const terms = code[pc + 1];
          pc += 2;
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
        }
        break;
      default:
        // CALL: one kind of call for the whole run.
        pc = kernels[code[pc]](code, s, pc + 1, count, args);
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
      const [r, c] = globalCoordinate(i, j, flat, inputSizes, rowOffsets, colOffsets);
      slot.push(s);
      array.push(base);
      offset.push(r * cols + c);
    }
    arrays = (r) => [...r.outputs, (r as DenseJacobianBatch).jacobian];
  } else {
    const p = pattern();
    stride.push(p.colIdx.length);
    for (const [i, j, flat, s] of program.jacobian) {
      const [r, c] = globalCoordinate(i, j, flat, inputSizes, rowOffsets, colOffsets);
      slot.push(s);
      array.push(base);
      offset.push(patternPosition(p, r, c));
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
  const { code, registers, inputRegs, kernels } = encode(program, storesOfSlot);
  const args: number[] = [];
  const bases = stores.stride.map(() => 0);
  // Input registers flat, so loading a point touches no per-input index array.
  const inputStart = Int32Array.from(offsetsOf(inputRegs.map((r) => r.length)));
  const inputReg = new Int32Array(inputStart[inputRegs.length]);
  inputRegs.forEach((r, j) => inputReg.set(r, inputStart[j]));
  return {
    layout: 'point',
    sourceLength: 0,
    run(inputs, batch, into) {
      checkInputs(inputs, inputSizes, batch);
      const out = into ?? result.allocate(batch);
      if (into) result.check(into, batch);
      const targets = stores.arrays(out);
      for (let b = 0; b < batch; b++) {
        loadPoint(inputs, inputReg, inputStart, registers, b);
        for (let a = 0; a < bases.length; a++) bases[a] = b * stores.stride[a];
        execute(code, registers, kernels, args, stores, targets, bases);
      }
      return out;
    },
  };
}

/** One RangeError naming the first input of the wrong count (plain loops: a program may have 10^4 inputs). */
function checkInputs(inputs: readonly Float64Array[], sizes: readonly number[], batch: number): void {
  if (inputs.length !== sizes.length)
    throw new RangeError(`expected ${sizes.length} inputs, got ${inputs.length}`);
  for (let j = 0; j < sizes.length; j++)
    if (inputs[j].length !== batch * sizes[j])
      throw new RangeError(`input ${j + 1} has ${inputs[j].length} values, expected ${batch} × ${sizes[j]}`);
}

/** Point b's input values into their registers. */
function loadPoint(
  inputs: readonly Float64Array[],
  reg: Int32Array,
  start: Int32Array,
  registers: Float64Array,
  b: number,
): void {
  for (let j = 0; j + 1 < start.length; j++) {
    const x = inputs[j];
    const from = start[j];
    const n = start[j + 1] - from;
    const at = b * n;
    for (let e = 0; e < n; e++) registers[reg[from + e]] = x[at + e];
  }
}
