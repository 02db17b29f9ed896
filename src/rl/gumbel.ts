import type { Rng } from '../util/random.js';
import type { GameState } from './game.js';

/**
 * Gumbel MuZero policy improvement (Danihelka et al. 2022, as in DeepMind's mctx and alphagrad-spec §7.1)
 * on the exact game model: Gumbel top-k with sequential halving at the root, completed Q-values with the
 * mixed value, the σ transform, deterministic interior selection, and the improved policy
 * softmax(logits + σ(completed Q)) as the training target. Values are in raw return units (−multiplications).
 *
 * Differences from mctx, on purpose: illegal actions are masked at every node, not only at the root (the
 * paper's interior nodes may pick eliminated vertices at no cost, which wastes simulations), and the
 * min–max rescaling of Q runs over legal actions only.
 */
export interface GumbelConfig {
  readonly simulations: number;
  readonly maxConsidered: number;
  readonly gumbelScale: number;
  /** σ(q) = (maxVisitInit + max N) · valueScale · rescaled q. */
  readonly valueScale: number;
  readonly maxVisitInit: number;
}

export const DEFAULT_GUMBEL: GumbelConfig = {
  simulations: 8,
  maxConsidered: 8,
  gumbelScale: 1,
  valueScale: 0.1,
  maxVisitInit: 50,
};

/** A network's (or a heuristic's) opinion of a position. */
export interface Evaluation {
  /** One logit per vertex (illegal ones are ignored). */
  readonly logits: ArrayLike<number>;
  /** Expected future reward from here (≤ 0: minus the multiplications still to come). */
  readonly value: number;
}

/** Evaluates many positions at once, so network calls are batched across games and simulations. */
export type BatchEvaluator = (states: readonly GameState[]) => Evaluation[];

export interface SearchOutcome {
  /** The action to play (0-based vertex index). */
  readonly action: number;
  /** The improved policy over all vertices (0 on illegal ones); sums to 1. */
  readonly policy: Float32Array;
  /** The root value after search (mean of backed-up returns). */
  readonly rootValue: number;
}

/** Complete orders reached inside the search: cheap extra candidates for the best order. */
export type TerminalListener = (state: GameState) => void;

class SearchNode {
  visits = 1;
  value: number;
  readonly childVisits: Int32Array;
  readonly childReward: Float64Array;
  readonly childValue: Float64Array;
  readonly children: (SearchNode | undefined)[];
  readonly logits: Float64Array;
  readonly legal: number[];

  constructor(
    readonly state: GameState,
    evaluation: Evaluation | null,
  ) {
    const n = state.legal.length;
    this.legal = state.legalActions();
    this.value = evaluation ? evaluation.value : 0;
    this.rawValue = this.value;
    this.childVisits = new Int32Array(n);
    this.childReward = new Float64Array(n);
    this.childValue = new Float64Array(n);
    this.children = new Array<SearchNode | undefined>(n);
    this.logits = new Float64Array(n).fill(-Infinity);
    if (evaluation) {
      let max = -Infinity;
      for (const a of this.legal) max = Math.max(max, evaluation.logits[a]);
      // Shifted by the max so softmax and the root score are well scaled.
      for (const a of this.legal) this.logits[a] = evaluation.logits[a] - max;
    }
  }

  readonly rawValue: number;

  get terminal(): boolean {
    return this.legal.length === 0;
  }

  /** σ(completed Q) for every legal action (mctx `qtransform_completed_by_mix_value`). */
  completedQ(config: GumbelConfig): Float64Array {
    const { legal } = this;
    const probs = softmaxOver(this.logits, legal);
    let sumVisits = 0;
    let sumProbs = 0;
    let maxVisits = 0;
    for (const a of legal) {
      const n = this.childVisits[a];
      sumVisits += n;
      if (n > 0) sumProbs += Math.max(probs[a], Number.MIN_VALUE);
      maxVisits = Math.max(maxVisits, n);
    }
    let weighted = 0;
    if (sumProbs > 0) {
      for (const a of legal) {
        if (this.childVisits[a] > 0) {
          weighted += (Math.max(probs[a], Number.MIN_VALUE) * this.q(a)) / sumProbs;
        }
      }
    }
    const mixed = (this.rawValue + sumVisits * weighted) / (sumVisits + 1);
    const q = new Float64Array(this.logits.length);
    let lo = Infinity;
    let hi = -Infinity;
    for (const a of legal) {
      q[a] = this.childVisits[a] > 0 ? this.q(a) : mixed;
      lo = Math.min(lo, q[a]);
      hi = Math.max(hi, q[a]);
    }
    const scale = ((config.maxVisitInit + maxVisits) * config.valueScale) / Math.max(hi - lo, 1e-8);
    for (const a of legal) q[a] = (q[a] - lo) * scale;
    return q;
  }

  q(action: number): number {
    return this.childReward[action] + this.childValue[action];
  }

  /** Interior selection: argmax of softmax(logits + σ(q)) − N(a)/(1 + ΣN). */
  selectInterior(config: GumbelConfig): number {
    const { legal } = this;
    const sigma = this.completedQ(config);
    const improved = new Float64Array(this.logits.length);
    for (const a of legal) improved[a] = this.logits[a] + sigma[a];
    const probs = softmaxOver(improved, legal);
    let total = 0;
    for (const a of legal) total += this.childVisits[a];
    let best = legal[0];
    let bestScore = -Infinity;
    for (const a of legal) {
      const score = probs[a] - this.childVisits[a] / (1 + total);
      if (score > bestScore) {
        bestScore = score;
        best = a;
      }
    }
    return best;
  }
}

function softmaxOver(logits: Float64Array, legal: readonly number[]): Float64Array {
  const out = new Float64Array(logits.length);
  let max = -Infinity;
  for (const a of legal) max = Math.max(max, logits[a]);
  let sum = 0;
  for (const a of legal) {
    out[a] = Math.exp(logits[a] - max);
    sum += out[a];
  }
  for (const a of legal) out[a] /= sum;
  return out;
}

/**
 * mctx's `get_sequence_of_considered_visits`: the visit count an action must have to be eligible at each
 * simulation of sequential halving with m considered actions.
 */
export function consideredVisitSequence(m: number, simulations: number): number[] {
  if (m <= 1) return Array.from({ length: simulations }, (_, i) => i);
  const log2max = Math.ceil(Math.log2(m));
  const sequence: number[] = [];
  const visits = new Array<number>(m).fill(0);
  let considered = m;
  while (sequence.length < simulations) {
    const extra = Math.max(1, Math.floor(simulations / (log2max * considered)));
    for (let r = 0; r < extra; r++) {
      sequence.push(...visits.slice(0, considered));
      for (let i = 0; i < considered; i++) visits[i]++;
    }
    considered = Math.max(2, Math.floor(considered / 2));
  }
  return sequence.slice(0, simulations);
}

function gumbel(rng: Rng): number {
  return -Math.log(-Math.log(Math.max(rng.float(), Number.MIN_VALUE)));
}

interface RootSearch {
  readonly root: SearchNode;
  readonly noise: Float64Array;
  readonly schedule: number[];
}

/** Root score: g + logits + σ(q), eligible only for actions with exactly the scheduled visit count. */
function rootScore(search: RootSearch, sigma: Float64Array, visitsRequired: number): number {
  const { root, noise } = search;
  let best = -1;
  let bestScore = -Infinity;
  for (const a of root.legal) {
    if (root.childVisits[a] !== visitsRequired) continue;
    const score = Math.max(-1e9, noise[a] + root.logits[a] + sigma[a]);
    if (score > bestScore) {
      bestScore = score;
      best = a;
    }
  }
  return best;
}

/**
 * Runs one Gumbel MuZero search per game position, all in lockstep so that every simulation evaluates
 * the new leaves of all games in one batch. Positions must not be terminal.
 */
export function gumbelSearch(
  states: readonly GameState[],
  evaluate: BatchEvaluator,
  config: GumbelConfig,
  rng: Rng,
  onTerminal?: TerminalListener,
): SearchOutcome[] {
  const rootEvals = evaluate(states);
  const searches: RootSearch[] = states.map((state, i) => {
    const root = new SearchNode(state, rootEvals[i]);
    const noise = new Float64Array(state.legal.length);
    for (const a of root.legal) noise[a] = config.gumbelScale * gumbel(rng);
    const m = Math.min(config.maxConsidered, root.legal.length);
    return { root, noise, schedule: consideredVisitSequence(m, config.simulations) };
  });
  for (let sim = 0; sim < config.simulations; sim++) {
    const pending: { path: [SearchNode, number][]; state: GameState }[] = [];
    for (const search of searches) {
      if (search.root.legal.length <= 1) continue;
      const path: [SearchNode, number][] = [];
      let node = search.root;
      let action = rootScore(search, node.completedQ(config), search.schedule[sim]);
      if (action < 0) action = node.selectInterior(config);
      for (;;) {
        path.push([node, action]);
        const child = node.children[action];
        if (child === undefined) break;
        if (child.terminal) {
          backup(path, child, 0, true);
          path.length = 0;
          break;
        }
        node = child;
        action = node.selectInterior(config);
      }
      if (path.length === 0) continue;
      const [parent, a] = path[path.length - 1];
      const state = parent.state.next(a);
      parent.childReward[a] = parent.state.cost - state.cost;
      if (state.terminal) {
        onTerminal?.(state);
        const leaf = new SearchNode(state, null);
        parent.children[a] = leaf;
        backup(path, leaf, 0, false);
      } else {
        pending.push({ path, state });
      }
    }
    if (pending.length === 0) continue;
    const evals = evaluate(pending.map((p) => p.state));
    pending.forEach(({ path, state }, i) => {
      const [parent, a] = path[path.length - 1];
      const leaf = new SearchNode(state, evals[i]);
      parent.children[a] = leaf;
      backup(path, leaf, leaf.value, false);
    });
  }
  return searches.map((search) => finish(search, config));
}

/** Propagates a leaf value to the root along `path` (mctx backward: running means, γ = 1). */
function backup(
  path: readonly [SearchNode, number][],
  leaf: SearchNode,
  leafValue: number,
  revisit: boolean,
): void {
  if (revisit) {
    leaf.value = (leaf.value * leaf.visits + leafValue) / (leaf.visits + 1);
    leaf.visits++;
  }
  let value = leafValue;
  let child = leaf;
  for (let k = path.length - 1; k >= 0; k--) {
    const [node, a] = path[k];
    value = node.childReward[a] + value;
    node.childValue[a] = child.value;
    node.childVisits[a]++;
    node.value = (node.value * node.visits + value) / (node.visits + 1);
    node.visits++;
    child = node;
  }
}

function finish(search: RootSearch, config: GumbelConfig): SearchOutcome {
  const { root } = search;
  const policy = new Float32Array(root.logits.length);
  if (root.legal.length === 1) {
    policy[root.legal[0]] = 1;
    return { action: root.legal[0], policy, rootValue: root.value };
  }
  const sigma = root.completedQ(config);
  let maxVisits = 0;
  for (const a of root.legal) maxVisits = Math.max(maxVisits, root.childVisits[a]);
  const action = rootScore(search, sigma, maxVisits);
  const improved = new Float64Array(root.logits.length);
  for (const a of root.legal) improved[a] = root.logits[a] + sigma[a];
  const probs = softmaxOver(improved, root.legal);
  for (const a of root.legal) policy[a] = probs[a];
  return { action, policy, rootValue: root.value };
}
