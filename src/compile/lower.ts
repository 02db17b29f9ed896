import { nodeOfOperand, operandShape, type Graph, type Operand, type Vertex } from '../graph/graph.js';
import type { UnaryPrimitive, BinaryPrimitive, ComparisonPrimitive } from '../graph/primitive.js';
import { broadcastIndexMap, sizeOf } from '../graph/shape.js';
import { binaryMath, unaryMath } from '../primitives/elementwise.js';
import { axisOffsets, complementAxes } from '../primitives/index-maps.js';
import { dotLayout, selectionBlocks } from '../primitives/rules.js';
import { numberLiteral, type ProgramBuilder, type Sym } from './program.js';
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
/** The table functions calls use without an inline form (besides erf and Math.max/min): standalone code writes them out. */
export const TABLE_FUNCTIONS = { selectN, selectMask, ties, share } as const;
const lit = (literal: number) => ({ literal });

/**
 * The math tables as JavaScript expressions (same formulas, so the same floating-point results): value over
 * ($0 = x, $1 = y) and derivative over ($0 = x, $1 = out, $2 = y). `null`: the derivative is the value itself;
 * none: see TWINS.
 */
const UNARY_INLINE: Partial<Record<UnaryPrimitive, readonly [string, (string | null)?]>> = {
  abs: ['Math.abs($0)', 'Math.sign($0)'],
  exp: ['Math.exp($0)', null],
  log: ['Math.log($0)', '1/$0'],
  log1p: ['Math.log1p($0)', '1/(1+$0)'],
  sin: ['Math.sin($0)'],
  cos: ['Math.cos($0)'],
  tan: ['Math.tan($0)', '1+$1*$1'],
  asin: ['Math.asin($0)', '1/Math.sqrt(1-$0*$0)'],
  acos: ['Math.acos($0)', '-1/Math.sqrt(1-$0*$0)'],
  atan: ['Math.atan($0)', '1/(1+$0*$0)'],
  sinh: ['Math.sinh($0)'],
  cosh: ['Math.cosh($0)'],
  tanh: ['Math.tanh($0)', '1-$1*$1'],
  asinh: ['Math.asinh($0)', '1/Math.sqrt($0*$0+1)'],
  acosh: ['Math.acosh($0)', '1/(Math.sqrt($0-1)*Math.sqrt($0+1))'],
  atanh: ['Math.atanh($0)', '1/(1-$0*$0)'],
  sqrt: ['Math.sqrt($0)', '0.5/$1'],
  rsqrt: ['1/Math.sqrt($0)', '(-0.5*$1)/$0'],
  logistic: ['1/(1+Math.exp(-$0))', '$1*(1-$1)'],
  square: ['$0*$0', '2*$0'],
};

/**
 * x**n for a literal n with |n| ≤ 4 as multiplications: V8 turns x**2 into x*x but calls its general pow
 * (about 35 ns, 70 multiplications' worth) for any other exponent. Same value to within an ulp or two.
 */
function power(x: string, n: number): string {
  const m = Math.abs(n);
  if (m === 0) return '1';
  if (m > 4) return `${x}**${n}`;
  const product = m === 4 ? `(${x}*${x})*(${x}*${x})` : Array.from({ length: m }, () => x).join('*');
  return n < 0 ? `1/(${product})` : `(${product})`;
}

function integerPowerInline(n: number): readonly [string, string] {
  return [power('$0', n), n === 0 ? '0' : `${numberLiteral(n)}*${power('$0', n - 1)}`];
}

/** Derivatives that are another primitive's value (negated or not). */
const TWINS: Partial<Record<UnaryPrimitive, readonly [UnaryPrimitive, boolean]>> = {
  sin: ['cos', false],
  cos: ['sin', true],
  sinh: ['cosh', false],
  cosh: ['sinh', false],
};

/** Binary math tables as expressions over ($0 = x, $1 = y, $2 = out): value, ∂/∂x, ∂/∂y. */
const BINARY_INLINE: Partial<Record<BinaryPrimitive, readonly [string, string, string]>> = {
  div: ['$0/$1', '1/$1', '-$2/$1'],
  // ∂/∂x = y·x^(y−1) is computed as y·(out/x), which saves a second pow (about 35 ns in V8, the most
  // expensive operation of most programs); where out is 0, subnormal or not finite the quotient would lose
  // accuracy, so there it falls back to the pow.
  pow: [
    '$0**$1',
    '($1===0?0:($2>1e-300||$2<-1e-300)&&$2<1e300&&$2>-1e300?$1*($2/$0):$1*$0**($1-1))',
    '($0===0?0:Math.log($0)*$2)',
  ],
  atan2: ['Math.atan2($0,$1)', '$1/($0*$0+$1*$1)', '-$0/($0*$0+$1*$1)'],
  max: ['Math.max($0,$1)', '($0===$1?0.5:$0>$1?1:0)', '($0===$1?0.5:$1>$0?1:0)'],
  min: ['Math.min($0,$1)', '($0===$1?0.5:$0<$1?1:0)', '($0===$1?0.5:$1<$0?1:0)'],
};

const COMPARE_INLINE: { [P in ComparisonPrimitive]: string } = {
  eq: '($0===$1?1:0)',
  ne: '($0!==$1?1:0)',
  lt: '($0<$1?1:0)',
  le: '($0<=$1?1:0)',
  gt: '($0>$1?1:0)',
  ge: '($0>=$1?1:0)',
};

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
  const shapes = v.operands.map((op) => operandShape(graph, op));
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
      if (v.primitive === 'neg') {
        // −x and the constant partial −1, which folding removes from every product.
        const minusOne = b.constant(-1);
        return { value: x.map((s) => b.sum([{ neg: s }])), partials: [diag(x.map(() => minusOne))] };
      }
      const math = unaryMath[v.primitive as UnaryPrimitive];
      const inline =
        v.primitive === 'integer_pow' ? integerPowerInline(y) : UNARY_INLINE[v.primitive as UnaryPrimitive];
      const value = x.map((s) => b.call(math.value, [s, lit(y)], inline?.[0]));
      // sin' = cos and cos' = −sin (likewise sinh, cosh): the same call as a primal value elsewhere is shared.
      const twin = TWINS[v.primitive as UnaryPrimitive];
      if (twin) {
        const [p, negate] = twin;
        const partial = x.map((s) => {
          const t = b.call(unaryMath[p].value, [s, lit(0)], UNARY_INLINE[p]?.[0]);
          return negate ? b.sum([{ neg: t }]) : t;
        });
        return { value, partials: [diag(partial)] };
      }
      const derivative = (s: Sym, k: number): Sym =>
        inline && inline[1] === null
          ? value[k]
          : b.call(math.derivative, [s, value[k], lit(y)], inline?.[1] ?? undefined);
      return { value, partials: [diag(x.map(derivative))] };
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
      const inline = BINARY_INLINE[p];
      const x = (k: number): Sym => ops[0][ia[k]];
      const y = (k: number): Sym => ops[1][ib[k]];
      // add, sub and mul are sums in the program (their partials are constants or operand slots); the rest
      // are (inlined) math-table calls.
      const constantPartials =
        p === 'add' || p === 'add_any' || p === 'sub'
          ? [b.constant(1), b.constant(p === 'sub' ? -1 : 1)]
          : null;
      const value = Array.from({ length: n }, (_u, k) =>
        p === 'add' || p === 'add_any'
          ? b.sum([x(k), y(k)])
          : p === 'sub'
            ? b.sum([x(k), { neg: y(k) }])
            : p === 'mul'
              ? b.sum([[x(k), y(k)]])
              : b.call(math.value, [x(k), y(k)], inline?.[0]),
      );
      const entry = (which: 0 | 1, k: number): Sym => {
        if (constantPartials) return constantPartials[which];
        if (p === 'mul') return which === 0 ? y(k) : x(k);
        return b.call(which === 0 ? math.dx : math.dy, [x(k), y(k), value[k]], inline?.[which + 1]);
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
    case 'eq':
    case 'ne':
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge': {
      const [ia, ib] = [broadcastIndexMap(shapes[0], v.shape), broadcastIndexMap(shapes[1], v.shape)];
      const f = COMPARE[v.primitive as ComparisonPrimitive];
      return {
        value: Array.from({ length: n }, (_u, k) =>
          b.call(f, [ops[0][ia[k]], ops[1][ib[k]]], COMPARE_INLINE[v.primitive as ComparisonPrimitive]),
        ),
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
      const blocks = selectionBlocks(v, shapes);
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
