import type { Instr, Program, Sym } from './program.js';

/**
 * `point`: the batch loop is outermost; each point runs straight-line code over a small scratch array.
 * `batch`: structure of arrays; each instruction is a loop over the batch (batch innermost).
 */
export type Layout = 'point' | 'batch';
export const LAYOUTS: readonly Layout[] = ['point', 'batch'];

export interface JacobianBatch {
  /** Per output, [batch, ...output shape] flattened. */
  readonly outputs: Float64Array[];
  /** Per (output i, input j), [batch, ...out_i.shape, ...in_j.shape] flattened. */
  readonly jacobian: Float64Array[][];
}

export interface CompiledProgram {
  /** Inputs per program input, [batch, ...shape] flattened; `batch` points. */
  run(inputs: readonly Float64Array[], batch: number): JacobianBatch;
  readonly layout: Layout;
  /** Characters of generated JavaScript (all chunks). */
  readonly sourceLength: number;
}

/**
 * Source characters per generated function. V8 does not optimise functions whose bytecode is large (about
 * 60 KB), and an unoptimised chunk runs many times slower, so chunks are cut by size, not statement count.
 */
const CHUNK_CHARS = 12_000;

type Chunk = (...args: unknown[]) => void;

function expression(ins: Instr, slot: (s: Sym) => string): string {
  if (ins.kind === 'call')
    return `f${ins.fn}(${ins.args.map((a) => (typeof a === 'number' ? slot(a) : String(a.literal))).join(',')})`;
  return ins.terms.map((t) => (typeof t === 'number' ? slot(t) : `${slot(t[0])}*${slot(t[1])}`)).join('+');
}

/** Compiles `body` statements into functions of (S, B, io…) taking the function table as closure. */
function compileChunks(
  fns: Program['fns'],
  statements: string[],
  params: string,
): { chunks: Chunk[]; length: number } {
  const used = (s: string): number[] => [...s.matchAll(/\bf(\d+)\(/g)].map((m) => Number(m[1]));
  const chunks: Chunk[] = [];
  let length = 0;
  const bodies: string[] = [];
  let current: string[] = [];
  let size = 0;
  for (const st of statements) {
    if (size + st.length > CHUNK_CHARS && current.length > 0) {
      bodies.push(current.join('\n'));
      current = [];
      size = 0;
    }
    current.push(st);
    size += st.length + 1;
  }
  if (current.length > 0) bodies.push(current.join('\n'));
  for (const body of bodies) {
    const ids = [...new Set(used(body))];
    const src = `${ids.map((i) => `const f${i}=F[${i}];`).join('')}return function(${params}){\n${body}\n};`;
    length += src.length;
    chunks.push(new Function('F', src)(fns) as Chunk);
  }
  return { chunks, length };
}

export function emitProgram(program: Program, layout: Layout): CompiledProgram {
  const inputSizes = program.inputs.map((x) => x.length);
  const outputSizes = program.outputs.map((x) => x.length);
  const blockSizes = program.outputs.map((o) => program.inputs.map((x) => o.length * x.length));
  return layout === 'point'
    ? emitPointLayout(program, inputSizes, outputSizes, blockSizes)
    : emitBatchLayout(program, inputSizes, outputSizes, blockSizes);
}

function allocate(batch: number, outputSizes: number[], blockSizes: number[][]): JacobianBatch {
  return {
    outputs: outputSizes.map((n) => new Float64Array(batch * n)),
    jacobian: blockSizes.map((row) => row.map((n) => new Float64Array(batch * n))),
  };
}

function checkInputs(inputs: readonly Float64Array[], batch: number, inputSizes: number[]): void {
  if (inputs.length !== inputSizes.length)
    throw new RangeError(`expected ${inputSizes.length} inputs, got ${inputs.length}`);
  inputs.forEach((x, j) => {
    if (x.length !== batch * inputSizes[j])
      throw new RangeError(`input ${j + 1} has ${x.length} values, expected ${batch} × ${inputSizes[j]}`);
  });
}

function emitPointLayout(
  program: Program,
  inputSizes: number[],
  outputSizes: number[],
  blockSizes: number[][],
): CompiledProgram {
  const slot = (s: Sym): string => `S[${s}]`;
  const load: string[] = [];
  program.inputs.forEach((slots, j) =>
    slots.forEach((s, e) => load.push(`S[${s}]=I[${j}][b*${inputSizes[j]}+${e}];`)),
  );
  const compute = program.instrs.map((ins) => `S[${ins.dst}]=${expression(ins, slot)};`);
  const store: string[] = [];
  program.outputs.forEach((slots, i) =>
    slots.forEach((s, e) => store.push(`O[${i}][b*${outputSizes[i]}+${e}]=S[${s}];`)),
  );
  program.jacobian.forEach((row, i) =>
    row.forEach((entries, j) =>
      entries.forEach(([flat, s]) => store.push(`J[${i}][${j}][b*${blockSizes[i][j]}+${flat}]=S[${s}];`)),
    ),
  );
  const loads = compileChunks(program.fns, load, 'S,I,b');
  const computes = compileChunks(program.fns, compute, 'S');
  const stores = compileChunks(program.fns, store, 'S,O,J,b');
  const S = new Float64Array(program.numSyms);
  for (const [s, v] of program.constants) S[s] = v;
  return {
    layout: 'point',
    sourceLength: loads.length + computes.length + stores.length,
    run(inputs, batch) {
      checkInputs(inputs, batch, inputSizes);
      const out = allocate(batch, outputSizes, blockSizes);
      for (let b = 0; b < batch; b++) {
        for (const c of loads.chunks) c(S, inputs, b);
        for (const c of computes.chunks) c(S);
        for (const c of stores.chunks) c(S, out.outputs, out.jacobian, b);
      }
      return out;
    },
  };
}

function emitBatchLayout(
  program: Program,
  inputSizes: number[],
  outputSizes: number[],
  blockSizes: number[][],
): CompiledProgram {
  const slot = (s: Sym): string => `S[${s}*B+b]`;
  const load: string[] = [];
  program.inputs.forEach((slots, j) =>
    slots.forEach((s, e) => load.push(`for(let b=0;b<B;b++)S[${s}*B+b]=I[${j}][b*${inputSizes[j]}+${e}];`)),
  );
  const compute = program.instrs.map(
    (ins) => `for(let b=0;b<B;b++)S[${ins.dst}*B+b]=${expression(ins, slot)};`,
  );
  const store: string[] = [];
  program.outputs.forEach((slots, i) =>
    slots.forEach((s, e) => store.push(`for(let b=0;b<B;b++)O[${i}][b*${outputSizes[i]}+${e}]=S[${s}*B+b];`)),
  );
  program.jacobian.forEach((row, i) =>
    row.forEach((entries, j) =>
      entries.forEach(([flat, s]) =>
        store.push(`for(let b=0;b<B;b++)J[${i}][${j}][b*${blockSizes[i][j]}+${flat}]=S[${s}*B+b];`),
      ),
    ),
  );
  const loads = compileChunks(program.fns, load, 'S,B,I');
  const computes = compileChunks(program.fns, compute, 'S,B');
  const stores = compileChunks(program.fns, store, 'S,B,O,J');
  const scratch = new Map<number, Float64Array>();
  return {
    layout: 'batch',
    sourceLength: loads.length + computes.length + stores.length,
    run(inputs, batch) {
      checkInputs(inputs, batch, inputSizes);
      let S = scratch.get(batch);
      if (!S) {
        S = new Float64Array(program.numSyms * batch);
        for (const [s, v] of program.constants) S.fill(v, s * batch, (s + 1) * batch);
        scratch.set(batch, S);
      }
      const out = allocate(batch, outputSizes, blockSizes);
      for (const c of loads.chunks) c(S, batch, inputs);
      for (const c of computes.chunks) c(S, batch);
      for (const c of stores.chunks) c(S, batch, out.outputs, out.jacobian);
      return out;
    },
  };
}
