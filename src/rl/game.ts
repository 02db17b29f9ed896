import type { CostModelName } from '../elimination/cost-model.js';
import { resolveOrder } from '../elimination/resolve.js';
import { outputVertexIds, type Graph, type VertexId } from '../graph/graph.js';
import { orderCost, searchProblem, type CostState, type SearchProblem } from '../search/problem.js';
import { VertexRows } from './vertex-rows.js';

/** The cost of the three classic orders: the line every learned order has to beat. */
export interface Baselines {
  readonly forward: number;
  readonly reverse: number;
  readonly markowitz: number;
}

/**
 * The vertex-elimination game of one graph (alphagrad-spec §3): action a eliminates vertex a+1, the action
 * space covers every vertex (outputs and eliminated vertices are masked), reward = −multiplications of
 * the step, and an episode is one complete order.
 */
export class EliminationGame {
  readonly problem: SearchProblem;
  readonly name: string;
  readonly numInputs: number;
  readonly numVertices: number;
  readonly numNodes: number;
  /** Eliminable vertex ids, ascending. */
  readonly eliminable: readonly VertexId[];
  readonly isOutput: Uint8Array;
  readonly baselines: Baselines;
  /** The orders behind `baselines`. */
  readonly baselineOrders: { readonly [K in keyof Baselines]: readonly VertexId[] };
  /**
   * Typical multiplications per step (best baseline / episode length): features and values are divided by
   * it so one network sees similar magnitudes on every graph.
   */
  readonly costScale: number;
  private readonly start: CostState;
  private readonly startLegal: Uint8Array;

  constructor(graph: Graph, costModel: CostModelName, name = 'graph') {
    this.problem = searchProblem(graph, costModel);
    this.name = name;
    this.numInputs = graph.inputs.length;
    this.numVertices = graph.vertices.length;
    this.numNodes = this.numInputs + this.numVertices;
    this.eliminable = this.problem.eliminable;
    this.isOutput = new Uint8Array(this.numVertices);
    for (const id of outputVertexIds(graph)) this.isOutput[id - 1] = 1;
    this.start = this.problem.initial();
    this.startLegal = new Uint8Array(this.numVertices);
    for (const id of this.eliminable) this.startLegal[id - 1] = 1;
    const order = (spec: keyof Baselines) => resolveOrder(graph, spec, costModel);
    this.baselineOrders = {
      forward: order('forward'),
      reverse: order('reverse'),
      markowitz: order('markowitz'),
    };
    const cost = (spec: keyof Baselines): number => orderCost(this.problem, this.baselineOrders[spec]);
    this.baselines = { forward: cost('forward'), reverse: cost('reverse'), markowitz: cost('markowitz') };
    this.costScale = Math.max(1, this.bestBaseline / Math.max(1, this.eliminable.length));
  }

  get costModel(): CostModelName {
    return this.problem.costModel;
  }

  get episodeLength(): number {
    return this.eliminable.length;
  }

  get bestBaseline(): number {
    const { forward, reverse, markowitz } = this.baselines;
    return Math.min(forward, reverse, markowitz);
  }

  /** The cheapest of the forward, reverse and Markowitz orders. */
  get bestBaselineOrder(): readonly VertexId[] {
    const names = ['forward', 'reverse', 'markowitz'] as const;
    const best = names.reduce((a, b) => (this.baselines[b] < this.baselines[a] ? b : a));
    return this.baselineOrders[best];
  }

  initial(): GameState {
    return new GameState(this, this.start.clone(), this.startLegal.slice(), [], 0);
  }

  /** Total multiplications of a complete order (validated by replaying it). */
  replay(order: readonly VertexId[]): number {
    let state = this.initial();
    for (const v of order) state = state.next(v - 1);
    if (!state.terminal)
      throw new Error(`order eliminates ${order.length} of ${this.episodeLength} vertices`);
    return state.cost;
  }
}

/** One position of the game: the engine state, the order so far and what it cost. */
export class GameState {
  constructor(
    readonly game: EliminationGame,
    readonly engine: CostState,
    /** 1 where the action (vertex index) is still legal. */
    readonly legal: Uint8Array,
    readonly order: VertexId[],
    /** Multiplications spent so far. */
    public cost: number,
    /** What the observation reads of each vertex, kept across moves where it does not change. */
    readonly rows: VertexRows = VertexRows.empty(game.numVertices),
  ) {}

  get terminal(): boolean {
    return this.order.length === this.game.episodeLength;
  }

  /** Plays `action` (0-based vertex index) in place and returns the reward (−multiplications). */
  play(action: number): number {
    if (this.legal[action] !== 1) {
      throw new Error(`illegal action ${action} (vertex ${action + 1} is an output or already eliminated)`);
    }
    this.rows.invalidateAround(action, this.engine, this.game.numInputs);
    const c = this.engine.eliminate(action + 1);
    this.legal[action] = 0;
    this.order.push(action + 1);
    this.cost += c;
    return -c;
  }

  /** A copy with `action` played. */
  next(action: number): GameState {
    const child = this.clone();
    child.play(action);
    return child;
  }

  clone(): GameState {
    return new GameState(
      this.game,
      this.engine.clone(),
      this.legal.slice(),
      [...this.order],
      this.cost,
      this.rows.fork(),
    );
  }

  legalActions(): number[] {
    const out: number[] = [];
    for (let a = 0; a < this.legal.length; a++) if (this.legal[a] === 1) out.push(a);
    return out;
  }
}
