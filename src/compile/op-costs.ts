import { isProduct, type Program } from './program.js';

/**
 * A runtime proxy finer than operation counts: the generated code's work per point as counts per kind of
 * operation, priced with per-operation times measured on this machine. Multiplications, additions and
 * stores are cheap and similar; a math call costs from one division (`1/$0`) to seventy multiplications
 * (`$0**$1`, V8's general pow), so counting every call as one operation misjudges programs dominated by them.
 */

/** Work per point: how many times each kind of operation runs. */
export type Work = Readonly<Record<string, number>>;

/** Kinds besides the math calls (which are keyed by their inline template or `call`). */
export const MUL = 'mul';
export const ADD = 'add';
export const STORE = 'store';
/** A call into a non-inlined math-table function (selections, reductions): priced like a generic call. */
export const CALL = 'call';

/** Counts a program's operations per point by kind. */
export function programWork(program: Program): Work {
  const work: Record<string, number> = {};
  const add = (key: string, n = 1): void => {
    if (n > 0) work[key] = (work[key] ?? 0) + n;
  };
  for (const ins of program.instrs) {
    if (ins.kind === 'call') add(ins.inline ?? CALL);
    else {
      let products = 0;
      for (const t of ins.terms) if (isProduct(t)) products++;
      add(MUL, products);
      // A lone negated term is one negation; otherwise n terms take n − 1 additions.
      const lone = ins.terms.length === 1 && typeof ins.terms[0] === 'object' && !isProduct(ins.terms[0]);
      add(ADD, lone ? 1 : ins.terms.length - 1);
    }
  }
  const stores = program.outputs.reduce((n, o) => n + o.length, 0) + program.jacobian.length;
  add(STORE, stores);
  return work;
}

/** Nanoseconds per operation, per kind. */
export type OpCosts = ReadonlyMap<string, number>;

/** Predicted nanoseconds per point: Σ count × cost (kinds without a measured cost are priced as `call`). */
export function predictNanoseconds(work: Work, costs: OpCosts): number {
  let ns = 0;
  for (const [key, n] of Object.entries(work)) ns += n * (costs.get(key) ?? costs.get(CALL) ?? 0);
  return ns;
}

const POINTS = 4096;
const UNROLL = 4;
/** Stands for the math-table functions that stay real calls (selections, ties in reductions). */
const tableFunction = (x: number, y: number): number => (x > y ? x : y);

/** Median nanoseconds per point of a 4-way unrolled loop accumulating `term(k)` for points b + k. */
function timeLoop(term: (k: number) => string, rounds: number): number {
  const lines: string[] = [];
  for (let k = 0; k < UNROLL; k++) lines.push(`a${k}+=${term(k)};`);
  const src = `let a0=0,a1=0,a2=0,a3=0;for(let b=0;b<N;b+=${UNROLL}){${lines.join('')}}return a0+a1+a2+a3;`;
  const fn = new Function('X', 'Y', 'Z', 'O', 'F', 'N', src) as (...args: unknown[]) => number;
  // Arguments in (0.2, 0.8), inside the domain of every math function the compiler emits except acosh;
  // Z = X**Y plays the primitive's output.
  const X = Float64Array.from({ length: POINTS }, (_v, i) => 0.2 + (0.6 * ((i * 7919) % POINTS)) / POINTS);
  const Y = Float64Array.from({ length: POINTS }, (_v, i) => 0.2 + (0.6 * ((i * 104729) % POINTS)) / POINTS);
  const Z = Float64Array.from(X, (x, i) => x ** Y[i]);
  const O = Array.from({ length: 8 }, () => new Float64Array(POINTS));
  return medianPassNs(() => fn(X, Y, Z, O, tableFunction, POINTS), rounds) / POINTS;
}

/**
 * Median nanoseconds of one call of `pass` after 50 warm-up calls, over `rounds` samples of 16 calls
 * (about 0.1–2 ms each, well above the timer's resolution).
 */
function medianPassNs(pass: () => number, rounds: number): number {
  let sink = 0;
  for (let w = 0; w < 50; w++) sink += pass();
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let p = 0; p < 16; p++) sink += pass();
    times.push(((performance.now() - t0) * 1e6) / 16);
  }
  if (Number.isNaN(sink)) times.push(0); // keeps `sink` observable so V8 cannot drop the loops
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** The measured template of a math call (an expression over $0, $1, $2, the point's values). */
function templateOf(key: string): string {
  return key === CALL ? 'F($0,$1)' : key;
}

/**
 * Nanoseconds per cheap operation (multiplication, addition, negation, store) in straight-line code like
 * the generated programs: `length` operations per point over four independent chains (the generated code's
 * dependencies leave the CPU a few operations to overlap), every fourth one a store to one of 8 arrays.
 */
function cheapOperationCost(rounds: number, length = 256): number {
  const lines = ['let v0=X[b],v1=X[b+1],v2=X[b+2],v3=X[b+3];'];
  for (let i = 0; i < length; i++) {
    const [dst, src] = [`v${i % 4}`, `v${(i + 1) % 4}`];
    lines.push(i % 4 === 3 ? `O[${i % 8}][b]=${dst};` : `${dst}=${dst}${i % 2 ? '*' : '+'}${src};`);
  }
  const src = `let a0=0;for(let b=0;b<N;b+=4){${lines.join('')}a0+=v0+v1+v2+v3;}return a0;`;
  const fn = new Function('X', 'O', 'N', src) as (...args: unknown[]) => number;
  const X = Float64Array.from({ length: POINTS + 4 }, (_v, i) => 1 + 1e-9 * i);
  const O = Array.from({ length: 8 }, () => new Float64Array(POINTS));
  // One pass runs POINTS / 4 iterations of `length` operations.
  return medianPassNs(() => fn(X, O, POINTS), rounds) / (POINTS / 4) / length;
}

/**
 * Measures the cost of each kind of operation in `keys` (inline templates over $0, $1, $2, or MUL, ADD,
 * STORE, CALL): the extra time per point of accumulating `(template) + $1 + $2` over accumulating
 * `$0 + $1 + $2`. About 10 ms per kind; noisy at the level of a fraction of a nanosecond.
 */
export function measureOpCosts(keys: Iterable<string>, rounds = 31): Map<string, number> {
  const term = (template: string) => (k: number) =>
    `(${template.replace(/\$(\d)/g, (_m, i: string) => `${'XYZ'[Number(i)]}[b+${k}]`)})+Y[b+${k}]+Z[b+${k}]`;
  const base = timeLoop(term('$0'), rounds);
  const cheap = cheapOperationCost(rounds);
  const costs = new Map<string, number>([
    [MUL, cheap],
    [ADD, cheap],
    [STORE, cheap],
  ]);
  for (const key of new Set([...keys, CALL]))
    if (!costs.has(key)) costs.set(key, Math.max(cheap, timeLoop(term(templateOf(key)), rounds) - base));
  return costs;
}
