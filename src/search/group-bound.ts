import type { VertexId } from '../graph/graph.js';
import type { SearchProblem } from './problem.js';
import { boundVertices, vertexCutBounds } from './lower-bound.js';
import { CutFlow, permanentCutBound, type BoundVertices } from './state-bound.js';

/**
 * A stronger bound for small groups of adjacent vertices (scalar graphs), fixed for a whole search.
 *
 * For a vertex x and a set S of other vertices write a_S(x) = in_S(x)·out_S(x), x's vertex cuts to the
 * inputs and to the outputs on the graph with S eliminated. Cuts never shrink as vertices are eliminated
 * (state-bound.ts, (2)), so once S is eliminated x costs at least a_S(x), whenever it goes. For a group G
 * with the members R still to be eliminated (G \ R gone),
 *   T(∅) = 0,   T(R) = min over x in R of a_{G∖R}(x) + T(R ∖ {x}).
 * Admissible: of R, some x goes first, after all of G ∖ R, and pays at least a_{G∖R}(x); the rest of R
 * then pays at least T(R ∖ {x}) (induction). Where eliminating one member raises another's cuts (u with
 * many predecessors feeding v with many successors: 3 + 3 alone, 12 as a pair) T exceeds the sum of the
 * members' own bounds.
 *
 * The groups are disjoint, so their terms add up. In a state E, a group with remaining members R has the
 * term max(T(R), Σ_{x∈R} lb(x)), where lb is the per-vertex bound the search uses (static or per-state
 * cuts, raised by permanent degrees; each valid at E and never shrinking). Consistency, h(E) ≤ cost of the
 * next move u + h(E ∪ {u}): only u's group changes. If its term was T(R), then T(R) ≤ a_{G∖R}(u) +
 * T(R ∖ {u}) ≤ cost(u) + the new term; if it was Σ lb, then Σ_R lb − Σ_{R∖u} lb' ≤ lb(u) ≤ cost(u)
 * (lb' ≥ lb). Moves outside the groups drop only their own lb.
 */
export interface GroupBounds {
  /** Group of each search vertex (-1: none); members of a group are listed in `members`. */
  readonly groupOf: Int32Array;
  /** Bit of each vertex within its group. */
  readonly bitOf: Int32Array;
  readonly members: readonly (readonly number[])[];
  /** T per group, indexed by the bitmask of remaining members. */
  readonly table: readonly Float64Array[];
}

/** Largest group: its table needs 2^size cut computations on 2^size partially eliminated graphs. */
export const MAX_GROUP_SIZE = 4;

/**
 * Groups of adjacent search vertices (indices into `verts`) with their tables: greedily, adjacent groups
 * merge (up to maxSize) while the merge raises T of the union above the sum of the parts. `allowed[i]` is
 * false for vertices left out (copy edges, false twins, which move with their twin).
 */
export function groupBounds(
  problem: SearchProblem,
  verts: readonly VertexId[],
  bv: BoundVertices,
  allowed: readonly boolean[],
  maxSize = MAX_GROUP_SIZE,
): GroupBounds {
  const n = verts.length;
  const base = problem.initial();
  const position = new Map(bv.nodes.map((node, i) => [node, i]));
  const neighbours: number[][] = verts.map((_v, i) =>
    allowed[i]
      ? [...base.predecessors(bv.nodes[i]), ...base.successors(bv.nodes[i])]
          .map((node) => position.get(node))
          .filter((x): x is number => x !== undefined && allowed[x])
      : [],
  );
  const inFlow = new CutFlow();
  const outFlow = new CutFlow();
  // a_S(x) for every member x not in S, for every subset S of `group`: the table T by increasing masks.
  const tableOf = (group: readonly number[]): Float64Array => {
    const k = group.length;
    const full = (1 << k) - 1;
    const alone = new Float64Array((1 << k) * k); // [gone mask * k + member]
    for (let gone = 0; gone < full; gone++) {
      const state = base.clone();
      for (let b = 0; b < k; b++) if (gone & (1 << b)) state.eliminate(verts[group[b]]);
      const pred: number[][] = [];
      const succ: number[][] = [];
      for (let x = 0; x < bv.numNodes; x++) {
        pred.push(state.predecessors(x));
        succ.push(state.successors(x));
      }
      inFlow.load(pred, bv.inputs);
      outFlow.load(succ, bv.outputs);
      for (let b = 0; b < k; b++) {
        if (gone & (1 << b)) continue;
        const node = bv.nodes[group[b]];
        alone[gone * k + b] = inFlow.cut(node, bv.numNodes + 1) * outFlow.cut(node, bv.numNodes + 1);
      }
    }
    const t = new Float64Array(1 << k);
    for (let rest = 1; rest <= full; rest++) {
      let best = Infinity;
      for (let b = 0; b < k; b++)
        if (rest & (1 << b)) best = Math.min(best, alone[(full & ~rest) * k + b] + t[rest & ~(1 << b)]);
      t[rest] = best;
    }
    return t;
  };
  const groups: number[][] = [];
  const tables: Float64Array[] = [];
  const groupOf = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    if (!allowed[i]) continue;
    groupOf[i] = groups.length;
    groups.push([i]);
    tables.push(tableOf([i]));
  }
  const value = (g: number): number => tables[g][(1 << groups[g].length) - 1];
  // Merge passes: each group takes the adjacent group whose union gains most, while any merge gains.
  for (let changed = true; changed;) {
    changed = false;
    for (let g = 0; g < groups.length; g++) {
      if (groups[g].length === 0 || groups[g].length >= maxSize) continue;
      const near = new Set<number>();
      for (const x of groups[g]) for (const y of neighbours[x]) if (groupOf[y] !== g) near.add(groupOf[y]);
      let bestGain = 0;
      let best = -1;
      let bestTable: Float64Array | null = null;
      for (const h of [...near].sort((a, b) => a - b)) {
        if (groups[g].length + groups[h].length > maxSize) continue;
        const t = tableOf([...groups[g], ...groups[h]]);
        const gain = t[t.length - 1] - value(g) - value(h);
        if (gain > bestGain) {
          bestGain = gain;
          best = h;
          bestTable = t;
        }
      }
      if (best < 0 || !bestTable) continue;
      groups[g] = [...groups[g], ...groups[best]];
      for (const x of groups[best]) groupOf[x] = g;
      groups[best] = [];
      tables[g] = bestTable;
      changed = true;
    }
  }
  // Keep the groups of two or more (a singleton's term is its own bound); renumber them.
  const members: number[][] = [];
  const table: Float64Array[] = [];
  const finalGroup = new Int32Array(n).fill(-1);
  const bitOf = new Int32Array(n);
  groups.forEach((list, g) => {
    if (list.length < 2) return;
    list.forEach((x, b) => {
      finalGroup[x] = members.length;
      bitOf[x] = 1 << b;
    });
    members.push(list);
    table.push(tables[g]);
  });
  return { groupOf: finalGroup, bitOf, members, table };
}

/** No groups: h is the sum of the per-vertex bounds. */
export function noGroups(n: number): GroupBounds {
  return { groupOf: new Int32Array(n).fill(-1), bitOf: new Int32Array(n), members: [], table: [] };
}

/**
 * h of a state: Σ lb over the remaining vertices outside groups plus each group's term
 * max(T(rest), Σ_rest lb). Also fills drop[i], how much h may fall when i is eliminated next (its own lb,
 * or its group's term less the term without it), for the bounds of the children and the next-move excess.
 */
export function groupTerms(
  groups: GroupBounds,
  remaining: (i: number) => boolean,
  lbd: Float64Array,
  drop: Float64Array,
): number {
  const { groupOf, bitOf, members, table } = groups;
  let sum = 0;
  for (let i = 0; i < lbd.length; i++) {
    if (!remaining(i) || groupOf[i] >= 0) continue;
    sum += lbd[i];
    drop[i] = lbd[i];
  }
  for (let q = 0; q < members.length; q++) {
    const t = table[q];
    let rest = 0;
    let lbSum = 0;
    for (const x of members[q]) {
      if (!remaining(x)) continue;
      rest |= bitOf[x];
      lbSum += lbd[x];
    }
    if (rest === 0) continue;
    const term = Math.max(t[rest], lbSum);
    sum += term;
    for (const x of members[q])
      if (rest & bitOf[x]) drop[x] = term - Math.max(t[rest & ~bitOf[x]], lbSum - lbd[x]);
  }
  return sum;
}

/**
 * The bound exact search starts from after `eliminated` (any order): the groups' terms over static cuts
 * raised by permanent degrees (the `static` bound of exactSearch); maxSize 1 forms no groups. For tests.
 */
export function groupLowerBound(
  problem: SearchProblem,
  eliminated: readonly VertexId[],
  maxSize = MAX_GROUP_SIZE,
): number {
  const verts = problem.eliminable;
  const cuts = vertexCutBounds(problem);
  const bv = boundVertices(problem, verts, cuts);
  const groups = groupBounds(problem, verts, bv, bv.usable, maxSize);
  const state = problem.initial();
  for (const v of eliminated) state.eliminate(v);
  const gone = new Set(eliminated);
  const lbd = new Float64Array(verts.length);
  verts.forEach((v, i) => {
    lbd[i] = permanentCutBound(state, v, bv.usable[i], bv.staticIn[i], bv.staticOut[i]);
  });
  return groupTerms(groups, (i) => !gone.has(verts[i]), lbd, new Float64Array(verts.length));
}
