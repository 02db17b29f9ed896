/**
 * The generalist's seeded corpus: generated programs of several sizes and shapes (random scalar and
 * tensor programs, flux kernels, RK4 kinematics, small MLP layers), never the paper's 10 tasks, which stay
 * for evaluation. `heldOutGraphs` draws from the same generators with seeds the corpus never uses.
 */
import type { Graph } from '../../src/graph/graph.js';
import { EliminationGame } from '../../src/rl/game.js';
import { randomScalarGraph, randomTensorGraph } from '../../src/tasks/random-graphs.js';
import { Rng } from '../../src/util/random.js';
import { fluxKernel, mlp, rk4Lorenz } from '../scale/families.js';

export const CORPUS_SEED = 20261203;
/** The evaluation set's seed stream (results/generalist-eval.md). */
export const HELD_OUT_SEED = CORPUS_SEED + 1;
/** The training curve's validation graphs: a third stream, so the evaluation set stays unseen. */
export const VALIDATION_SEED = CORPUS_SEED + 2;
/** A fourth stream: extra corpus graphs where forward or reverse beats the other classic orders. */
export const ENRICHMENT_SEED = CORPUS_SEED + 3;

interface Named {
  readonly name: string;
  readonly graph: Graph;
}

/** One random program; `kind` alternates scalar and tensor so both block structures are seen. */
function randomProgram(rng: Rng, index: number, prefix: string): Named {
  const seed = rng.int(1, 2 ** 30);
  const numVertices = rng.int(25, 130);
  const numInputs = rng.int(3, 14);
  const numOutputs = rng.int(1, Math.max(2, Math.floor(numVertices / 8)));
  if (index % 3 === 2) {
    const graph = randomTensorGraph({ numInputs, numVertices: Math.min(numVertices, 80), numOutputs, seed });
    return { name: `${prefix}tensor-${index}`, graph };
  }
  const graph = randomScalarGraph({
    numInputs,
    numVertices,
    numOutputs,
    seed,
    window: rng.int(4, 24),
    structuralFraction: rng.pick([0, 0, 0.1, 0.2]),
    noDeadCode: true,
    inputOperandRate: rng.pick([0, 0.05, 0.15]),
  });
  return { name: `${prefix}scalar-${index}`, graph };
}

/** The structured families at a few sizes each (kept ≤ ~200 vertices so training stays cheap). */
function familyPrograms(): Named[] {
  return [
    ...[2, 3, 4].map((c) => ({ name: `flux-${c}`, graph: fluxKernel(c) })),
    ...[1, 2].map((s) => ({ name: `rk4-${s}`, graph: rk4Lorenz(s) })),
    ...[2, 3].map((w) => ({ name: `mlp-${w}`, graph: mlp(w, true) })),
    { name: 'mlp-4-input', graph: mlp(4, false) },
  ];
}

function games(programs: readonly Named[]): EliminationGame[] {
  return programs
    .filter((p) => p.graph.vertices.length > 0)
    .map((p) => new EliminationGame(p.graph, 'alphagrad', p.name))
    .filter((g) => g.episodeLength >= 2);
}

export function corpusGames(size: number, enrichPerKind = 0, seed = CORPUS_SEED): EliminationGame[] {
  const rng = new Rng(seed);
  const random = Array.from({ length: size }, (_, i) => randomProgram(rng, i, ''));
  const base = games([...random, ...familyPrograms()]);
  return [...base, ...enrichmentGames(base, enrichPerKind)];
}

/** Which classic order beats both others on a game, if one does. */
export function winningClassicOrder(g: EliminationGame): 'forward' | 'reverse' | null {
  const { forward, reverse, markowitz } = g.baselines;
  if (forward < Math.min(reverse, markowitz)) return 'forward';
  if (reverse < Math.min(forward, markowitz)) return 'reverse';
  return null;
}

/**
 * Random programs from ENRICHMENT_SEED, kept only while their kind is short of `perKind` in `corpus`:
 * forward wins on 8 of the base corpus's 128 graphs, too few for the policy to learn forward-like play
 * that transfers (the held-out graph it failed on is one), and reverse wins on 18.
 */
export function enrichmentGames(corpus: readonly EliminationGame[], perKind: number): EliminationGame[] {
  const have = { forward: 0, reverse: 0 };
  for (const g of corpus) {
    const w = winningClassicOrder(g);
    if (w) have[w]++;
  }
  const rng = new Rng(ENRICHMENT_SEED);
  const out: EliminationGame[] = [];
  for (let i = 0; i < 4000 && (have.forward < perKind || have.reverse < perKind); i++) {
    for (const g of games([randomProgram(rng, i, 'enrich-')])) {
      const w = winningClassicOrder(g);
      if (w && have[w] < perKind) {
        have[w]++;
        out.push(g);
      }
    }
  }
  return out;
}

/** Graphs from the same generators that the corpus does not contain (a different seed stream). */
export function heldOutGames(count: number, seed = HELD_OUT_SEED): EliminationGame[] {
  const rng = new Rng(seed);
  return games(Array.from({ length: count }, (_, i) => randomProgram(rng, i, 'heldout-')));
}
