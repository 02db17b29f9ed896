import { nodeOfOperand, type Graph, type Operand, type Vertex } from '../graph/graph.js';
import type { UnaryPrimitive, BinaryPrimitive, ComparisonPrimitive } from '../graph/primitive.js';
import { broadcastIndexMap, sizeOf } from '../graph/shape.js';
import { binaryMath, unaryMath } from '../primitives/elementwise.js';
import { axisOffsets, complementAxes } from '../primitives/index-maps.js';
import { dotLayout, ruleOf } from '../primitives/rules.js';
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
const COMPARE: { [P in ComparisonPrimitive]: Fn } = {
  eq: (x, y) => (x === y ? 1 : 0),
  ne: (x, y) => (x !== y ? 1 : 0),
  lt: (x, y) => (x < y ? 1 : 0),
  le: (x, y) => (x <= y ? 1 : 0),
  gt: (x, y) => (x > y ? 1 : 0),
  ge: (x, y) => (x >= y ? 1 : 0),
};
const caseOf = (w: number, n: number): number => Math.min(n - 1, Math.max(0, Math.trunc(w)));
const selectN: Fn = (n, w, ...cases) => cases[caseOf(w, n)];
const selectMask: Fn = (n, k, w) => (caseOf(w, n) === k ? 1 : 0);
const ties: Fn = (out, ...xs) => xs.reduce((t, x) => t + (x === out ? 1 : 0), 0);
const share: Fn = (x, out, t) => (x === out ? 1 / t : 0);
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

function lowerVertex(
  b: ProgramBuilder,
  graph: Graph,
  v: Vertex,
  ops: Sym[][],
): { value: Sym[]; partials: (SymBlock | null)[] } {
  const n = sizeOf(v.shape);
  const shapes = v.operands.map((op) =>
    op.kind === 'literal'
      ? op.value.shape
      : op.kind === 'input'
        ? graph.inputs[op.index].shape
        : graph.vertices[op.id - 1].shape,
  );
  const diag = (syms: Sym[]): SymBlock =>
    symBlockFromEntries(
      n,
      n,
      syms.map((s, k) => [k, k, s] as const),
    );
  switch (v.primitive) {
    case 'neg':
    case 'abs':
    case 'exp':
    case 'log':
    case 'log1p':
    case 'sin':
    case 'cos':
    case 'tan':
    case 'asin':
    case 'acos':
    case 'atan':
    case 'sinh':
    case 'cosh':
    case 'tanh':
    case 'asinh':
    case 'acosh':
    case 'atanh':
    case 'sqrt':
    case 'rsqrt':
    case 'logistic':
    case 'erf':
    case 'square':
    case 'integer_pow': {
      const y = v.primitive === 'integer_pow' ? v.params.y : 0;
      const x = ops[0];
      const math = unaryMath[v.primitive as UnaryPrimitive];
      const value = x.map((s) => b.call(math.value, [s, lit(y)]));
      return { value, partials: [diag(x.map((s, k) => b.call(math.derivative, [s, value[k], lit(y)])))] };
    }
    case 'add':
    case 'add_any':
    case 'sub':
    case 'mul':
    case 'div':
    case 'pow':
    case 'atan2':
    case 'max':
    case 'min': {
      const p = v.primitive as BinaryPrimitive;
      const [ia, ib] = [broadcastIndexMap(shapes[0], v.shape), broadcastIndexMap(shapes[1], v.shape)];
      const math = binaryMath[p];
      const value = Array.from({ length: n }, (_u, k) => b.call(math.value, [ops[0][ia[k]], ops[1][ib[k]]]));
      const partial = (which: 0 | 1): SymBlock => {
        const d = which === 0 ? math.dx : math.dy;
        const map = which === 0 ? ia : ib;
        return symBlockFromEntries(
          n,
          sizeOf(shapes[which]),
          Array.from(
            { length: n },
            (_u, k) => [k, map[k], b.call(d, [ops[0][ia[k]], ops[1][ib[k]], value[k]])] as const,
          ),
        );
      };
      return { value, partials: [partial(0), partial(1)] };
    }
    case 'eq':
    case 'ne':
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge': {
      const [ia, ib] = [broadcastIndexMap(shapes[0], v.shape), broadcastIndexMap(shapes[1], v.shape)];
      const f = COMPARE[v.primitive as ComparisonPrimitive];
      return {
        value: Array.from({ length: n }, (_u, k) => b.call(f, [ops[0][ia[k]], ops[1][ib[k]]])),
        partials: [null, null],
      };
    }
    case 'stop_gradient':
      return { value: ops[0], partials: [null] };
    case 'select_n': {
      const [which, ...cases] = ops;
      const w = (k: number): Sym => which[which.length === 1 ? 0 : k];
      const value = Array.from({ length: n }, (_u, k) =>
        b.call(selectN, [lit(cases.length), w(k), ...cases.map((c) => c[k])]),
      );
      const partials = ops.map((_o, j) =>
        j === 0
          ? null
          : diag(
              Array.from({ length: n }, (_u, k) => b.call(selectMask, [lit(cases.length), lit(j - 1), w(k)])),
            ),
      );
      return { value, partials };
    }
    case 'dot_general': {
      const L = dotLayout(shapes[0], shapes[1], v.params);
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
          symBlockFromEntries(n, sizeOf(shapes[0]), lhsEntries),
          symBlockFromEntries(n, sizeOf(shapes[1]), rhsEntries),
        ],
      };
    }
    case 'reduce_sum':
    case 'reduce_max':
    case 'reduce_min': {
      const axes = v.params.axes;
      const kept = axisOffsets(shapes[0], complementAxes(shapes[0].length, axes));
      const red = axisOffsets(shapes[0], axes);
      const x = ops[0];
      const value: Sym[] = [];
      const entries: [number, number, Sym][] = [];
      for (let o = 0; o < kept.length; o++) {
        const slice = Array.from(red, (j) => x[kept[o] + j]);
        if (v.primitive === 'reduce_sum') {
          value.push(b.sum(slice));
          red.forEach((j) => entries.push([o, kept[o] + j, b.constant(1)]));
        } else {
          const out = b.call(v.primitive === 'reduce_max' ? Math.max : Math.min, slice);
          value.push(out);
          const t = b.call(ties, [out, ...slice]);
          red.forEach((j) => entries.push([o, kept[o] + j, b.call(share, [x[kept[o] + j], out, t])]));
        }
      }
      return { value, partials: [symBlockFromEntries(kept.length, sizeOf(shapes[0]), entries)] };
    }
    default: {
      // Data movement: the interpreter's 0/1 selection blocks say which operand element each output copies.
      const blocks = ruleOf(v.primitive).partials({
        params: v.params as never,
        operandShapes: shapes,
        shape: v.shape,
        operands: null,
        out: null,
        wants: ops.map(() => true),
      });
      const value = new Array<Sym>(n);
      blocks.forEach((block, k) => {
        if (!block) return;
        for (let row = 0; row < block.rows; row++)
          for (let p = block.rowPtr[row]; p < block.rowPtr[row + 1]; p++)
            value[row] = ops[k][block.colIdx[p]];
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
  }
}
