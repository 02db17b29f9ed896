/**
 * The compiled Jacobian's intermediate form: a straight-line program over scalar slots ("symbols") of a
 * per-point scratch array. It is data (printable, countable) before it becomes JavaScript.
 */

/** A slot of the scratch array. */
export type Sym = number;

/** A term of a sum: a slot, or the product of two slots (one multiplication). */
export type Term = Sym | readonly [Sym, Sym];

/** A call argument: a slot, or a number written into the code (an exponent, a case count). */
export type Arg = Sym | { readonly literal: number };

export type Instr =
  /** S[dst] = F[fn](args…): primal values and local partials, calling the primitive math tables directly. */
  | { readonly kind: 'call'; readonly dst: Sym; readonly fn: number; readonly args: readonly Arg[] }
  /** S[dst] = Σ terms. */
  | { readonly kind: 'sum'; readonly dst: Sym; readonly terms: readonly Term[] };

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
  /** Per (output i, input j), the non-zero entries as [flat index into out_i.shape ++ in_j.shape, slot]. */
  readonly jacobian: readonly (readonly (readonly (readonly [number, Sym])[])[])[];
  /** Multiplications of the derivative part (the elimination, or the tape sweeps), as the cost model counts them. */
  readonly multiplications: number;
}

/** Allocates slots, interns constants and functions, and records instructions. */
export class ProgramBuilder {
  numSyms = 0;
  readonly instrs: Instr[] = [];
  readonly constants: [Sym, number][] = [];
  readonly fns: ((...args: number[]) => number)[] = [];
  private readonly constantSyms = new Map<number, Sym>();
  private readonly fnIndex = new Map<(...args: number[]) => number, number>();
  /** Multiplications emitted by `sum` since the last reset. */
  multiplications = 0;

  fresh(): Sym {
    return this.numSyms++;
  }

  constant(value: number): Sym {
    const key = Object.is(value, -0) ? -0.0 : value;
    let s = this.constantSyms.get(key);
    if (s === undefined) {
      s = this.fresh();
      this.constantSyms.set(key, s);
      this.constants.push([s, value]);
    }
    return s;
  }

  call(fn: (...args: number[]) => number, args: readonly Arg[]): Sym {
    let index = this.fnIndex.get(fn);
    if (index === undefined) {
      index = this.fns.length;
      this.fns.push(fn);
      this.fnIndex.set(fn, index);
    }
    const dst = this.fresh();
    this.instrs.push({ kind: 'call', dst, fn: index, args: [...args] });
    return dst;
  }

  /** Σ terms; a single plain slot is returned as is (an alias costs nothing). */
  sum(terms: readonly Term[]): Sym {
    if (terms.length === 1 && typeof terms[0] === 'number') return terms[0];
    if (terms.length === 0) return this.constant(0);
    for (const t of terms) if (typeof t !== 'number') this.multiplications++;
    const dst = this.fresh();
    this.instrs.push({ kind: 'sum', dst, terms: [...terms] });
    return dst;
  }
}

/**
 * Removes instructions whose results nothing reads (e.g. comparisons feeding only a stop_gradient), so
 * every variant pays only for what it uses. Slot numbers are kept.
 */
export function eliminateDeadCode(program: Program): Program {
  const live = new Uint8Array(program.numSyms);
  for (const out of program.outputs) for (const s of out) live[s] = 1;
  for (const row of program.jacobian) for (const block of row) for (const [, s] of block) live[s] = 1;
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
        else {
          live[t[0]] = 1;
          live[t[1]] = 1;
        }
      }
    }
  }
  kept.reverse();
  return { ...program, instrs: kept };
}

/** Multiplications the program's sums perform (primal contractions included). */
export function countMultiplications(instrs: readonly Instr[]): number {
  let n = 0;
  for (const ins of instrs) if (ins.kind === 'sum') for (const t of ins.terms) if (typeof t !== 'number') n++;
  return n;
}

/** Operation counts of a program, for cost proxies beyond multiplications. */
export interface ProgramStats {
  /** All multiplications executed per point (primal contractions included). */
  readonly multiplications: number;
  readonly additions: number;
  /** Calls into the math tables (primal values, local partials). */
  readonly calls: number;
  /** Non-zero Jacobian entries written per point. */
  readonly jacobianEntries: number;
}

export function programStats(program: Program): ProgramStats {
  let additions = 0;
  let calls = 0;
  for (const ins of program.instrs) {
    if (ins.kind === 'call') calls++;
    else additions += ins.terms.length - 1;
  }
  let jacobianEntries = 0;
  for (const row of program.jacobian) for (const block of row) jacobianEntries += block.length;
  return { multiplications: countMultiplications(program.instrs), additions, calls, jacobianEntries };
}
