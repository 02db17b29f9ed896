import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  countOrder,
  CrosscountryError,
  eliminableVertices,
  graphFromJson,
  graphToJson,
  GraphBuilder,
  GraphValidationError,
  InvalidOrderError,
  jacobianAtPoint,
  NonFiniteError,
  np,
  pprintGraph,
  resolveOrder,
  scalarTensor,
  ShapeError,
  tensor,
  trace,
  UnsupportedPrimitiveError,
  validateGraph,
  validateOrder,
  type Graph,
} from '../src/index.js';

const griewank = (): Graph =>
  trace(
    (x, y) => {
      const z = np.mul(x, y);
      const w = np.sin(z);
      return [np.add(w, z), np.log(w)];
    },
    [
      { name: 'x', shape: [] },
      { name: 'y', shape: [] },
    ],
  );

/** A tensor program with an output (v3) that later equations also use. */
const softmaxLike = (): Graph =>
  trace(
    (x) => {
      const m = np.maximum(np.max(x, 0), -Infinity);
      const e = np.exp(np.sub(x, np.stopGradient(m)));
      const s = np.sum(e);
      return [np.div(e, s), s, np.concatenate([np.slice(x, [0], [2]), e], 0)];
    },
    [[3]],
  );

/** A one-line error message of the given class. */
function throwsOneLine(fn: () => unknown, cls: new (...args: never[]) => Error, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`);
    assert.ok(err instanceof CrosscountryError);
    assert.match(err.message, pattern);
    assert.ok(!err.message.includes('\n'), 'message must be one line');
    return true;
  });
}

describe('graph IR', () => {
  test('vertices are numbered 1-based in program order, inputs are not vertices', () => {
    const g = griewank();
    assert.deepEqual(
      g.vertices.map((v) => [v.id, v.primitive]),
      [
        [1, 'mul'],
        [2, 'sin'],
        [3, 'add'],
        [4, 'log'],
      ],
    );
    assert.deepEqual(eliminableVertices(g), [1, 2]);
  });

  test('text dump lists every equation with its vertex number and marks outputs', () => {
    assert.equal(
      pprintGraph(griewank()),
      [
        '{ lambda x:f64[] y:f64[] . let',
        '  1: v1:f64[] = mul x y',
        '  2: v2:f64[] = sin v1',
        '  3: v3:f64[] = add v2 v1    # output 1',
        '  4: v4:f64[] = log v2    # output 2',
        '  in (v3, v4) }',
      ].join('\n'),
    );
  });

  test('JSON round trip keeps the program, ±inf literals included', () => {
    const g = softmaxLike();
    const text = JSON.stringify(graphToJson(g));
    const back = validateGraph(graphFromJson(JSON.parse(text)));
    assert.equal(pprintGraph(back), pprintGraph(g));
    const x = [tensor([3], [0.1, -0.4, 0.3])];
    const order = resolveOrder(g, 'markowitz');
    assert.deepEqual(jacobianAtPoint(back, x, order).jacobian, jacobianAtPoint(g, x, order).jacobian);
  });

  test('an output used later is eliminable; pure outputs are not', () => {
    const g = softmaxLike();
    const sumVertex = g.outputs[1];
    assert.equal(sumVertex.kind, 'vertex');
    if (sumVertex.kind === 'vertex') assert.ok(eliminableVertices(g).includes(sumVertex.id));
    const lastOutput = g.outputs[0];
    if (lastOutput.kind === 'vertex') assert.ok(!eliminableVertices(g).includes(lastOutput.id));
  });

  test('a graph JSON with a forward reference or a wrong declared shape is rejected', () => {
    const json = graphToJson(griewank());
    const forward = structuredClone(json);
    forward.vertices[0].operands[0] = { vertex: 3 };
    throwsOneLine(() => validateGraph(graphFromJson(forward)), GraphValidationError, /vertex 1 .*vertex 3/);
    const badShape = structuredClone(json);
    badShape.vertices[1].shape = [2];
    throwsOneLine(() => validateGraph(graphFromJson(badShape)), GraphValidationError, /vertex 2 \(sin\)/);
    const unknown = structuredClone(json);
    unknown.vertices[1].primitive = 'foo';
    throwsOneLine(() => validateGraph(graphFromJson(unknown)), UnsupportedPrimitiveError, /'foo'/);
  });
});

describe('bad input gives one clear line', () => {
  const g = griewank();
  test('invalid orders', () => {
    throwsOneLine(() => validateOrder(g, [1]), InvalidOrderError, /missing vertices 2/);
    throwsOneLine(() => validateOrder(g, [1, 1, 2]), InvalidOrderError, /vertex 1 twice/);
    throwsOneLine(() => validateOrder(g, [1, 2, 9]), InvalidOrderError, /vertex 9/);
    throwsOneLine(() => validateOrder(g, [1, 2, 3]), InvalidOrderError, /vertex 3.*pure output/);
    throwsOneLine(() => validateOrder(g, [1, 2.5]), InvalidOrderError, /vertex 2.5/);
    throwsOneLine(() => countOrder(g, [2]), InvalidOrderError, /missing/);
  });

  test('shape mismatches', () => {
    throwsOneLine(() => jacobianAtPoint(g, [scalarTensor(1)], [1, 2]), ShapeError, /expected 2 inputs/);
    throwsOneLine(
      () => jacobianAtPoint(g, [scalarTensor(1), tensor([2], [1, 2])], [1, 2]),
      ShapeError,
      /input 2 \(y\) has shape \[2\]/,
    );
    throwsOneLine(
      () => trace((a, b) => np.add(a, b), [[2], [3]]),
      ShapeError,
      /add: operand shapes \[2\] and \[3\]/,
    );
    throwsOneLine(
      () =>
        trace(
          (a, b) => np.matmul(a, b),
          [
            [2, 3],
            [2, 3],
          ],
        ),
      ShapeError,
      /dot_general: contracting sizes/,
    );
    throwsOneLine(() => trace((a) => np.reshape(a, [4]), [[2, 3]]), ShapeError, /reshape/);
  });

  test('unsupported operations', () => {
    const b = new GraphBuilder();
    const x = b.addInput('x', []);
    throwsOneLine(
      () => b.addVertex('gather' as never, [x], {} as never),
      UnsupportedPrimitiveError,
      /'gather'/,
    );
  });

  test('non-finite inputs and values: IEEE by default, named with checkFinite', () => {
    // Default: IEEE semantics, as JAX: NaN propagates instead of a different number.
    const nan = jacobianAtPoint(g, [scalarTensor(2), scalarTensor(2)], [1, 2]);
    assert.ok(Number.isNaN(nan.outputs[1].data[0]));
    const check = { checkFinite: true };
    throwsOneLine(
      () => jacobianAtPoint(g, [scalarTensor(NaN), scalarTensor(1)], [1, 2], check),
      NonFiniteError,
      /input 1 \(x\)/,
    );
    throwsOneLine(
      () => jacobianAtPoint(g, [scalarTensor(Infinity), scalarTensor(1)], [1, 2], check),
      NonFiniteError,
      /input 1/,
    );
    // sin(xy) < 0 here, so log produces NaN: the vertex is named instead of returning a wrong Jacobian.
    throwsOneLine(
      () => jacobianAtPoint(g, [scalarTensor(2), scalarTensor(2)], [1, 2], check),
      NonFiniteError,
      /vertex 4 \(log\) is not finite at element 0: NaN \(at x=2, y=2\)/,
    );
  });
});
