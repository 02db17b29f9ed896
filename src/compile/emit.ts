import { isProduct, numberLiteral, type Arg, type Instr, type Program, type Sym } from './program.js';
import {
  resultLayout,
  type AnyJacobianBatch,
  type JacobianBatch,
  type ResultFormat,
  type ResultLayout,
} from './result-format.js';

export type { JacobianBatch } from './result-format.js';

/**
 * `point`: the batch loop is outermost; each point runs straight-line code over a small scratch array.
 * `batch`: structure of arrays; each instruction is a loop over the batch (batch innermost).
 */
export type Layout = 'point' | 'batch';
export const LAYOUTS: readonly Layout[] = ['point', 'batch'];

export interface CompiledProgram<R extends AnyJacobianBatch = JacobianBatch> {
  /**
   * Inputs per program input, [batch, ...shape] flattened; `batch` points. `into`: arrays to overwrite
   * (a result of an earlier call with the same batch size), so repeated calls allocate nothing; only
   * entries of the Jacobian's sparsity pattern are written, the rest keep their (zero) values.
   */
  run(inputs: readonly Float64Array[], batch: number, into?: R): R;
  readonly layout: Layout;
  /** Characters of generated JavaScript (all chunks). */
  readonly sourceLength: number;
}

/**
 * Source characters per generated function. V8 does not optimise functions whose bytecode is large (about
 * 60 KB), and an unoptimised chunk runs many times slower, so chunks are cut by size, not statement count.
 */
export const CHUNK_CHARS = 32_000;
/**
 * The `batch` layout's functions are sequences of loops, which V8 optimises far worse in large functions
 * (measured at batch 512: RoeFlux_1d 0.37 ms with 1k-character chunks, 3.5 ms with 12k, 7.3 ms with 32k).
 */
export const BATCH_CHUNK_CHARS = 1_000;

export interface EmitOptions {
  /** Source characters per generated function (default CHUNK_CHARS, or BATCH_CHUNK_CHARS for `batch`). */
  readonly chunkChars?: number;
  /** How the Jacobian is returned (default `blocks`). */
  readonly format?: ResultFormat;
}

type Chunk = (...args: unknown[]) => void;

/** The right-hand side of an instruction, with `ref` naming slots. */
function expression(ins: Instr, ref: (s: Sym) => string, literal = numberLiteral): string {
  const arg = (a: Arg): string => (typeof a === 'number' ? ref(a) : literal(a.literal));
  if (ins.kind === 'call') {
    const inline = ins.inline;
    if (inline !== undefined) return inline.replace(/\$(\d)/g, (_m, k: string) => arg(ins.args[Number(k)]));
    return `f${ins.fn}(${ins.args.map(arg).join(',')})`;
  }
  return ins.terms
    .map((t, k) => {
      if (typeof t === 'number') return k === 0 ? ref(t) : `+${ref(t)}`;
      if (isProduct(t)) return `${k === 0 ? '' : '+'}${ref(t[0])}*${ref(t[1])}`;
      return `-${ref(t.neg)}`;
    })
    .join('');
}

/** Cuts statements into bodies of at most `chunkChars` characters (a longer statement gets its own body). */
function cutChunks(lengths: readonly number[], chunkChars: number): number[] {
  const chunkOf: number[] = [];
  let chunk = 0;
  let size = 0;
  for (const n of lengths) {
    if (size + n > chunkChars && size > 0) {
      chunk++;
      size = 0;
    }
    chunkOf.push(chunk);
    size += n + 1;
  }
  return chunkOf;
}

/** Compiles function bodies over `params`, with the math-table functions they call as closure constants. */
function compileBodies(
  fns: Program['fns'],
  bodies: readonly string[],
  params: string,
): { chunks: Chunk[]; length: number } {
  const used = (s: string): number[] => [...s.matchAll(/\bf(\d+)\(/g)].map((m) => Number(m[1]));
  const chunks: Chunk[] = [];
  let length = 0;
  for (const body of bodies) {
    const ids = [...new Set(used(body))];
    const src = `${ids.map((i) => `const f${i}=F[${i}];`).join('')}return function(${params}){\n${body}\n};`;
    length += src.length;
    chunks.push(new Function('F', src)(fns) as Chunk);
  }
  return { chunks, length };
}

/** Compiles statements into functions of `params`, cut by size. */
function compileChunks(
  fns: Program['fns'],
  statements: string[],
  params: string,
  chunkChars: number,
): { chunks: Chunk[]; length: number } {
  const chunkOf = cutChunks(
    statements.map((st) => st.length),
    chunkChars,
  );
  const bodies: string[][] = [];
  statements.forEach((st, k) => (bodies[chunkOf[k]] ??= []).push(st));
  return compileBodies(
    fns,
    bodies.map((b) => b.join('\n')),
    params,
  );
}

export function emitProgram<R extends AnyJacobianBatch = JacobianBatch>(
  program: Program,
  layout: Layout,
  options: EmitOptions = {},
): CompiledProgram<R> {
  const chunkChars = options.chunkChars ?? (layout === 'batch' ? BATCH_CHUNK_CHARS : CHUNK_CHARS);
  const inputSizes = program.inputs.map((x) => x.length);
  const outputSizes = program.outputs.map((x) => x.length);
  const result = resultLayout(options.format ?? 'blocks', program.jacobian, outputSizes, inputSizes);
  const compiled =
    layout === 'point'
      ? emitPointLayout(program, inputSizes, result, chunkChars)
      : emitBatchLayout(program, inputSizes, outputSizes, result, chunkChars);
  return compiled as CompiledProgram<AnyJacobianBatch> as CompiledProgram<R>;
}

/** The arrays to write: fresh ones, or `into` after checking that it is a result of the right shapes. */
function outputArrays(
  batch: number,
  result: ResultLayout,
  into: AnyJacobianBatch | undefined,
): AnyJacobianBatch {
  if (!into) return result.allocate(batch);
  result.check(into, batch);
  return into;
}

function checkInputs(inputs: readonly Float64Array[], batch: number, inputSizes: number[]): void {
  if (inputs.length !== inputSizes.length)
    throw new RangeError(`expected ${inputSizes.length} inputs, got ${inputs.length}`);
  inputs.forEach((x, j) => {
    if (x.length !== batch * inputSizes[j])
      throw new RangeError(`input ${j + 1} has ${x.length} values, expected ${batch} × ${inputSizes[j]}`);
  });
}

function usesOf(ins: Instr): Sym[] {
  return ins.kind === 'call'
    ? ins.args.filter((a): a is Sym => typeof a === 'number')
    : ins.terms.flatMap((t) => (typeof t === 'number' ? [t] : isProduct(t) ? [...t] : [t.neg]));
}

/**
 * Instructions in demand order: each is emitted just before its first reader (the program computes all
 * local partials before the elimination reads them). Short live ranges keep V8's compile time and register
 * pressure down: every bounds-checked access records all live locals for deoptimisation. Typed arrays
 * indexed by slot, not maps and sets: programs of 10^5 vertices have millions of instructions.
 */
function scheduled(instrs: readonly Instr[], uses: readonly (readonly Sym[])[], numSyms: number): number[] {
  const byDst = new Int32Array(numSyms).fill(-1);
  instrs.forEach((ins, k) => (byDst[ins.dst] = k));
  const read = new Uint8Array(numSyms);
  for (const list of uses) for (const s of list) read[s] = 1;
  const done = new Uint8Array(instrs.length);
  const out: number[] = [];
  const stack: number[] = [];
  const next: number[] = [];
  // Roots: values no instruction reads (outputs and Jacobian entries), in program order.
  for (let root = 0; root < instrs.length; root++) {
    if (read[instrs[root].dst] || done[root]) continue;
    done[root] = 1;
    stack.push(root);
    next.push(0);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const list = uses[stack[top]];
      if (next[top] < list.length) {
        const dep = byDst[list[next[top]++]];
        if (dep >= 0 && !done[dep]) {
          done[dep] = 1;
          stack.push(dep);
          next.push(0);
        }
      } else {
        out.push(stack.pop() as number);
        next.pop();
      }
    }
  }
  return out;
}

/** Scratch values per tile of points (32768 doubles = 256 KB, within a core's L2 cache; measured on f: 2048 or 4096 run slower, 16384 to 65536 alike). */
const TILE_SCRATCH_VALUES = 32_768;

/** Characters a chunk spends on reading one value computed elsewhere (`const v123=S[b*456+78];`). */
const READ_CHARS = 24;

/** A statement of the point layout: the slot it defines (or -1 for a store), the slots it reads, its text. */
interface PointItem {
  readonly def: Sym;
  readonly uses: readonly Sym[];
  readonly text: string;
}

/**
 * Cuts point-layout items into chunks of at most `chunkChars` characters, counting the statements that read
 * values computed in earlier chunks (or inputs), which are added at the top of each chunk: in large
 * programs they are a good part of a chunk, and a chunk over V8's bytecode limit is not optimised.
 */
function cutPointChunks(
  items: readonly PointItem[],
  constants: ReadonlyMap<Sym, number>,
  chunkChars: number,
  numSyms: number,
): Int32Array {
  const chunkOf = new Int32Array(items.length);
  // local[s] === chunk + 1: s is defined in or already read into the current chunk; seen[s]: counted for this item.
  const local = new Int32Array(numSyms);
  const seen = new Int32Array(numSyms);
  let chunk = 0;
  let size = 0;
  const cost = (it: PointItem, stamp: number): number => {
    let reads = 0;
    for (const s of it.uses) {
      if (constants.has(s) || local[s] === chunk + 1 || seen[s] === stamp) continue;
      seen[s] = stamp;
      reads++;
    }
    return it.text.length + 1 + READ_CHARS * reads;
  };
  items.forEach((it, k) => {
    let n = cost(it, 2 * k + 1);
    if (size + n > chunkChars && size > 0) {
      chunk++;
      size = 0;
      n = cost(it, 2 * k + 2);
    }
    for (const s of it.uses) local[s] = chunk + 1;
    if (it.def >= 0) local[it.def] = chunk + 1;
    chunkOf[k] = chunk;
    size += n;
  });
  return chunkOf;
}

/** The `point` layout as source: one function body per chunk over (S, I, O, J, b0, b1), and its scratch. */
export interface PointLayoutSource {
  readonly bodies: readonly string[];
  /** Scratch values per point: the values that cross chunk boundaries (at least 1). */
  readonly crossing: number;
  /** Points per tile of the batch loop (Infinity when nothing crosses chunks). */
  readonly tile: number;
}

/**
 * `point` layout: straight-line code per point, the batch loop outermost. Values live in local constants;
 * the code is cut into chunks (functions) by size, each running its own loop over the batch, so the typed
 * arrays it touches are fetched once per call and no call happens per point. Only values read in a later
 * chunk than the one computing them go through the scratch array (one slot per point each), inputs are read
 * where a chunk first needs them, constants are literals, and every output or Jacobian entry is stored right
 * after it is computed. Math-table calls read `f<k>` (program.fns[k]), which the caller binds; `literal`
 * writes constants (TypeScript source needs `(2 as number)`, or strict mode rejects `2===0` as always false).
 */
export function pointLayoutSource(
  program: Program,
  result: Pick<ResultLayout, 'target'>,
  chunkChars: number = CHUNK_CHARS,
  literal: (v: number) => string = numberLiteral,
): PointLayoutSource {
  const inputSizes = program.inputs.map((x) => x.length);
  const outputSizes = program.outputs.map((x) => x.length);
  const constants = new Map(program.constants);
  const inputOf = new Map<Sym, string>();
  program.inputs.forEach((slots, j) =>
    slots.forEach((s, e) => inputOf.set(s, `I${j}[b*${inputSizes[j]}+${e}]`)),
  );
  const stores = new Map<Sym, string[]>();
  const addStore = (s: Sym, target: string): void => {
    const list = stores.get(s);
    if (list) list.push(target);
    else stores.set(s, [target]);
  };
  program.outputs.forEach((slots, i) =>
    slots.forEach((s, e) => addStore(s, `O${i}[b*${outputSizes[i]}+${e}]`)),
  );
  program.jacobian.forEach((entry, k) => addStore(entry[3], result.target(k, 'b')));
  const ref = (x: Sym): string => {
    const v = constants.get(x);
    return v === undefined ? `v${x}` : literal(v);
  };
  // Items in execution order: instructions, each followed by its stores; then stores of inputs and constants.
  const items: PointItem[] = [];
  const defined = new Uint8Array(program.numSyms);
  const storeItems = (s: Sym): void => {
    for (const target of stores.get(s) ?? [])
      items.push({ def: -1, uses: [s], text: `${target}=${ref(s)};` });
  };
  const uses = program.instrs.map(usesOf);
  for (const k of scheduled(program.instrs, uses, program.numSyms)) {
    const ins = program.instrs[k];
    items.push({ def: ins.dst, uses: uses[k], text: `const v${ins.dst}=${expression(ins, ref, literal)};` });
    defined[ins.dst] = 1;
    storeItems(ins.dst);
  }
  for (const s of stores.keys()) if (!defined[s]) storeItems(s);

  const chunkOf = cutPointChunks(items, constants, chunkChars, program.numSyms);
  const defChunk = new Map<Sym, number>();
  items.forEach((it, k) => it.def >= 0 && defChunk.set(it.def, chunkOf[k]));
  // Slots of the values that cross chunk boundaries, and per chunk the locals it must read first.
  const crossSlot = new Map<Sym, number>();
  const reads: Set<Sym>[] = [];
  items.forEach((it, k) => {
    const c = chunkOf[k];
    for (const s of it.uses) {
      if (constants.has(s)) continue;
      const d = defChunk.get(s);
      if (d === c) continue;
      if (d !== undefined && !crossSlot.has(s)) crossSlot.set(s, crossSlot.size);
      (reads[c] ??= new Set()).add(s);
    }
  });
  // Values crossing chunks live in S[(b-b0)*crossing + slot]: the batch runs in tiles of points, all chunks
  // over one tile before the next, so the scratch of a tile stays in cache (whole batches of a large
  // program's crossing values would not).
  const crossing = Math.max(1, crossSlot.size);
  const tile = crossSlot.size === 0 ? Infinity : Math.max(1, Math.floor(TILE_SCRATCH_VALUES / crossing));
  const bodies: string[][] = [];
  items.forEach((it, k) => {
    const c = chunkOf[k];
    const body = (bodies[c] ??= [
      ...[...(reads[c] ?? [])].map(
        (s) => `const v${s}=${inputOf.get(s) ?? `S[(b-b0)*${crossing}+${crossSlot.get(s)}]`};`,
      ),
    ]);
    body.push(it.text);
    if (it.def >= 0 && crossSlot.has(it.def))
      body.push(`S[(b-b0)*${crossing}+${crossSlot.get(it.def)}]=v${it.def};`);
  });
  // Each chunk reads the typed arrays it touches once, outside its batch loop, so every load and store in
  // the loop is a single indexed access.
  const arrays = (body: string): string =>
    [...new Set([...body.matchAll(/\b([IOJ])(\d+)(?:_(\d+))?\[/g)].map((m) => m[0].slice(0, -1)))]
      .map((name) => {
        const [, kind, i, j] = /^([IOJ])(\d+)(?:_(\d+))?$/.exec(name) ?? [];
        return `const ${name}=${kind}[${i}]${j === undefined ? '' : `[${j}]`};`;
      })
      .join('');
  return {
    bodies: bodies.map((b) => {
      const body = b.join('\n');
      return `${arrays(body)}for(let b=b0;b<b1;b++){\n${body}\n}`;
    }),
    crossing,
    tile,
  };
}

function emitPointLayout(
  program: Program,
  inputSizes: number[],
  result: ResultLayout,
  chunkChars: number,
): CompiledProgram<AnyJacobianBatch> {
  const { bodies, crossing, tile } = pointLayoutSource(program, result, chunkChars);
  const compiled = compileBodies(program.fns, bodies, 'S,I,O,J,b0,b1');
  const chunks = compiled.chunks;
  let S = new Float64Array(crossing);
  return {
    layout: 'point',
    sourceLength: compiled.length,
    run(inputs, batch, into) {
      checkInputs(inputs, batch, inputSizes);
      const step = Math.min(batch, tile);
      if (S.length < crossing * step) S = new Float64Array(crossing * step);
      const out = outputArrays(batch, result, into);
      const J = result.jacobianArgument(out);
      for (let b0 = 0; b0 < batch; b0 += step) {
        const b1 = Math.min(batch, b0 + step);
        for (const c of chunks) c(S, inputs, out.outputs, J, b0, b1);
      }
      return out;
    },
  };
}

function emitBatchLayout(
  program: Program,
  inputSizes: number[],
  outputSizes: number[],
  result: ResultLayout,
  chunkChars: number,
): CompiledProgram<AnyJacobianBatch> {
  const constants = new Map(program.constants);
  const slot = (s: Sym): string => {
    const v = constants.get(s);
    return v === undefined ? `S[${s}*B+b]` : numberLiteral(v);
  };
  const load: string[] = [];
  program.inputs.forEach((slots, j) =>
    slots.forEach((s, e) => load.push(`for(let b=0;b<B;b++)S[${s}*B+b]=I[${j}][b*${inputSizes[j]}+${e}];`)),
  );
  const compute = program.instrs.map(
    (ins) => `for(let b=0;b<B;b++)S[${ins.dst}*B+b]=${expression(ins, slot)};`,
  );
  const store: string[] = [];
  program.outputs.forEach((slots, i) =>
    slots.forEach((s, e) => store.push(`for(let b=0;b<B;b++)O[${i}][b*${outputSizes[i]}+${e}]=${slot(s)};`)),
  );
  // Block targets name hoisted arrays (J0_1); in this layout they are read from J inline.
  const inline = (target: string): string => target.replace(/^J(\d+)_(\d+)\[/, 'J[$1][$2][');
  program.jacobian.forEach((entry, k) =>
    store.push(`for(let b=0;b<B;b++)${inline(result.target(k, 'b'))}=${slot(entry[3])};`),
  );
  const loads = compileChunks(program.fns, load, 'S,B,I', chunkChars);
  const computes = compileChunks(program.fns, compute, 'S,B', chunkChars);
  const stores = compileChunks(program.fns, store, 'S,B,O,J', chunkChars);
  // Slot s of point b lives at S[s*B + b]: the scratch is laid out for one batch size at a time.
  let S = new Float64Array(0);
  return {
    layout: 'batch',
    sourceLength: loads.length + computes.length + stores.length,
    run(inputs, batch, into) {
      checkInputs(inputs, batch, inputSizes);
      if (S.length < program.numSyms * batch) S = new Float64Array(program.numSyms * batch);
      const out = outputArrays(batch, result, into);
      for (const c of loads.chunks) c(S, batch, inputs);
      for (const c of computes.chunks) c(S, batch);
      for (const c of stores.chunks) c(S, batch, out.outputs, result.jacobianArgument(out));
      return out;
    },
  };
}
