import { operandShape, type Graph } from '../graph/graph.js';
import { nestFlat, type NestedArray } from '../graph/tensor.js';
import { mapTreeDef, type TreeDef } from '../trace/pytree.js';
import type { JacobianBatch } from './result-format.js';
import type { Tree } from '../trace/pytree.js';

/**
 * How graph inputs and outputs group into fn's arguments and results (pytrees), and which arguments
 * are differentiated: what the `nested` result and pytree calls are shaped by.
 */
export interface CallStructure {
  /** Per argument, its structure; leaf j of argument a is graph input argStart[a] + j. */
  readonly argDefs: readonly TreeDef[];
  readonly argStart: readonly number[];
  /** Differentiated arguments, in the result's order; `manyArgnums`: the result lists them. */
  readonly argnums: readonly number[];
  readonly manyArgnums: boolean;
  /** fn's results: graph outputs [0, outCount); aux results (hasAux) follow, structured by auxDef. */
  readonly outDef: TreeDef;
  readonly outCount: number;
  readonly auxDef: TreeDef | null;
}

export /** The `nested` result: fn's results and their Jacobian as nested arrays with the batch axis first. */
interface NestedJacobianBatch {
  /** fn's result structure; each leaf [batch, ...out.shape]. */
  readonly outputs: Tree<NestedArray>;
  /**
   * fn's result structure; in each leaf the differentiated argument's structure (a list over argnums when
   * argnums is a list), each of its leaves [batch, ...out.shape, ...in.shape].
   */
  readonly jacobian: Tree<NestedArray>;
  /** With hasAux: the aux results, [batch, ...shape] each. */
  readonly aux?: Tree<NestedArray>;
}

const leaf: TreeDef = { kind: 'leaf' };
const listOf = (n: number): TreeDef => ({ kind: 'list', children: Array.from({ length: n }, () => leaf) });

/** A graph's own structure: each input an argument, the outputs a list, every input differentiated. */
export function graphStructure(graph: Graph): CallStructure {
  return {
    argDefs: graph.inputs.map(() => leaf),
    argStart: graph.inputs.map((_, j) => j),
    argnums: graph.inputs.map((_, j) => j),
    manyArgnums: true,
    outDef: listOf(graph.outputs.length),
    outCount: graph.outputs.length,
    auxDef: null,
  };
}

/** Does any argument hold more than one tensor (so calls must be flattened along the structure)? */
export function isFlatStructure(s: CallStructure): boolean {
  return s.argDefs.every((d) => d.kind === 'leaf');
}

/** The `blocks` result of a batch as nested arrays in fn's structure, batch axis first. */
export function nestResult(
  graph: Graph,
  s: CallStructure,
  result: JacobianBatch,
  batch: number,
): NestedJacobianBatch {
  const outShapes = graph.outputs.map((op) => operandShape(graph, op));
  const output = (o: number): NestedArray => nestFlat(result.outputs[o], [batch, ...outShapes[o]]);
  const jacobian = mapTreeDef<NestedArray>(s.outDef, (o) => {
    const perArg = s.argnums.map((a) =>
      mapTreeDef<NestedArray>(s.argDefs[a], (l) => {
        const j = s.argStart[a] + l;
        return nestFlat(result.jacobian[o][j], [batch, ...outShapes[o], ...graph.inputs[j].shape]);
      }),
    );
    return s.manyArgnums ? perArg : perArg[0];
  });
  const outputs = mapTreeDef<NestedArray>(s.outDef, output);
  if (s.auxDef === null) return { outputs, jacobian };
  return { outputs, jacobian, aux: mapTreeDef<NestedArray>(s.auxDef, (k) => output(s.outCount + k)) };
}
