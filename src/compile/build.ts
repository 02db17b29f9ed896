import { validateOrder } from '../elimination/order.js';
import {
  nodeOfVertex,
  operandShape,
  outputVertexIds,
  type Graph,
  type Operand,
  type VertexId,
} from '../graph/graph.js';
import { sizeOf } from '../graph/shape.js';
import { lowerGraph, type LoweredGraph } from './lower.js';
import {
  eliminateDeadCode,
  FULL_FOLDING,
  ProgramBuilder,
  type FoldOptions,
  type JacobianEntry,
  type Program,
  type Sym,
  type Term,
} from './program.js';
import { addSym, multiplySym, type SymBlock } from './sym-block.js';

/** Slots of an output operand's elements. */
function outputSlots(b: ProgramBuilder, low: LoweredGraph, op: Operand): Sym[] {
  if (op.kind === 'input') return low.inputs[op.index];
  if (op.kind === 'vertex') return low.values[op.id - 1];
  return Array.from(op.value.data, (x) => b.constant(x));
}

function finish(
  b: ProgramBuilder,
  graph: Graph,
  low: LoweredGraph,
  jacobian: JacobianEntry[],
  multiplications: number,
  derivativeFrom: Sym,
): Program {
  return eliminateDeadCode({
    derivativeFrom,
    numSyms: b.numSyms,
    constants: b.constants,
    fns: b.fns,
    inputs: low.inputs,
    instrs: b.instrs,
    outputs: graph.outputs.map((op) => outputSlots(b, low, op)),
    jacobian,
    multiplications,
  });
}

/**
 * The program of one elimination order: primal values, local partials, then the eliminations exactly as
 * the block engine performs them (one multiplication per pair of valued entries), then the final blocks.
 * Unfolded, its multiplications are the native model's count; folded (the default), products with ±1 and
 * 0 are removed while the code is generated.
 */
export function buildEliminationProgram(
  graph: Graph,
  order: readonly VertexId[],
  fold: FoldOptions = FULL_FOLDING,
): Program {
  validateOrder(graph, order);
  const b = new ProgramBuilder(fold);
  const low = lowerGraph(b, graph);
  b.multiplications = 0;
  const derivativeFrom = b.numSyms;
  const numNodes = graph.inputs.length + graph.vertices.length;
  const preds = Array.from({ length: numNodes }, () => new Map<number, SymBlock>());
  const succs = Array.from({ length: numNodes }, () => new Set<number>());
  low.local.forEach((edges, k) => {
    for (const { source, block } of edges) {
      preds[graph.inputs.length + k].set(source, block);
      succs[source].add(graph.inputs.length + k);
    }
  });
  const outputs = new Set([...outputVertexIds(graph)].map((id) => nodeOfVertex(graph, id)));
  for (const id of order) {
    const v = nodeOfVertex(graph, id);
    for (const w of succs[v]) {
      const post = preds[w].get(v) as SymBlock;
      for (const [u, pre] of preds[v]) {
        const product = multiplySym(b, post, pre);
        const existing = preds[w].get(u);
        preds[w].set(u, existing ? addSym(b, existing, product) : product);
        succs[u].add(w);
      }
      preds[w].delete(v);
    }
    succs[v].clear();
    if (!outputs.has(v)) {
      for (const u of preds[v].keys()) succs[u].delete(v);
      preds[v].clear();
    }
  }
  const multiplications = b.multiplications;
  // Only the blocks that exist are visited: an output's in-edges after elimination come from inputs.
  const jacobian: JacobianEntry[] = [];
  graph.outputs.forEach((out, i) => {
    if (out.kind === 'vertex') {
      const inEdges = [...preds[nodeOfVertex(graph, out.id)]].sort((x, y) => x[0] - y[0]);
      for (const [j, block] of inEdges) {
        const n = sizeOf(graph.inputs[j].shape);
        for (let r = 0; r < block.rows; r++) {
          for (let p = block.rowPtr[r]; p < block.rowPtr[r + 1]; p++)
            jacobian.push([i, j, r * n + block.colIdx[p], block.syms ? block.syms[p] : b.constant(1)]);
        }
      }
    } else if (out.kind === 'input') {
      const n = sizeOf(graph.inputs[out.index].shape);
      for (let e = 0; e < n; e++) jacobian.push([i, out.index, e * n + e, b.constant(1)]);
    }
  });
  return finish(b, graph, low, jacobian, multiplications, derivativeFrom);
}

/**
 * Compiled tape-based forward or reverse mode, the baselines that isolate the effect of the order:
 * forward = one dense tangent sweep per input element, reverse = one dense adjoint sweep per output
 * element, through the same local partials; zero tangents and adjoints are multiplied like any other.
 */
export function buildTapeProgram(
  graph: Graph,
  mode: 'forward' | 'reverse',
  fold: FoldOptions = FULL_FOLDING,
): Program {
  // Zeros are never folded here: the baselines stay dense sweeps.
  const b = new ProgramBuilder({ ones: fold.ones, zeros: false });
  const low = lowerGraph(b, graph);
  b.multiplications = 0;
  const derivativeFrom = b.numSyms;
  const ni = graph.inputs.length;
  const zero = b.constant(0);
  const one = b.constant(1);
  const jacobian: JacobianEntry[] = [];
  const outShapes = graph.outputs.map((op) => operandShape(graph, op));
  const inSizes = graph.inputs.map((inp) => sizeOf(inp.shape));
  const valueTerm = (block: SymBlock, p: number, other: Sym): Term =>
    block.syms ? [block.syms[p], other] : other;

  if (mode === 'forward') {
    graph.inputs.forEach((_inp, j) => {
      for (let e = 0; e < inSizes[j]; e++) {
        // Tangents of every node for the direction "input j, element e".
        const tangents: Sym[][] = graph.inputs.map((_x, k) =>
          Array.from({ length: inSizes[k] }, (_u, m) => (k === j && m === e ? one : zero)),
        );
        low.local.forEach((edges, k) => {
          const size = sizeOf(graph.vertices[k].shape);
          const rows: Term[][] = Array.from({ length: size }, () => []);
          for (const { source, block } of edges) {
            for (let r = 0; r < block.rows; r++) {
              for (let p = block.rowPtr[r]; p < block.rowPtr[r + 1]; p++)
                rows[r].push(valueTerm(block, p, tangents[source][block.colIdx[p]]));
            }
          }
          tangents.push(rows.map((terms) => b.sum(terms)));
        });
        graph.outputs.forEach((op, i) => {
          const t =
            op.kind === 'literal'
              ? op.value.data.map(() => zero)
              : tangents[op.kind === 'input' ? op.index : ni + op.id - 1];
          const n = inSizes[j];
          Array.from(t).forEach((s, r) => jacobian.push([i, j, r * n + e, s]));
        });
      }
    });
  } else {
    graph.outputs.forEach((out, i) => {
      for (let r0 = 0; r0 < sizeOf(outShapes[i]); r0++) {
        // Adjoint contributions per node element, summed when the node is reached in reverse order.
        const contributions: Term[][][] = [
          ...graph.inputs.map((x) => x.shape),
          ...graph.vertices.map((v) => v.shape),
        ].map((s) => Array.from({ length: sizeOf(s) }, () => []));
        if (out.kind !== 'literal')
          contributions[out.kind === 'input' ? out.index : ni + out.id - 1][r0].push(one);
        for (let k = graph.vertices.length - 1; k >= 0; k--) {
          const adjoint = contributions[ni + k].map((terms) => b.sum(terms));
          for (const { source, block } of low.local[k]) {
            for (let r = 0; r < block.rows; r++) {
              for (let p = block.rowPtr[r]; p < block.rowPtr[r + 1]; p++)
                contributions[source][block.colIdx[p]].push(valueTerm(block, p, adjoint[r]));
            }
          }
        }
        graph.inputs.forEach((_x, j) => {
          contributions[j].forEach((terms, c) => jacobian.push([i, j, r0 * inSizes[j] + c, b.sum(terms)]));
        });
      }
    });
  }
  return finish(b, graph, low, jacobian, b.multiplications, derivativeFrom);
}
