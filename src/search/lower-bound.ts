import { localJacobians } from '../evaluate/linearize.js';
import { nodeOfVertex, outputVertexIds, type VertexId } from '../graph/graph.js';
import type { SearchProblem } from './problem.js';
import { StateBound, type BoundVertices } from './state-bound.js';

/**
 * Static per-vertex lower bounds on what eliminating a vertex can ever cost, for the bitset engine
 * (scalar graphs): whenever v is eliminated, its predecessors separate it from the inputs and its
 * successors separate it from the outputs, and eliminations never shrink these vertex cuts, so
 * cost(v) ≥ mincut(inputs → v) · mincut(v → outputs) at any time. Vertices with a structural (free) edge
 * get 0: their free edges do not count. Tensor graphs get 0 everywhere (a product of two non-empty
 * blocks can cost nothing when their patterns do not meet).
 */
export function vertexLowerBounds(problem: SearchProblem): Map<VertexId, number> {
  const bounds = new Map<VertexId, number>();
  for (const [v, c] of vertexCutBounds(problem)) bounds.set(v, c.usable ? c.in * c.out : 0);
  return bounds;
}

/** The two cut sizes behind vertexLowerBounds; `usable` is false where no bound applies (free edges, tensors). */
export interface CutBound {
  readonly in: number;
  readonly out: number;
  readonly usable: boolean;
}

export function vertexCutBounds(problem: SearchProblem): Map<VertexId, CutBound> {
  const bounds = new Map<VertexId, CutBound>();
  if (problem.engine !== 'bitset' && problem.engine !== 'sparse') {
    for (const v of problem.eliminable) bounds.set(v, { in: 0, out: 0, usable: false });
    return bounds;
  }
  const { graph } = problem;
  const n = graph.inputs.length + graph.vertices.length;
  const succ: number[][] = Array.from({ length: n }, () => []);
  const pred: number[][] = Array.from({ length: n }, () => []);
  const hasStructural = new Uint8Array(n);
  localJacobians(graph, null).forEach((edges, k) => {
    const w = graph.inputs.length + k;
    for (const { source, block } of edges) {
      succ[source].push(w);
      pred[w].push(source);
      if (block.structural) hasStructural[source] = hasStructural[w] = 1;
    }
  });
  const inputs = graph.inputs.map((_i, k) => k);
  const outputs = [...outputVertexIds(graph)].map((id) => nodeOfVertex(graph, id));
  for (const v of problem.eliminable) {
    const node = nodeOfVertex(graph, v);
    if (hasStructural[node]) {
      bounds.set(v, { in: 0, out: 0, usable: false });
      continue;
    }
    // Outputs kept by a vo vertex do not separate it from the outputs: v itself is one.
    const down = outputs.includes(node)
      ? minVertexCut(
          succ,
          node,
          outputs.filter((o) => o !== node),
        )
      : minVertexCut(succ, node, outputs);
    bounds.set(v, { in: minVertexCut(pred, node, inputs), out: down, usable: true });
  }
  return bounds;
}

/**
 * Minimum number of nodes (other than `from`) whose removal disconnects `from` from every node of
 * `targets`, following `adj`; target nodes themselves may be cut. Unit-capacity max-flow on split nodes.
 */
export function minVertexCut(
  adj: readonly (readonly number[])[],
  from: number,
  targets: readonly number[],
): number {
  const n = adj.length;
  const isTarget = new Uint8Array(n);
  for (const t of targets) isTarget[t] = 1;
  // Node x has an in-copy 2x and an out-copy 2x+1 joined by a unit arc; `from` starts at its out-copy.
  // Residual capacities live in a map keyed by arc; the sink is reached from any target's out-copy.
  const SINK = 2 * n;
  const cap = new Map<number, number>();
  const key = (a: number, b: number): number => a * (2 * n + 1) + b;
  const arcs: number[][] = Array.from({ length: 2 * n + 1 }, () => []);
  const addArc = (a: number, b: number, c: number): void => {
    if (!cap.has(key(a, b))) {
      arcs[a].push(b);
      arcs[b].push(a);
    }
    cap.set(key(a, b), (cap.get(key(a, b)) ?? 0) + c);
    if (!cap.has(key(b, a))) cap.set(key(b, a), 0);
  };
  for (let x = 0; x < n; x++) {
    if (x !== from) addArc(2 * x, 2 * x + 1, 1);
    for (const y of adj[x]) if (y !== from) addArc(2 * x + 1, 2 * y, n + 1);
    if (isTarget[x] && x !== from) addArc(2 * x + 1, SINK, n + 1);
  }
  let flow = 0;
  const source = 2 * from + 1;
  for (;;) {
    const parent = new Int32Array(2 * n + 1).fill(-1);
    parent[source] = source;
    const queue = [source];
    for (let qi = 0; qi < queue.length && parent[SINK] < 0; qi++) {
      const a = queue[qi];
      for (const b of arcs[a]) {
        if (parent[b] < 0 && (cap.get(key(a, b)) ?? 0) > 0) {
          parent[b] = a;
          queue.push(b);
        }
      }
    }
    if (parent[SINK] < 0) return flow;
    for (let b = SINK; b !== source; b = parent[b]) {
      const a = parent[b];
      cap.set(key(a, b), (cap.get(key(a, b)) as number) - 1);
      cap.set(key(b, a), (cap.get(key(b, a)) as number) + 1);
    }
    flow++;
  }
}

/** The fixed inputs of the per-state bound (state-bound.ts) for the search vertices `verts`. */
export function boundVertices(
  problem: SearchProblem,
  verts: readonly VertexId[],
  cuts: ReadonlyMap<VertexId, CutBound> = vertexCutBounds(problem),
): BoundVertices {
  const { graph } = problem;
  return {
    nodes: verts.map((v) => nodeOfVertex(graph, v)),
    usable: verts.map((v) => cuts.get(v)?.usable ?? false),
    staticIn: verts.map((v) => cuts.get(v)?.in ?? 0),
    staticOut: verts.map((v) => cuts.get(v)?.out ?? 0),
    inputs: graph.inputs.map((_x, k) => k),
    outputs: [...outputVertexIds(graph)].map((id) => nodeOfVertex(graph, id)),
    numNodes: graph.inputs.length + graph.vertices.length,
  };
}

/**
 * The per-state bound after eliminating `eliminated` (in that order): Σ over the other eliminable vertices
 * of mincut(inputs → v) · mincut(v → outputs) on the partially eliminated graph. Admissible: the rest of
 * any order costs at least this much (proof in state-bound.ts).
 */
export function stateLowerBound(problem: SearchProblem, eliminated: readonly VertexId[]): number {
  const state = problem.initial();
  for (const v of eliminated) state.eliminate(v);
  const gone = new Set(eliminated);
  const verts = problem.eliminable;
  const out = new Float64Array(verts.length);
  new StateBound(boundVertices(problem, verts)).compute(
    state,
    (i) => !gone.has(verts[i]),
    verts.map(() => -1),
    out,
  );
  return verts.reduce((s, v, i) => s + (gone.has(v) ? 0 : out[i]), 0);
}
