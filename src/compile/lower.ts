import { nodeOfOperand, operandShape, type Graph, type Operand, type Vertex } from '../graph/graph.js';
import type { ParamsOf } from '../graph/primitive.js';
import { broadcastIndexMap, sizeOf, type Shape } from '../graph/shape.js';
import { UNARY, type BinaryDef, type UnaryDef } from '../primitives/elementwise.js';
import { axisOffsets, complementAxes } from '../primitives/index-maps.js';
import { caseOf, dotLayout, tieShare, type ReducePrimitive } from '../primitives/rules.js';
import { primitiveDef, selectionBlocks } from '../primitives/table.js';
import type { ProgramBuilder, Sym } from './program.js';
import { addSym, symBlockFromEntries, type SymBlock } from './sym-block.js';

export interface LoweredGraph {
  /** Slots of each input's elements. */
  readonly inputs: Sym[][];
  /** Slots of each vertex's elements (index k - 1 for vertex k). */
  readonly values: Sym[][];
  /** Local partials per vertex, one edge per distinct source node, as slot blocks. */
  readonly local: { source: number; block: SymBlock }[][];
}

type Fn = (...args: number[]) => number;

// Generated code calls these functions directly (each a distinct function, so every call site in the
// generated code stays monomorphic and V8 can inline it); numbers such as exponents are literal arguments.
const selectN: Fn = (n, w, ...cases) => cases[caseOf(w, n)];
const selectMask: Fn = (n, k, w) => (caseOf(w, n) === k ? 1 : 0);
const ties: Fn = (out, ...xs) => xs.reduce((t, x) => t + (x === out ? 1 : 0), 0);
/** The table functions calls use without an inline form (besides erf and Math.max/min): standalone code writes them out. */
export const TABLE_FUNCTIONS = { selectN, selectMask, ties, share: tieShare } as const;
const lit = (literal: number) => ({ literal });

/**
 * Lowers the program to slot instructions: every primal value and every local partial entry, with the
 * same structure as the interpreter's blocks (structural selections carry no slots at all).
 */
export function lowerGraph(b: ProgramBuilder, graph: Graph): LoweredGraph {
  const inputs = graph.inputs.map((inp) => Array.from({ length: sizeOf(inp.shape) }, () => b.fresh()));
  const values: Sym[][] = [];
  const local: { source: number; block: SymBlock }[][] = [];
  const slotsOf = (op: Operand): Sym[] => {
    if (op.kind === 'input') return inputs[op.index];
    if (op.kind === 'vertex') return values[op.id - 1];
    return Array.from(op.value.data, (x) => b.constant(x));
  };
  for (const v of graph.vertices) {
    const ops = v.operands.map(slotsOf);
    const { value, partials } = lowerVertex(b, graph, v, ops);
    values.push(value);
    const merged = new Map<number, SymBlock>();
    partials.forEach((block, k) => {
      const source = nodeOfOperand(graph, v.operands[k]);
      if (block === null || source === null) return;
      const prev = merged.get(source);
      merged.set(source, prev ? addSym(b, prev, block) : block);
    });
    local.push([...merged].map(([source, block]) => ({ source, block })));
  }
  return { inputs, values, local };
}

/** A vertex's value slots and local partial blocks (null = no edge), in operand order. */
interface LoweredVertex {
  readonly value: Sym[];
  readonly partials: (SymBlock | null)[];
}

/** Dispatches on the primitive table's emission: per-primitive formulas come from the table. */
function lowerVertex(b: ProgramBuilder, graph: Graph, v: Vertex, ops: Sym[][]): LoweredVertex {
  const shapes = v.operands.map((op) => operandShape(graph, op));
  const emit = primitiveDef(v.primitive).emit;
  switch (emit.kind) {
    case 'unary':
      return lowerUnary(b, emit.def, v.primitive === 'integer_pow' ? v.params.y : 0, ops[0]);
    case 'binary':
      return lowerBinary(b, emit.def, shapes, v.shape, ops);
    case 'comparison': {
      const [ia, ib] = [broadcastIndexMap(shapes[0], v.shape), broadcastIndexMap(shapes[1], v.shape)];
      return {
        value: Array.from({ length: ia.length }, (_u, k) =>
          b.call(emit.def.value, [ops[0][ia[k]], ops[1][ib[k]]], emit.def.code),
        ),
        partials: [null, null],
      };
    }
    case 'stop_gradient':
      return { value: ops[0], partials: [null] };
    case 'select_n':
      return lowerSelectN(b, sizeOf(v.shape), ops);
    case 'dot_general':
      return lowerDotGeneral(b, shapes, v.params as ParamsOf<'dot_general'>, ops);
    case 'reduce':
      return lowerReduce(b, emit.combine, shapes[0], (v.params as ParamsOf<ReducePrimitive>).axes, ops[0]);
    case 'selection':
      return lowerSelection(v, shapes, ops);
    default: {
      const unknown: never = emit;
      throw new Error(`no lowering for emission ${JSON.stringify(unknown)}`);
    }
  }
}

/** The n × n diagonal block of the given slots. */
const diagonal = (syms: Sym[]): SymBlock =>
  symBlockFromEntries(
    syms.length,
    syms.length,
    syms.map((s, k) => [k, k, s] as const),
  );

function lowerUnary(b: ProgramBuilder, def: UnaryDef, y: number, x: Sym[]): LoweredVertex {
  const code = def.code(y);
  if (code.kind === 'negation') {
    const minusOne = b.constant(-1);
    return { value: x.map((s) => b.sum([{ neg: s }])), partials: [diagonal(x.map(() => minusOne))] };
  }
  const value = x.map((s) => b.call(def.value, [s, lit(y)], code.value));
  const d = code.derivative;
  if (typeof d === 'object' && 'twin' in d) {
    // The same call as a primal value elsewhere is shared (sin' = cos): the twin's own value and code.
    const twin = UNARY[d.twin];
    const twinCode = twin.code(0);
    const inline = twinCode.kind === 'call' ? twinCode.value : undefined;
    const partial = x.map((s) => {
      const t = b.call(twin.value, [s, lit(0)], inline);
      return d.negate ? b.sum([{ neg: t }]) : t;
    });
    return { value, partials: [diagonal(partial)] };
  }
  const derivative = (s: Sym, k: number): Sym =>
    typeof d === 'object' ? value[k] : b.call(def.derivative, [s, value[k], lit(y)], d);
  return { value, partials: [diagonal(x.map(derivative))] };
}

function lowerBinary(
  b: ProgramBuilder,
  def: BinaryDef,
  shapes: readonly Shape[],
  shape: Shape,
  ops: Sym[][],
): LoweredVertex {
  const [ia, ib] = [broadcastIndexMap(shapes[0], shape), broadcastIndexMap(shapes[1], shape)];
  const n = ia.length;
  const code = def.code;
  const x = (k: number): Sym => ops[0][ia[k]];
  const y = (k: number): Sym => ops[1][ib[k]];
  // Sums and products are plain program terms (their partials are constants or operand slots); the rest
  // are (inlined) calls of the table's functions.
  const constantPartials: readonly Sym[] = code.kind === 'sum' ? [b.constant(1), b.constant(code.sign)] : [];
  const value = Array.from({ length: n }, (_u, k) =>
    code.kind === 'sum'
      ? b.sum([x(k), code.sign === 1 ? y(k) : { neg: y(k) }])
      : code.kind === 'product'
        ? b.sum([[x(k), y(k)]])
        : b.call(def.value, [x(k), y(k)], code.value),
  );
  const entry = (which: 0 | 1, k: number): Sym => {
    if (code.kind === 'sum') return constantPartials[which];
    if (code.kind === 'product') return which === 0 ? y(k) : x(k);
    return b.call(which === 0 ? def.dx : def.dy, [x(k), y(k), value[k]], which === 0 ? code.dx : code.dy);
  };
  const partial = (which: 0 | 1): SymBlock => {
    const map = which === 0 ? ia : ib;
    return symBlockFromEntries(
      n,
      sizeOf(shapes[which]),
      Array.from({ length: n }, (_u, k) => [k, map[k], entry(which, k)] as const),
    );
  };
  return { value, partials: [partial(0), partial(1)] };
}

function lowerSelectN(b: ProgramBuilder, n: number, ops: Sym[][]): LoweredVertex {
  const [which, ...cases] = ops;
  const w = (k: number): Sym => which[which.length === 1 ? 0 : k];
  const value = Array.from({ length: n }, (_u, k) =>
    b.call(selectN, [lit(cases.length), w(k), ...cases.map((c) => c[k])]),
  );
  const partials = ops.map((_o, j) =>
    j === 0
      ? null
      : diagonal(
          Array.from({ length: n }, (_u, k) => b.call(selectMask, [lit(cases.length), lit(j - 1), w(k)])),
        ),
  );
  return { value, partials };
}

function lowerDotGeneral(
  b: ProgramBuilder,
  shapes: readonly Shape[],
  params: ParamsOf<'dot_general'>,
  ops: Sym[][],
): LoweredVertex {
  const L = dotLayout(shapes[0], shapes[1], params);
  const value: Sym[] = [];
  const lhsEntries: [number, number, Sym][] = [];
  const rhsEntries: [number, number, Sym][] = [];
  let r = 0;
  for (let bb = 0; bb < L.lhsB.length; bb++)
    for (let f = 0; f < L.lhsF.length; f++)
      for (let g = 0; g < L.rhsG.length; g++, r++) {
        const terms: [Sym, Sym][] = [];
        for (let c = 0; c < L.lhsC.length; c++) {
          const li = L.lhsB[bb] + L.lhsF[f] + L.lhsC[c];
          const ri = L.rhsB[bb] + L.rhsC[c] + L.rhsG[g];
          terms.push([ops[0][li], ops[1][ri]]);
          // ∂out/∂lhs[li] = rhs[ri] and vice versa: the partial entries are the operands' own slots.
          lhsEntries.push([r, li, ops[1][ri]]);
          rhsEntries.push([r, ri, ops[0][li]]);
        }
        value.push(b.sum(terms));
      }
  return {
    value,
    partials: [
      symBlockFromEntries(r, sizeOf(shapes[0]), lhsEntries),
      symBlockFromEntries(r, sizeOf(shapes[1]), rhsEntries),
    ],
  };
}

function lowerReduce(
  b: ProgramBuilder,
  combine: 'sum' | 'max' | 'min',
  shape: Shape,
  axes: readonly number[],
  x: Sym[],
): LoweredVertex {
  const kept = axisOffsets(shape, complementAxes(shape.length, axes));
  const red = axisOffsets(shape, axes);
  const value: Sym[] = [];
  const entries: [number, number, Sym][] = [];
  for (let o = 0; o < kept.length; o++) {
    const slice = Array.from(red, (j) => x[kept[o] + j]);
    if (combine === 'sum') {
      value.push(b.sum(slice));
      red.forEach((j) => entries.push([o, kept[o] + j, b.constant(1)]));
    } else {
      // The arg-max indicator split over ties, as the interpreter's partial rule.
      const out = b.call(combine === 'max' ? Math.max : Math.min, slice);
      value.push(out);
      const t = b.call(ties, [out, ...slice]);
      red.forEach((j) => entries.push([o, kept[o] + j, b.call(tieShare, [x[kept[o] + j], out, t])]));
    }
  }
  return { value, partials: [symBlockFromEntries(kept.length, sizeOf(shape), entries)] };
}

/** Data movement: the interpreter's 0/1 selection blocks say which operand element each output copies. */
function lowerSelection(v: Vertex, shapes: readonly Shape[], ops: Sym[][]): LoweredVertex {
  const blocks = selectionBlocks(v, shapes);
  const value = new Array<Sym>(sizeOf(v.shape));
  blocks.forEach((block, k) => {
    if (!block) return;
    for (let row = 0; row < block.rows; row++)
      for (let p = block.rowPtr[row]; p < block.rowPtr[row + 1]; p++) value[row] = ops[k][block.colIdx[p]];
  });
  const partials = blocks.map((block) =>
    block
      ? {
          rows: block.rows,
          cols: block.cols,
          rowPtr: block.rowPtr,
          colIdx: block.colIdx,
          structural: true,
          syms: null,
        }
      : null,
  );
  return { value, partials };
}
