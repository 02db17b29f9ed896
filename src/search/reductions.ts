import { nodeOfVertex, outputVertexIds, type VertexId } from '../graph/graph.js';
import type { SearchProblem } from './problem.js';

/**
 * Proven reductions of the elimination game that exact search applies (scalar and order-independent
 * models). Each comes with its proof; the tests compare the optimum with and without them.
 */

/**
 * Groups of eliminable vertices that never interact: connected components of the graph induced on the
 * eliminable vertices. Eliminating a vertex only changes the edges of its neighbours, and those stay in
 * its group, so each group's costs do not depend on what happens in the others: the optimum is the sum
 * of the groups' optima, each found alone.
 */
export function independentComponents(problem: SearchProblem): VertexId[][] {
  const { graph } = problem;
  const eliminable = new Set(problem.eliminable);
  const parent = new Map<VertexId, VertexId>();
  const find = (v: VertexId): VertexId => {
    let r = v;
    while (parent.get(r) !== r) r = parent.get(r) as VertexId;
    parent.set(v, r);
    return r;
  };
  for (const v of eliminable) parent.set(v, v);
  for (const v of graph.vertices) {
    if (!eliminable.has(v.id)) continue;
    for (const op of v.operands) {
      if (op.kind === 'vertex' && eliminable.has(op.id)) parent.set(find(op.id), find(v.id));
    }
  }
  const groups = new Map<VertexId, VertexId[]>();
  for (const v of problem.eliminable) {
    const r = find(v);
    groups.set(r, [...(groups.get(r) ?? []), v]);
  }
  return [...groups.values()];
}

/**
 * Disjoint pairs [x, y] of false twins among `verts`: eliminable vertices that are not outputs, touch no
 * copy (structural) edge, and have the same predecessors and the same successors (so they are not
 * adjacent). Exact search may then eliminate y right after x and never otherwise (Bentert et al. 2025,
 * arXiv 2506.17521, show twins can be eliminated consecutively; the proof below is ours, for this cost).
 *
 * Notation: N_E(v) = the neighbours of v after the set E is eliminated, i.e. the nodes joined to v by a
 * path whose inner nodes lie in E; eliminating v at E costs |Preds_E(v)|·|Succs_E(v)| here, and the state
 * depends only on E (order independence).
 * (a) Twins stay twins: a path into x ends with an original predecessor of x, which is one of y too.
 *     Neither is ever a neighbour of the other (x → s → … → y with s a successor of y is a cycle), so
 *     eliminating x does not change N(y).
 * (b) Take any order α x β y γ. Compare it with B = α β x y γ and C = α x y β γ (γ costs the same in all
 *     three: same set eliminated before it). Let c0 = cost of x (= of y) after α and c' = cost of y after
 *     α β (= of x or y there in B, by (a)). For a vertex z of β that has the twins among its predecessors
 *     (the successor case is symmetric, other z cost the same in all three), with s = |Succs(z)|, at z's
 *     turn: in A, Preds(z) is B's with x replaced by x's predecessors, |·| = p + d with d ≥ −1; in C it is
 *     A's without y, p + d − 1. So A − B = d·s and A − C = s for z, and in total
 *       A − B = c0 − c' + Σ d·s,   A − C = c' − c0 + Σ s,   so 2A − B − C = Σ (d + 1)·s ≥ 0.
 *     Hence min(B, C) ≤ A: some order at least as cheap has x and y adjacent.
 * (c) Swapping x and y maps the game to itself, so x may come first. Making one pair adjacent only moves
 *     x or y next to its twin, which never separates another adjacent pair: all pairs at once are fine.
 * (d) The other rules keep this: a zero-cost vertex moved to the front of the rest never lands between x
 *     and y, because the search never stops between them.
 */
export function falseTwinPairs(
  problem: SearchProblem,
  verts: readonly VertexId[],
  usable: (v: VertexId) => boolean,
): [VertexId, VertexId][] {
  if (problem.engine !== 'bitset' && problem.engine !== 'sparse') return [];
  const { graph } = problem;
  const state = problem.initial();
  const outputs = outputVertexIds(graph);
  const classes = new Map<string, VertexId[]>();
  for (const v of verts) {
    // Only where the cost is |preds|·|succs| (no free copy edge at v); zero-cost vertices are forced anyway.
    if (outputs.has(v) || !usable(v)) continue;
    const node = nodeOfVertex(graph, v);
    const preds = state.predecessors(node);
    const succs = state.successors(node);
    if (preds.length === 0 || succs.length === 0) continue;
    const key = `${preds.join(',')}|${succs.join(',')}`;
    classes.set(key, [...(classes.get(key) ?? []), v]);
  }
  const pairs: [VertexId, VertexId][] = [];
  for (const members of classes.values())
    for (let k = 0; k + 1 < members.length; k += 2) pairs.push([members[k], members[k + 1]]);
  return pairs;
}
