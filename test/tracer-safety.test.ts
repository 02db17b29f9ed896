import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { np, trace, TracerError, type Traced } from '../src/index.js';

const scalars = [[], []];
const throwsTracer = (fn: (x: Traced, y: Traced) => unknown, pattern: RegExp): void =>
  assert.throws(
    () => trace(fn as never, scalars),
    (e: unknown) => e instanceof TracerError && pattern.test(e.message),
  );

describe('tracing refuses implicit conversions of traced values', () => {
  test('arithmetic operators name the np functions to use', () => {
    throwsTracer((x, y) => [np.sin(x), (x as unknown as number) * (y as unknown as number) + 1], /np\.mul/);
    throwsTracer((x) => (x as unknown as number) + 1, /np\.add/);
    throwsTracer((x) => -(x as unknown as number), /number/);
  });

  test('comparisons and loose equality (trace-time branches) are errors', () => {
    throwsTracer((x, y) => ((x as unknown as number) > 0 ? x : y), /np\.where/);
    throwsTracer((x, y) => ((x as unknown as number) == 0 ? x : y), /np\.where/);
  });

  test('template strings and Number() are errors', () => {
    throwsTracer((x) => {
      void `${String(x)}`;
      return x;
    }, /string/);
    throwsTracer((x) => Number(x), /number/);
  });

  test('a NaN constant is rejected', () => {
    throwsTracer((x) => np.add(x, NaN), /NaN/);
  });

  test('np functions and methods still trace', () => {
    const g = trace((x, y) => [np.sin(x), x.mul(y).add(1)], scalars);
    assert.equal(g.vertices.length, 3);
  });
});
