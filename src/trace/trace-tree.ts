import { ShapeError } from '../graph/errors.js';
import type { Graph } from '../graph/graph.js';
import type { Shape } from '../graph/shape.js';
import { flattenTree, leafCount, unflattenTree, type Tree, type TreeDef } from './pytree.js';
import { stopGradient, Traced, type TensorLike } from './tensor-api.js';
import { trace } from './trace.js';

/** A function of traced pytrees returning a pytree of traced values (or numbers, as constants). */
export type TreeFunction<A extends unknown[]> = (...args: A) => Tree<TensorLike>;

/** fn's arguments flattened: leaf j of argument a is graph input start[a] + j. */
export interface FlatSignature {
  readonly shapes: Shape[];
  readonly names: string[];
  readonly defs: TreeDef[];
  readonly start: number[];
}

export interface TracedTree {
  readonly graph: Graph;
  readonly signature: FlatSignature;
  readonly outDef: TreeDef;
  /** Graph outputs [0, outCount) are fn's results, the rest its aux. */
  readonly outCount: number;
  readonly auxDef: TreeDef | null;
}

export function argName(i: number): string {
  return i < 26 ? String.fromCharCode(97 + i) : `x${i}`;
}

const isTraceLeaf = (v: unknown): v is TensorLike => typeof v === 'number' || v instanceof Traced;

function isShape(v: unknown): v is Shape {
  return Array.isArray(v) && v.every((d) => typeof d === 'number');
}

function isSpecLeaf(v: unknown): v is Shape | { readonly name?: string; readonly shape: Shape } {
  return isShape(v) || (v !== null && typeof v === 'object' && !Array.isArray(v) && 'shape' in v);
}

/** Input specs per argument, each a shape, `{ name, shape }`, or arrays and objects of them. */
export function flattenSpecs(specs: readonly unknown[]): FlatSignature {
  const sig: FlatSignature = { shapes: [], names: [], defs: [], start: [] };
  specs.forEach((spec, i) => {
    const flat = flattenTree(spec, isSpecLeaf, `input ${i + 1}`);
    sig.start.push(sig.shapes.length);
    sig.defs.push(flat.def);
    flat.leaves.forEach((leaf, k) => {
      const named = !isShape(leaf);
      sig.shapes.push(named ? leaf.shape : leaf);
      const name = named ? leaf.name : undefined;
      sig.names.push(typeof name === 'string' ? name : `${argName(i)}${flat.paths[k]}`);
    });
  });
  return sig;
}

/** The argument indices to differentiate, checked against the number of arguments. */
export function checkArgnums(argnums: number | readonly number[] | undefined, count: number): number[] {
  const list: number[] = typeof argnums === 'object' && argnums !== null ? [...argnums] : [argnums ?? 0];
  if (list.length === 0) throw new ShapeError('argnums is empty: name at least one argument');
  for (const a of list)
    if (!Number.isInteger(a) || a < 0 || a >= count)
      throw new ShapeError(`argnums ${String(a)} is not an argument index (fn has ${count} arguments)`);
  if (new Set(list).size !== list.length)
    throw new ShapeError(`argnums [${list.join(', ')}] repeats an argument`);
  return list;
}

/**
 * Traces fn on its flattened arguments. Arguments outside `argnums` (all differentiated when omitted)
 * enter through stop_gradient, so their Jacobian blocks are structurally zero and cost nothing. With
 * hasAux, fn returns [result, aux] and aux outputs come last.
 */
export function traceTree<A extends unknown[]>(
  fn: TreeFunction<A>,
  signature: FlatSignature,
  hasAux: boolean,
  argnums?: readonly number[],
): TracedTree {
  if (typeof fn !== 'function') throw new ShapeError(`fn must be a function, not ${typeof fn}`);
  let outDef: TreeDef = { kind: 'leaf' };
  let auxDef: TreeDef | null = null;
  let outCount = 0;
  const specs = signature.shapes.map((shape, k) => ({ name: signature.names[k], shape }));
  const graph = trace((...leaves) => {
    const rebuilt = signature.defs.map((def, a) => {
      const own = leaves.slice(signature.start[a], signature.start[a] + leafCount(def));
      return unflattenTree(def, argnums && !argnums.includes(a) ? own.map((x) => stopGradient(x)) : own);
    });
    const result = fn(...(rebuilt as A));
    if (hasAux && !(Array.isArray(result) && result.length === 2))
      throw new ShapeError('with hasAux, fn must return [result, aux]');
    const [out, aux] = hasAux ? (result as readonly Tree<TensorLike>[]) : [result, undefined];
    const flatOut = flattenTree(out, isTraceLeaf, 'the result');
    outDef = flatOut.def;
    outCount = flatOut.leaves.length;
    if (!hasAux) return flatOut.leaves;
    const flatAux = flattenTree(aux, isTraceLeaf, 'the aux');
    auxDef = flatAux.def;
    return [...flatOut.leaves, ...flatAux.leaves];
  }, specs);
  return { graph, signature, outDef, outCount, auxDef };
}
