import { CrosscountryError, ShapeError } from '../graph/errors.js';
import type { Graph } from '../graph/graph.js';
import { checkShape, type Shape } from '../graph/shape.js';
import { GraphBuilder } from '../primitives/builder.js';
import { operandOf, Traced, withActiveBuilder, type TensorLike } from './tensor-api.js';

export type InputSpec = Shape | { readonly name?: string; readonly shape: Shape };

export type TracedFunction = (...args: Traced[]) => TensorLike | readonly TensorLike[];

const defaultName = (i: number): string => (i < 26 ? String.fromCharCode(97 + i) : `x${i}`);

export function specShape(spec: InputSpec): Shape {
  return Array.isArray(spec) ? (spec as Shape) : (spec as { shape: Shape }).shape;
}

/**
 * Traces `fn` on symbolic inputs of the given shapes into the graph IR. Vertices are numbered in the order
 * operations run; `fn` returns one tensor or an array of them (numbers become constant outputs).
 */
export function trace(fn: TracedFunction, inputSpecs: readonly InputSpec[]): Graph {
  if (typeof fn !== 'function') throw new CrosscountryError(`trace needs a function, not ${typeof fn}`);
  if (!Array.isArray(inputSpecs))
    throw new ShapeError('the input specs must be an array with one shape (or { name, shape }) per argument');
  const builder = new GraphBuilder();
  const args = inputSpecs.map((spec, i) => {
    if (spec === null || typeof spec !== 'object')
      throw new ShapeError(
        `input ${i + 1}: a spec is a shape or { name, shape }, not ${JSON.stringify(spec)}`,
      );
    const shape = checkShape(specShape(spec), `input ${i + 1}`);
    const name = Array.isArray(spec) ? undefined : (spec as { name?: unknown }).name;
    if (name !== undefined && typeof name !== 'string')
      throw new ShapeError(`input ${i + 1}: its name must be a string, not ${JSON.stringify(name)}`);
    return new Traced(builder, builder.addInput(name ?? defaultName(i), shape));
  });
  return withActiveBuilder(builder, () => {
    const result = fn(...args);
    const outputs = (Array.isArray(result) ? result : [result]) as TensorLike[];
    if (outputs.length === 0) throw new CrosscountryError('traced function returned no outputs');
    return builder.build(outputs.map(operandOf));
  });
}
