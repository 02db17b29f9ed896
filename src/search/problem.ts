import { AlphagradEngine } from '../alphagrad/engine.js';
import type { CostModelName } from '../elimination/cost-model.js';
import { EdgeGraph } from '../elimination/edge-graph.js';
import { ScalarCostEngine } from '../elimination/scalar-engine.js';
import { SparseScalarEngine } from '../elimination/sparse-engine.js';
import { localJacobians } from '../evaluate/linearize.js';
import { eliminableVertices, isScalarGraph, type Graph, type VertexId } from '../graph/graph.js';

/** A cost-only elimination state that search algorithms drive: every engine implements it. */
export interface CostState {
  /** Eliminates a vertex and returns its cost. */
  eliminate(id: VertexId): number;
  /** What eliminating a vertex would cost now. */
  eliminationCost(id: VertexId): number;
  /** |preds|·|succs| now, counting every adjacent node: 0 means one side is empty. */
  markowitzDegree(id: VertexId): number;
  /** Input predecessors and pure-output successors (never lost), where the engine tracks them. */
  permanentDegrees?(id: VertexId): readonly [number, number];
  /** Whether the edge source node → target node exists now (nodes: inputs first, then vertices). */
  hasEdge(sourceNode: number, targetNode: number): boolean;
  /** Nodes with an edge into `node` now, ascending. */
  predecessors(node: number): number[];
  /** Nodes `node` has an edge to now, ascending. */
  successors(node: number): number[];
  clone(): CostState;
  /** Overwrites this state with another state of the same game, without allocating (where supported). */
  copyFrom?(other: CostState): void;
}

/** What a local search needs of a game: its actions and a fresh start state (graphs or windows of them). */
export interface Game {
  /** Eliminable vertices, ascending: the actions. */
  readonly eliminable: readonly VertexId[];
  initial(): CostState;
}

/** The elimination game of one graph under one cost model, with the fastest exact engine for it. */
export interface SearchProblem extends Game {
  readonly graph: Graph;
  readonly costModel: CostModelName;
  /** Which engine runs the game: `bitset` (scalar graphs), `blocks` (native tensors) or `alphagrad`. */
  readonly engine: 'bitset' | 'sparse' | 'blocks' | 'alphagrad';
  /**
   * Whether the state after eliminating a set of vertices is the same for every order of that set, so a
   * search over sets (dynamic programming, A*) is exact. True for the native model (the block on u→w is
   * the sum over paths through the set of products of blocks: its pattern and values do not depend on
   * the order) and for scalar graphs; false for the alphagrad model on tensor graphs, whose type tables
   * are neither associative nor commutative (ADD_SPARSITY_MAP is not symmetric).
   */
  readonly orderIndependent: boolean;
  initial(): CostState;
}

/** Above this many nodes the bit-matrix engine's O(V²) state is too large: the sparse engine takes over. */
export const MAX_BITSET_NODES = 4096;

export function searchProblem(graph: Graph, costModel: CostModelName): SearchProblem {
  const local = localJacobians(graph, null);
  const scalar = isScalarGraph(graph);
  const structural = local.some((edges) => edges.some((e) => e.block.structural));
  // On scalar graphs the bitset engine is exact for the native model; for the alphagrad model too unless
  // copy edges are present (its tables treat two meeting copy paths differently from a sum).
  const numNodes = graph.inputs.length + graph.vertices.length;
  const engine =
    scalar && (costModel === 'native' || !structural)
      ? numNodes > MAX_BITSET_NODES
        ? 'sparse'
        : 'bitset'
      : costModel === 'native'
        ? 'blocks'
        : 'alphagrad';
  let initial: () => CostState;
  if (engine === 'bitset') {
    const base = ScalarCostEngine.fromGraph(graph, local);
    initial = () => base.clone();
  } else if (engine === 'sparse') {
    const base = SparseScalarEngine.fromGraph(graph, local);
    initial = () => base.clone();
  } else if (engine === 'blocks') {
    const base = EdgeGraph.symbolic(graph, local);
    initial = () => base.clone();
  } else {
    const base = AlphagradEngine.fromGraph(graph);
    initial = () => base.clone();
  }
  return {
    graph,
    costModel,
    eliminable: eliminableVertices(graph),
    engine,
    orderIndependent: costModel === 'native' || engine === 'bitset' || engine === 'sparse',
    initial,
  };
}

/** Total cost of a complete order (of a whole graph or of a window game). */
export function orderCost(problem: Game, order: readonly VertexId[]): number {
  const state = problem.initial();
  let total = 0;
  for (const v of order) total += state.eliminate(v);
  return total;
}
