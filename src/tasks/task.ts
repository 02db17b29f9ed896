import type { Tensor } from '../graph/tensor.js';
import type { InputSpec, TracedFunction } from '../trace/trace.js';
import type { Rng } from '../util/random.js';

/**
 * A built-in benchmark program: a TypeScript function over the tracer's tensor API, written from the
 * task's formulas, plus the paper's jaxpr of the same program as a second source.
 */
export interface TaskDefinition {
  readonly name: string;
  /** One line: domain and what the program computes. */
  readonly description: string;
  /** Input specs, the same shapes (and order) as the paper's jaxpr. */
  readonly inputs: readonly InputSpec[];
  readonly fn: TracedFunction;
  /** A random point inside the function's domain (away from kinks and singularities). */
  samplePoint(rng: Rng): Tensor[];
  /** File name under data/paper/jaxpr/ (and data/paper/graphs/<name>.json). */
  readonly paperName: string;
}
