import { eliminableVertices, isScalarGraph, type Graph, type VertexId } from '../graph/graph.js';
import { localJacobians } from '../evaluate/linearize.js';
import { MinHeap } from '../util/heap.js';
import { countOrder } from './count.js';
import { SparseScalarEngine } from './sparse-engine.js';

/**
 * Greedy vertex-elimination heuristics (the catalogue of Angel/OpenAD, field-anchors.md): repeatedly
 * eliminate the vertex of smallest score, ties to the lowest id unless the rule says otherwise.
 * - `markowitz`: |preds|·|succs| (every adjacent node counts), the classical rule;
 * - `markowitz-reverse`: the same, ties to the highest id (Markowitz then reverse);
 * - `cost`: what the elimination costs now (valued edges only);
 * - `vlr`: relative Markowitz, |preds|·|succs| − |input preds|·|pure-output succs| (edges to independents and
 *   dependents, which no elimination removes, are discounted);
 * - `fill-in`: the number of new edges the elimination creates.
 */
export const HEURISTICS = ['markowitz', 'markowitz-reverse', 'cost', 'vlr', 'fill-in'] as const;
export type HeuristicName = (typeof HEURISTICS)[number];

type Score = (engine: SparseScalarEngine, id: VertexId) => number;

const SCORES: { [H in HeuristicName]: Score } = {
  markowitz: (e, id) => e.markowitzDegree(id),
  'markowitz-reverse': (e, id) => e.markowitzDegree(id),
  cost: (e, id) => e.eliminationCost(id),
  vlr: (e, id) => {
    const [inputs, outputs] = e.permanentDegrees(id);
    return e.markowitzDegree(id) - inputs * outputs;
  },
  'fill-in': (e, id) => fillIn(e, e.numInputs + id - 1),
};

/** Edges u→w, u a predecessor and w a successor of `node`, that do not exist yet. */
function fillIn(e: SparseScalarEngine, node: number): number {
  let missing = 0;
  const succs = e.successors(node);
  for (const u of e.predecessors(node)) for (const w of succs) if (!e.hasEdge(u, w)) missing++;
  return missing;
}

/**
 * A tie-break chain (Angel's heuristic_pair_t / heuristic_triplet_t): minimise `scores[0]`, break its ties
 * by `scores[1]`, …, and the remaining ties by vertex id, lowest first or (reverse) highest first.
 */
export interface HeuristicChain {
  readonly name: string;
  readonly scores: readonly ChainScore[];
  readonly reverse: boolean;
}
export type ChainScore = Exclude<HeuristicName, 'markowitz-reverse'>;

const CHAIN_SCORES: readonly ChainScore[] = ['markowitz', 'vlr', 'fill-in', 'cost'];

/**
 * Every chain of one or two of the scores with forward or reverse id ties, except the plain heuristics
 * (HEURISTICS holds those): cheap extra starting orders for search, as Angel chains its heuristics.
 */
export const HEURISTIC_CHAINS: readonly HeuristicChain[] = CHAIN_SCORES.flatMap((first) =>
  [[first], ...CHAIN_SCORES.filter((s) => s !== first).map((second) => [first, second])].flatMap((scores) =>
    [false, true].map((reverse) => ({
      name: [...scores, ...(reverse ? ['reverse'] : [])].join('>'),
      scores,
      reverse,
    })),
  ),
).filter((c) => !(c.scores.length === 1 && (!c.reverse || c.scores[0] === 'markowitz')));

/** Scores of a chain fold into one number, the first weighing 2^24 times more (exact while it is below 2^29). */
const CHAIN_BASE = 2 ** 24;

/**
 * The greedy loop on a priority queue: scores live in a lazy-deletion heap keyed (score, tiebreak), and after
 * each elimination only the vertices whose score can have changed are re-scored: the neighbours of the
 * eliminated vertex for degree-based rules (eliminating v changes only the adjacency of v's neighbours), and
 * also their neighbours for fill-in (a new edge u→w changes the fill-in of every common neighbour of u and w).
 * Each step costs O(Δ log V) (O(Δ³ log V) for fill-in) for the maximum degree Δ met, so an order costs
 * O((V + E) log V) on graphs of bounded degree. Same result as a full argmin scan with the same ties.
 */
export function greedyHeuristicOrder(
  graph: Graph,
  name: HeuristicName,
  engine: SparseScalarEngine = SparseScalarEngine.fromGraph(graph, localJacobians(graph, null)),
): { order: VertexId[]; multiplications: number } {
  const chain: HeuristicChain =
    name === 'markowitz-reverse'
      ? { name, scores: ['markowitz'], reverse: true }
      : { name, scores: [name], reverse: false };
  return chainedHeuristicOrder(graph, chain, engine);
}

/** The greedy loop of greedyHeuristicOrder for a tie-break chain. */
export function chainedHeuristicOrder(
  graph: Graph,
  chain: HeuristicChain,
  engine: SparseScalarEngine = SparseScalarEngine.fromGraph(graph, localJacobians(graph, null)),
): { order: VertexId[]; multiplications: number } {
  const parts = chain.scores.map((s) => SCORES[s]);
  const score: Score =
    parts.length === 1
      ? parts[0]
      : (e, id) => parts.reduce((key, part) => key * CHAIN_BASE + Math.min(part(e, id), CHAIN_BASE - 1), 0);
  const tie = chain.reverse ? (id: VertexId) => -id : (id: VertexId) => id;
  const twoHops = chain.scores.includes('fill-in');
  const ni = graph.inputs.length;
  const eliminable = new Uint8Array(graph.vertices.length + 1);
  const current = new Float64Array(graph.vertices.length + 1);
  const heap = new MinHeap();
  for (const id of eliminableVertices(graph)) {
    eliminable[id] = 1;
    current[id] = score(engine, id);
    heap.push(current[id], tie(id), id);
  }
  const order: VertexId[] = [];
  let multiplications = 0;
  const stamp = new Int32Array(graph.vertices.length + 1);
  const touched: VertexId[] = [];
  const touch = (node: number): void => {
    const id = node - ni + 1;
    if (id >= 1 && eliminable[id] && stamp[id] !== order.length + 1) {
      stamp[id] = order.length + 1;
      touched.push(id);
    }
  };
  while (heap.size > 0) {
    const prio = heap.peekPriority();
    const id = heap.pop();
    if (!eliminable[id] || prio !== current[id]) continue; // a stale entry
    eliminable[id] = 0;
    const node = ni + id - 1;
    touched.length = 0;
    for (const side of engine.neighbours(node))
      for (const x of side) {
        touch(x);
        if (twoHops) for (const side2 of engine.neighbours(x)) for (const y of side2) touch(y);
      }
    multiplications += engine.eliminate(id);
    order.push(id);
    for (const t of touched) {
      if (!eliminable[t]) continue;
      const s = score(engine, t);
      if (s !== current[t]) {
        current[t] = s;
        heap.push(s, tie(t), t);
      }
    }
  }
  return { order, multiplications };
}

/** The order of one heuristic. */
export function heuristicOrder(graph: Graph, name: HeuristicName): VertexId[] {
  return greedyHeuristicOrder(graph, name).order;
}

/** "Best of N": runs every heuristic (and forward and reverse) and keeps the cheapest by the native count. */
export function bestHeuristicOrder(
  graph: Graph,
  names: readonly HeuristicName[] = HEURISTICS,
): { order: VertexId[]; multiplications: number; heuristic: string } {
  const base = SparseScalarEngine.fromGraph(graph, localJacobians(graph, null));
  // The scalar engine's costs are the native model's on scalar graphs; tensor graphs are counted on blocks.
  const scalar = isScalarGraph(graph);
  const run = (order: VertexId[]): number => {
    if (!scalar) return countOrder(graph, order).multiplications;
    const e = base.clone();
    return order.reduce((s, v) => s + e.eliminate(v), 0);
  };
  const forward = eliminableVertices(graph);
  const reverse = [...forward].reverse();
  let best = { order: forward, multiplications: run(forward), heuristic: 'forward' };
  const offer = (heuristic: string, r: { order: VertexId[]; multiplications: number }): void => {
    if (r.multiplications < best.multiplications) best = { ...r, heuristic };
  };
  offer('reverse', { order: reverse, multiplications: run(reverse) });
  for (const name of names) {
    const { order } = greedyHeuristicOrder(graph, name, base.clone());
    offer(name, { order, multiplications: run(order) });
  }
  return best;
}
