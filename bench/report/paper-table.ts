import { countOrderWith, type CostModelName } from '../../src/elimination/cost-model.js';
import { resolveOrder } from '../../src/elimination/resolve.js';
import type { Graph, VertexId } from '../../src/graph/graph.js';
import { FAITHFUL_TASKS, TASKS, taskGraph } from '../../src/tasks/index.js';
import { readDataFile } from '../../src/util/data.js';

interface PaperGraphData {
  expected: { forward: number; reverse: number; markowitz: number };
  published: {
    forward: number;
    reverse: number;
    markowitz: number;
    alphagrad: number;
    ppo: number;
    joint: number;
  };
  publishedOrders: {
    algorithm: string;
    claimedMultiplications: number | null;
    recomputedMultiplications: number | null;
    order: VertexId[];
  }[];
}

export interface ModelCounts {
  forward: number;
  reverse: number;
  markowitz: number;
}

/** One per-step difference between the two cost models along one order. */
export interface StepDifference {
  vertex: VertexId;
  primitive: string;
  native: number;
  alphagrad: number;
}

export interface PaperTableRow {
  task: string;
  faithful: boolean;
  vertices: number;
  native: ModelCounts;
  alphagrad: ModelCounts;
  expected: ModelCounts;
  published: PaperGraphData['published'];
  /** The published AlphaGrad order's count under both models (null when it does not fit this graph). */
  alphagradOrder: { alphagrad: number; native: number } | null;
  /** Whether our alphagrad-model counts equal `expected` (forward, reverse, Markowitz). */
  matchesExpected: boolean;
  /** Native-model counts of our TypeScript version of the task (equal graph ⇒ equal counts). */
  tsNative: ModelCounts;
  /** Steps of the forward and reverse orders whose cost differs between the models. */
  differences: { forward: StepDifference[]; reverse: StepDifference[] };
}

function countsOf(graph: Graph, model: CostModelName): ModelCounts {
  const count = (spec: 'forward' | 'reverse' | 'markowitz') =>
    countOrderWith(graph, resolveOrder(graph, spec, model), model).multiplications;
  return { forward: count('forward'), reverse: count('reverse'), markowitz: count('markowitz') };
}

function stepDifferences(graph: Graph, order: VertexId[]): StepDifference[] {
  const native = countOrderWith(graph, order, 'native').steps;
  const alphagrad = countOrderWith(graph, order, 'alphagrad').steps;
  return native
    .map((s, k) => ({
      vertex: s.vertex,
      primitive: graph.vertices[s.vertex - 1].primitive,
      native: s.multiplications,
      alphagrad: alphagrad[k].multiplications,
    }))
    .filter((d) => d.native !== d.alphagrad);
}

/** Forward / reverse / Markowitz under both cost models for the 10 paper graphs (jaxpr source). */
/** The paper-level numbers of one task (README section 4): baselines, AlphaGrad A0, PPO and joint bests. */
export function publishedCounts(paperName: string): PaperGraphData['published'] {
  return (JSON.parse(readDataFile(`paper/graphs/${paperName}.json`)) as PaperGraphData).published;
}

export function paperTable(): PaperTableRow[] {
  return TASKS.map((task) => {
    const graph = taskGraph(task, 'jaxpr');
    const data = JSON.parse(readDataFile(`paper/graphs/${task.paperName}.json`)) as PaperGraphData;
    const native = countsOf(graph, 'native');
    const alphagrad = countsOf(graph, 'alphagrad');
    const best = data.publishedOrders.find(
      (o) => o.recomputedMultiplications !== null && o.recomputedMultiplications === data.published.alphagrad,
    );
    const e = data.expected;
    return {
      task: task.name,
      faithful: FAITHFUL_TASKS.includes(task.name),
      vertices: graph.vertices.length,
      native,
      alphagrad,
      expected: { forward: e.forward, reverse: e.reverse, markowitz: e.markowitz },
      published: data.published,
      alphagradOrder: best
        ? {
            alphagrad: countOrderWith(graph, best.order, 'alphagrad').multiplications,
            native: countOrderWith(graph, best.order, 'native').multiplications,
          }
        : null,
      matchesExpected:
        alphagrad.forward === e.forward &&
        alphagrad.reverse === e.reverse &&
        alphagrad.markowitz === e.markowitz,
      tsNative: countsOf(taskGraph(task, 'ts'), 'native'),
      differences: {
        forward: stepDifferences(graph, resolveOrder(graph, 'forward')),
        reverse: stepDifferences(graph, resolveOrder(graph, 'reverse')),
      },
    };
  });
}
