/**
 * Every error crosscountry raises for bad input is a CrosscountryError with a one-line message naming the
 * offending vertex, primitive, input or line; the CLI prints `error: <message>` and exits non-zero.
 */
export class CrosscountryError extends Error {
  override name = 'CrosscountryError';
}

/** Operand shapes that do not fit a primitive, or inputs of the wrong shape. */
export class ShapeError extends CrosscountryError {
  override name = 'ShapeError';
}

export class UnsupportedPrimitiveError extends CrosscountryError {
  override name = 'UnsupportedPrimitiveError';
}

/** An elimination order that is missing, duplicates or names a non-eliminable vertex. */
export class InvalidOrderError extends CrosscountryError {
  override name = 'InvalidOrderError';
}

/** NaN or ±Infinity in an input, a value or a local partial. */
export class NonFiniteError extends CrosscountryError {
  override name = 'NonFiniteError';
}

/** A graph that breaks the IR's rules (forward references, bad ids, unknown inputs). */
export class GraphValidationError extends CrosscountryError {
  override name = 'GraphValidationError';
}

/**
 * A traced value used as a plain JavaScript value while tracing (an operator, a comparison, a template
 * string, Number()): that would bake one trace-time value into the graph, or NaN, without a word.
 */
export class TracerError extends CrosscountryError {
  override name = 'TracerError';
}

/** An option outside its type or range (an unknown method or cost model, a NaN budget, 0 workers). */
export class OptionError extends CrosscountryError {
  override name = 'OptionError';
}
