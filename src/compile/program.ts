/**
 * The compiled Jacobian's intermediate form: a straight-line program over scalar slots ("symbols") of a
 * per-point scratch array. It is data (printable, countable) before it becomes JavaScript.
 */

// Shared with the primitive table, whose code forms write literal exponents.
export { numberLiteral } from '../util/number-literal.js';

/** A slot of the scratch array. */
export type Sym = number;

/** A negated slot: what a product with a constant −1 folds into (no multiplication). */
export interface Negated {
  readonly neg: Sym;
}

/** A term of a sum: a slot, the product of two slots (one multiplication), or a negated slot. */
export type Term = Sym | readonly [Sym, Sym] | Negated;

export const isProduct = (t: Term): t is readonly [Sym, Sym] => Array.isArray(t);

/** A call argument: a slot, or a number written into the code (an exponent, a case count). */
export type Arg = Sym | { readonly literal: number };

export type Instr =
  /**
   * S[dst] = F[fn](args…): primal values and local partials, calling the primitive math tables directly.
   * `inline`, when given, is the same function as a JavaScript expression over `$0`, `$1`… (the arguments),
   * which the emitter writes in place of the call: large generated functions exhaust V8's inlining budget,
   * so table calls there stay real calls.
   */
  | {
      readonly kind: 'call';
      readonly dst: Sym;
      readonly fn: number;
      readonly args: readonly Arg[];
      readonly inline?: string;
    }
  /** S[dst] = Σ terms. */
  | { readonly kind: 'sum'; readonly dst: Sym; readonly terms: readonly Term[] };

/**
 * Constant folding at code-generation time. `ones`: products with a constant ±1 become the other factor
 * (or its negation), products of two constants become a constant. `zeros`: terms that are exactly 0
 * (a constant 0, or a product with one) are dropped. The tape baselines fold ones only, so that they stay
 * dense sweeps.
 */
export interface FoldOptions {
  readonly ones: boolean;
  readonly zeros: boolean;
}
export const NO_FOLDING: FoldOptions = { ones: false, zeros: false };
export const FULL_FOLDING: FoldOptions = { ones: true, zeros: true };

/**
 * One stored Jacobian entry: output i, input j, the flat index into out_i.shape ++ in_j.shape, and its slot.
 */
export type JacobianEntry = readonly [output: number, input: number, flat: number, sym: Sym];

/** Dense output layout: per output, per element; per (output, input) block, the non-zero entries. */
export interface Program {
  readonly numSyms: number;
  /** Slots holding constants, set once per call. */
  readonly constants: readonly (readonly [Sym, number])[];
  readonly fns: readonly ((...args: number[]) => number)[];
  /** Per input, the slot of each element (row-major). */
  readonly inputs: readonly (readonly Sym[])[];
  readonly instrs: readonly Instr[];
  /** Per output, the slot of each element. */
  readonly outputs: readonly (readonly Sym[])[];
  /**
   * The Jacobian's non-zero entries, one flat list (a per-(output, input) table would hold outputs × inputs
   * lists, 10^8 for a scalar program of 10^4 inputs and outputs).
   */
  readonly jacobian: readonly JacobianEntry[];
  /**
   * Multiplications of the derivative part (the elimination, or the tape sweeps): the cost model's count
   * when not folding, fewer when folding.
   */
  readonly multiplications: number;
  /** Slots from here on were allocated by the derivative part (instructions below it are primal or local partials). */
  readonly derivativeFrom: Sym;
}

/** Allocates slots, interns constants and functions, and records instructions. */
export class ProgramBuilder {
  numSyms = 0;
  readonly instrs: Instr[] = [];
  readonly constants: [Sym, number][] = [];
  readonly fns: ((...args: number[]) => number)[] = [];
  // Keyed by value, but −0 apart: a Map's keys compare with SameValueZero, which merges −0 into 0.
  private readonly constantSyms = new Map<number | '-0', Sym>();
  private readonly fnIndex = new Map<(...args: number[]) => number, number>();
  /** Multiplications emitted by `sum` since the last reset. */
  multiplications = 0;
  private readonly constantOf = new Map<Sym, number>();
  private readonly calls = new Map<string, Sym>();

  constructor(readonly fold: FoldOptions = NO_FOLDING) {}

  /** The value of a constant slot, or undefined. */
  valueOf(s: Sym): number | undefined {
    return this.constantOf.get(s);
  }

  fresh(): Sym {
    return this.numSyms++;
  }

  constant(value: number): Sym {
    const key = Object.is(value, -0) ? '-0' : value;
    let s = this.constantSyms.get(key);
    if (s === undefined) {
      s = this.fresh();
      this.constantSyms.set(key, s);
      this.constantOf.set(s, value);
      this.constants.push([s, value]);
    }
    return s;
  }

  /** f(args…); the math functions are pure, so a call repeated with the same arguments reuses the first. */
  call(fn: (...args: number[]) => number, args: readonly Arg[], inline?: string): Sym {
    let index = this.fnIndex.get(fn);
    if (index === undefined) {
      index = this.fns.length;
      this.fns.push(fn);
      this.fnIndex.set(fn, index);
    }
    const key = `${index}|${inline ?? ''}|${args.map((a) => (typeof a === 'number' ? a : `#${Object.is(a.literal, -0) ? '-0' : a.literal}`)).join(',')}`;
    const seen = this.calls.get(key);
    if (seen !== undefined) return seen;
    const dst = this.fresh();
    this.calls.set(key, dst);
    this.instrs.push(
      inline === undefined
        ? { kind: 'call', dst, fn: index, args: [...args] }
        : { kind: 'call', dst, fn: index, args: [...args], inline },
    );
    return dst;
  }

  /** Σ terms; a single plain slot is returned as is (an alias costs nothing). */
  sum(input: readonly Term[]): Sym {
    const terms = this.fold.ones || this.fold.zeros ? this.folded(input) : input;
    if (terms.length === 1 && typeof terms[0] === 'number') return terms[0];
    if (terms.length === 0) return this.constant(0);
    for (const t of terms) if (isProduct(t)) this.multiplications++;
    const dst = this.fresh();
    this.instrs.push({ kind: 'sum', dst, terms: [...terms] });
    return dst;
  }

  /** The terms after constant folding; constant terms are gathered into one constant. */
  private folded(input: readonly Term[]): Term[] {
    const { ones, zeros } = this.fold;
    const out: Term[] = [];
    let constant = 0;
    let constants = 0;
    const addConstant = (v: number): void => {
      constant += v;
      constants++;
    };
    for (const t of input) {
      if (typeof t === 'number') {
        const v = this.valueOf(t);
        if (v === undefined) out.push(t);
        else if (ones) addConstant(v);
        else if (!(zeros && v === 0)) out.push(t);
      } else if (isProduct(t)) {
        const [a, b] = [this.valueOf(t[0]), this.valueOf(t[1])];
        if (zeros && (a === 0 || b === 0)) continue;
        if (ones && a !== undefined && b !== undefined) addConstant(a * b);
        else if (ones && (a === 1 || a === -1)) out.push(a === 1 ? t[1] : { neg: t[1] });
        else if (ones && (b === 1 || b === -1)) out.push(b === 1 ? t[0] : { neg: t[0] });
        else out.push(t);
      } else {
        const v = this.valueOf(t.neg);
        if (ones && v !== undefined) addConstant(-v);
        else if (!(zeros && v === 0)) out.push(t);
      }
    }
    // Constants are gathered only when folding ones; a zero sum of them is dropped when folding zeros.
    if (constants > 0 && (constant !== 0 || !zeros || out.length === 0)) out.push(this.constant(constant));
    return out;
  }
}

/**
 * Removes instructions whose results nothing reads (e.g. comparisons feeding only a stop_gradient), so
 * every variant pays only for what it uses. Slot numbers are kept.
 */
export function eliminateDeadCode(program: Program): Program {
  const live = new Uint8Array(program.numSyms);
  for (const out of program.outputs) for (const s of out) live[s] = 1;
  for (const entry of program.jacobian) live[entry[3]] = 1;
  const kept: Instr[] = [];
  for (let k = program.instrs.length - 1; k >= 0; k--) {
    const ins = program.instrs[k];
    if (!live[ins.dst]) continue;
    kept.push(ins);
    if (ins.kind === 'call') {
      for (const a of ins.args) if (typeof a === 'number') live[a] = 1;
    } else {
      for (const t of ins.terms) {
        if (typeof t === 'number') live[t] = 1;
        else if (isProduct(t)) {
          live[t[0]] = 1;
          live[t[1]] = 1;
        } else live[t.neg] = 1;
      }
    }
  }
  kept.reverse();
  return { ...program, instrs: kept };
}

/** Multiplications the program's sums perform (primal contractions included). */
export function countMultiplications(instrs: readonly Instr[]): number {
  let n = 0;
  for (const ins of instrs) if (ins.kind === 'sum') for (const t of ins.terms) if (isProduct(t)) n++;
  return n;
}

/** Operation counts of a program, for cost proxies beyond multiplications. */
export interface ProgramStats {
  /** All multiplications executed per point (primal contractions included). */
  readonly multiplications: number;
  /**
   * Multiplications of the derivative part the code performs per point: after folding and dead-code
   * removal (products feeding no output are not computed), so at most `Program.multiplications`.
   */
  readonly derivativeMultiplications: number;
  readonly additions: number;
  /** Calls into the math tables (primal values, local partials). */
  readonly calls: number;
  /** Non-zero Jacobian entries written per point. */
  readonly jacobianEntries: number;
  /** Instructions of the program (sums and calls): what BYTECODE_INSTRUCTIONS is compared with. */
  readonly instructions: number;
}

export function programStats(program: Program): ProgramStats {
  let additions = 0;
  let calls = 0;
  for (const ins of program.instrs) {
    if (ins.kind === 'call') calls++;
    // A lone negated term is a negation, counted as an addition.
    else
      additions += Math.max(
        ins.terms.length - 1,
        typeof ins.terms[0] === 'object' && !isProduct(ins.terms[0]) ? 1 : 0,
      );
  }
  const jacobianEntries = program.jacobian.length;
  return {
    multiplications: countMultiplications(program.instrs),
    derivativeMultiplications: countMultiplications(
      program.instrs.filter((ins) => ins.dst >= program.derivativeFrom),
    ),
    additions,
    calls,
    jacobianEntries,
    instructions: program.instrs.length,
  };
}
