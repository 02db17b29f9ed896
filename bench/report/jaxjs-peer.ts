/**
 * The TypeScript peer for the runtime benchmark: @jax-js/jax (JAX's API in TypeScript, WebAssembly
 * backend). Our graph is replayed with jax-js operations as a function of one flat input vector, and
 * `jit(vmap(jacfwd(f)))` / `jit(vmap(jacrev(f)))` compute the Jacobian for a batch. jax-js computes in
 * float32 (its default and fast path), crosscountry in float64.
 */
import { operandShape, type Graph, type Operand, type Vertex } from '../../src/graph/graph.js';
import { sizeOf } from '../../src/graph/shape.js';
import { selectionBlocks } from '../../src/primitives/table.js';

type JaxModule = typeof import('@jax-js/jax');
type JArray = InstanceType<JaxModule['Array']>;
type Fn = (...args: unknown[]) => JArray;

let loaded: JaxModule | null = null;

/** Loads jax-js with the Node 20 shims it needs (a navigator object and a Float16Array placeholder). */
export async function loadJaxjs(): Promise<JaxModule> {
  if (loaded) return loaded;
  const g = globalThis as Record<string, unknown>;
  g.navigator ??= { userAgent: 'node', hardwareConcurrency: 2 };
  g.Float16Array ??= class Float16Array {};
  const jax = await import('@jax-js/jax');
  await jax.init('wasm');
  jax.defaultDevice('wasm');
  loaded = jax;
  return jax;
}

const UNARY: Record<string, string> = {
  neg: 'negative',
  abs: 'abs',
  exp: 'exp',
  log: 'log',
  log1p: 'log1p',
  sin: 'sin',
  cos: 'cos',
  tan: 'tan',
  asin: 'arcsin',
  acos: 'arccos',
  atan: 'arctan',
  sinh: 'sinh',
  cosh: 'cosh',
  tanh: 'tanh',
  asinh: 'arcsinh',
  acosh: 'arccosh',
  atanh: 'arctanh',
  sqrt: 'sqrt',
  square: 'square',
};
const BINARY: Record<string, string> = {
  add: 'add',
  add_any: 'add',
  sub: 'subtract',
  mul: 'multiply',
  div: 'divide',
  pow: 'power',
  atan2: 'arctan2',
  max: 'maximum',
  min: 'minimum',
};

/**
 * f(v) = all outputs flattened and concatenated (or only flat output element `only`), as a function of all
 * inputs flattened into v.
 */
export function jaxjsFunction(jax: JaxModule, graph: Graph, only?: number): (v: JArray) => JArray {
  const np = jax.numpy as unknown as Record<string, Fn>;
  const sizes = graph.inputs.map((x) => x.shape.reduce((p, d) => p * d, 1));
  for (const v of graph.vertices) {
    const ok =
      v.primitive in UNARY ||
      v.primitive in BINARY ||
      [
        'integer_pow',
        'rsqrt',
        'logistic',
        'erf',
        'convert_element_type',
        'copy',
        'stop_gradient',
        'reshape',
        'squeeze',
        'broadcast_in_dim',
        'reduce_sum',
        'reduce_max',
        'reduce_min',
        'dot_general',
        ...SELECTED,
      ].includes(v.primitive);
    if (!ok)
      throw new Error(`the jax-js replay has no mapping for primitive '${v.primitive}' (vertex ${v.id})`);
  }
  return (v: JArray): JArray => {
    // Inputs are cut out of v by constant selection matrices rather than slices: jax-js transposes
    // slices wrongly under grad (every input receives the whole cotangent).
    const total = sizes.reduce((a, b) => a + b, 0);
    let offset = 0;
    const inputs = graph.inputs.map((x, k) => {
      const select = new Float32Array(sizes[k] * total);
      for (let i = 0; i < sizes[k]; i++) select[i * total + offset + i] = 1;
      offset += sizes[k];
      return np.matmul(np.array(select).reshape([sizes[k], total]), v.ref).reshape([...x.shape]);
    });
    const values: JArray[] = [];
    const rankOf = (op: Operand): number => operandShape(graph, op).length;
    const get = (op: Operand): JArray | number =>
      op.kind === 'input'
        ? inputs[op.index].ref
        : op.kind === 'vertex'
          ? values[op.id - 1].ref
          : op.value.data[0];
    for (const vx of graph.vertices) {
      const args = vx.operands.map(get);
      const x = args[0] as JArray;
      let out: JArray;
      const p = vx.primitive;
      if (p in UNARY) out = np[UNARY[p]](x);
      else if (p in BINARY) out = np[BINARY[p]](args[0], args[1]);
      else if (vx.primitive === 'integer_pow') out = np.power(x, vx.params.y);
      else if (p === 'rsqrt') out = np.divide(1, np.sqrt(x));
      else if (p === 'logistic') out = (jax.nn as unknown as Record<string, Fn>).sigmoid(x);
      else if (p === 'erf') out = (jax.scipySpecial as unknown as Record<string, Fn>).erf(x);
      else if (p === 'stop_gradient') out = (jax.lax as unknown as Record<string, Fn>).stopGradient(x);
      else if (vx.primitive === 'reduce_sum') out = np.sum(x, vx.params.axes);
      else if (vx.primitive === 'reduce_max') out = np.max(x, vx.params.axes);
      else if (vx.primitive === 'reduce_min') out = np.min(x, vx.params.axes);
      else if (vx.primitive === 'dot_general') {
        const [li, ri, oi] = einsumOf(vx, rankOf(vx.operands[0]), rankOf(vx.operands[1]));
        out = np.einsum(args[0], li, args[1], ri, oi);
      } else if (SELECTED.includes(p)) out = selected(np, graph, vx, args);
      else if (vx.primitive === 'broadcast_in_dim') {
        // Insert the new axes as size 1, then broadcast.
        const shape = vx.params.shape.map(() => 1);
        const src = typeof x === 'number' ? [] : (x as JArray).shape;
        vx.params.broadcast_dimensions.forEach((d, i) => (shape[d] = src[i]));
        out = np.broadcastTo(typeof x === 'number' ? np.array(x) : (x as JArray).reshape(shape), [
          ...vx.params.shape,
        ]);
      } else out = typeof x === 'number' ? np.array(x).reshape([...vx.shape]) : x.reshape([...vx.shape]);
      values.push(out);
    }
    const outs = graph.outputs.map((op) => {
      const o = get(op);
      return (typeof o === 'number' ? np.array([o]) : o).reshape([-1]);
    });
    if (only === undefined) return np.concatenate(outs);
    let k = only;
    for (const o of outs) {
      if (k < o.shape[0]) {
        // A one-hot dot product, not o.slice(k): slices get wrong cotangents under grad in jax-js 0.1.25.
        const pick = new Float32Array(o.shape[0]);
        pick[k] = 1;
        return np.dot(np.array(pick), o);
      }
      k -= o.shape[0];
    }
    throw new RangeError(`no output element ${only}`);
  };
}

/**
 * Data movement replayed as products with constant 0/1 selection matrices (from our own rule's local
 * partials): jax-js 0.1.25 transposes slices wrongly under grad, and its concatenate breaks jacrev.
 */
const SELECTED = ['slice', 'concatenate', 'transpose'];

function selected(np: Record<string, Fn>, graph: Graph, vx: Vertex, args: (JArray | number)[]): JArray {
  const shapes = vx.operands.map((op) => operandShape(graph, op));
  const blocks = selectionBlocks(vx, shapes);
  const n = sizeOf(vx.shape);
  let out: JArray | null = null;
  blocks.forEach((block, k) => {
    if (!block) return;
    const m = sizeOf(shapes[k]);
    const matrix = new Float32Array(n * m);
    for (let r = 0; r < block.rows; r++)
      for (let p = block.rowPtr[r]; p < block.rowPtr[r + 1]; p++) matrix[r * m + block.colIdx[p]] = 1;
    const arg = args[k];
    const flat = typeof arg === 'number' ? np.array([arg]) : arg.reshape([m]);
    const term = np.matmul(np.array(matrix).reshape([n, m]), flat);
    out = out === null ? term : np.add(out, term);
  });
  if (out === null) throw new Error(`'${vx.primitive}' (vertex ${vx.id}) selects nothing`);
  return (out as JArray).reshape([...vx.shape]);
}

/**
 * dot_general as einsum index lists (lhs, rhs, output): batch axes, then lhs free axes, then rhs free axes,
 * JAX's output order. The numeric form, because jax-js parses string subscripts with Node 22 iterator helpers.
 */
function einsumOf(vx: Vertex, lhsRank: number, rhsRank: number): [number[], number[], number[]] {
  if (vx.primitive !== 'dot_general') throw new Error(`'${vx.primitive}' is not a dot_general`);
  const [[lc, rc], [lb, rb]] = vx.params.dimension_numbers;
  let next = 0;
  const lhs = new Array<number>(lhsRank).fill(-1);
  const rhs = new Array<number>(rhsRank).fill(-1);
  lb.forEach((a, i) => (lhs[a] = rhs[rb[i]] = next++));
  lc.forEach((a, i) => (lhs[a] = rhs[rc[i]] = next++));
  const free = (labels: number[]): number[] =>
    labels.flatMap((l, a) => (l === -1 ? [(labels[a] = next++)] : []));
  const lf = free(lhs);
  const rf = free(rhs);
  return [lhs, rhs, [...lb.map((a) => lhs[a]), ...lf, ...rf]];
}

export interface JaxjsVariant {
  /** One Jacobian batch ([batch, outputs, inputs]); resolves when the result is computed. */
  run(): Promise<void>;
  /** The Jacobian of the first point as a row-major (outputs × inputs) matrix. */
  firstJacobian(): Promise<Float64Array>;
}

/**
 * jacfwd: jit(vmap(jacfwd(f))). jacrev: jax-js's jacrev fails on functions whose output is assembled by
 * concatenate ("split: sizes must sum…"), so reverse mode is run as what jacrev does, one vmapped reverse
 * sweep (grad) per output element, each jitted. Input: a [batch, inputs] float32 array.
 */
export function jaxjsVariant(
  jax: JaxModule,
  graph: Graph,
  mode: 'jacfwd' | 'jacrev',
  flatInputs: Float64Array,
  batch: number,
): JaxjsVariant {
  const n = flatInputs.length / batch;
  const xs = jax.numpy.array(Float32Array.from(flatInputs)).reshape([batch, n]);
  let calls: ((x: JArray) => JArray)[];
  if (mode === 'jacfwd')
    calls = [jax.jit(jax.vmap(jax.jacfwd(jaxjsFunction(jax, graph)))) as unknown as (x: JArray) => JArray];
  else {
    const m = graph.outputs.reduce(
      (s, op) =>
        s +
        (op.kind === 'literal'
          ? op.value.data.length
          : op.kind === 'input'
            ? graph.inputs[op.index].shape.reduce((p, d) => p * d, 1)
            : graph.vertices[op.id - 1].shape.reduce((p, d) => p * d, 1)),
      0,
    );
    calls = Array.from(
      { length: m },
      (_u, i) =>
        jax.jit(jax.vmap(jax.grad(jaxjsFunction(jax, graph, i)))) as unknown as (x: JArray) => JArray,
    );
  }
  return {
    async run() {
      for (const J of calls) {
        const r = await J(xs.ref).blockUntilReady();
        r.dispose();
      }
    },
    async firstJacobian() {
      // Rows of the first point: jacfwd gives [batch, m, n]; each grad gives [batch, n].
      const rows: number[] = [];
      for (const J of calls) {
        const data = Array.from(await J(xs.ref).data(), Number);
        rows.push(...data.slice(0, data.length / batch));
      }
      if (mode === 'jacrev') return Float64Array.from(rows);
      // jax-js's vmapped jacfwd lays each point out as inputs × outputs: transpose to outputs × inputs.
      const m = rows.length / n;
      return Float64Array.from({ length: rows.length }, (_u, k) => rows[(k % n) * m + Math.floor(k / n)]);
    },
  };
}
