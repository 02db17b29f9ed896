import { CrosscountryError, UnsupportedPrimitiveError } from '../graph/errors.js';
import type { Graph, Operand } from '../graph/graph.js';
import { isPrimitive, type Primitive } from '../graph/primitive.js';
import { formatShape, shapesEqual } from '../graph/shape.js';
import { scalarTensor } from '../graph/tensor.js';
import { GraphBuilder } from '../primitives/builder.js';
import { paramsFromJaxpr, type JaxprValue } from './params.js';
import { JaxprParseError, Lexer, type Token } from './tokenize.js';

/** Literal names, as JAX prints them before a type (`-inf:f32[]`); bare, the same names are variables. */
const NAMED_LITERALS = new Map<string, number>([
  ['inf', Infinity],
  ['-inf', -Infinity],
  ['nan', NaN],
  ['True', 1],
  ['False', 0],
]);

interface Binder {
  name: string;
  shape: number[];
  line: number;
}

/** A recursive-descent reader over the lexer's tokens, buffering only the ones looked ahead at. */
class Reader {
  private readonly ahead: Token[] = [];
  private head = 0;
  private last: Token | undefined;
  constructor(private readonly lexer: Lexer) {}

  peek(offset = 0): Token {
    while (this.ahead.length <= this.head + offset) this.ahead.push(this.lexer.next());
    return this.ahead[this.head + offset];
  }
  /** The token `next()` returned last (the first token before any). */
  previous(): Token {
    return this.last ?? this.peek();
  }
  next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') {
      this.last = t;
      if (++this.head === 256) {
        this.ahead.splice(0, this.head);
        this.head = 0;
      }
    }
    return t;
  }
  is(text: string, offset = 0): boolean {
    return this.peek(offset).text === text && this.peek(offset).kind !== 'end';
  }
  expect(text: string, what: string): Token {
    const t = this.next();
    if (t.text !== text || t.kind === 'end') this.fail(t, `expected '${text}' ${what}, found '${t.text}'`);
    return t;
  }
  name(what: string): Token {
    const t = this.next();
    if (t.kind !== 'name') this.fail(t, `expected ${what}, found '${t.text}'`);
    return t;
  }
  fail(t: Token, message: string): never {
    throw new JaxprParseError(`jaxpr line ${t.line}: ${message}`);
  }
}

/** `name:dtype[d0,d1,…]` */
function readBinder(r: Reader): Binder {
  const name = r.name('a variable');
  r.expect(':', `after variable '${name.text}'`);
  return { name: name.text, shape: readType(r), line: name.line };
}

/** `dtype[d0,d1,…]`; the dtype itself is ignored: crosscountry computes in Float64. */
function readType(r: Reader): number[] {
  r.name('a dtype such as f32');
  r.expect('[', 'to open a shape');
  const dims: number[] = [];
  while (!r.is(']')) {
    const t = r.next();
    if (t.kind !== 'number' || !/^\d+$/.test(t.text)) r.fail(t, `bad dimension '${t.text}' in a shape`);
    dims.push(Number(t.text));
    if (r.is(',')) r.next();
  }
  r.next();
  return dims;
}

/** A parameter value: number, name, tuple `(…)` or list `[…]`. */
function readValue(r: Reader): JaxprValue {
  const t = r.next();
  if (t.kind === 'number') return Number(t.text);
  if (t.kind === 'name') {
    let name = t.text;
    while (r.is('.') && r.peek(1).kind === 'name') name += r.next().text + r.next().text;
    // NumPy scalar wrappers such as np.int64(1) stand for their argument.
    if (r.is('(') && /^(np|numpy)\.(u?int|float)\d*$/.test(name)) {
      r.next();
      const inner = readValue(r);
      r.expect(')', `to close ${name}(`);
      return inner;
    }
    return name === 'None' ? null : name;
  }
  if (t.text === '(' || t.text === '[') {
    const close = t.text === '(' ? ')' : ']';
    const items: JaxprValue[] = [];
    while (!r.is(close)) {
      if (r.peek().kind === 'end') r.fail(r.peek(), `unclosed '${t.text}'`);
      items.push(readValue(r));
      if (r.is(',')) r.next();
    }
    r.next();
    return items;
  }
  if (t.text === '{') r.fail(t, 'nested jaxprs (pjit, custom_jvp_call, …) are not supported');
  return r.fail(t, `unexpected '${t.text}' in a parameter value`);
}

function readParams(r: Reader): Record<string, JaxprValue> {
  const params: Record<string, JaxprValue> = {};
  if (!r.is('[')) return params;
  r.next();
  while (!r.is(']')) {
    const key = r.name('a parameter name');
    r.expect('=', `after parameter '${key.text}'`);
    params[key.text] = readValue(r);
  }
  r.next();
  return params;
}

/**
 * Imports the text JAX prints for `jax.make_jaxpr(f)(*args)` into the graph IR, with values (literals
 * become constants), so the program can be evaluated, differentiated, counted and optimised. Each equation
 * is one vertex, numbered 1-based in order, exactly as Graphax numbers them.
 *
 * Keywords are positional: `lambda`, `let` and `in` are keywords only where the grammar expects one, so
 * every name JAX generates (`a` … `z`, `ba` …, which include `in`, `let`, `inf`, `nan`, `sin`, …) is a
 * variable wherever a variable can stand. One pass over the tokens, a map lookup per name: linear time.
 */
export function importJaxpr(text: string): Graph {
  const r = new Reader(new Lexer(text));
  r.expect('{', 'at the start of a jaxpr');
  r.expect('lambda', "after '{'");
  if (!r.is(';'))
    r.fail(r.peek(), 'closed-over constants (constvars) are not supported: pass them as inputs');
  r.next();
  const b = new GraphBuilder();
  const env = new Map<string, Operand>();
  while (!r.is('.')) {
    const binder = readBinder(r);
    env.set(binder.name, b.addInput(binder.name, binder.shape));
  }
  r.next();
  r.expect('let', "after the inputs' '.'");
  while (!atOutputs(r)) {
    if (r.peek().kind === 'end') r.fail(r.peek(), "missing 'in (…)' with the outputs");
    readEquation(r, b, env);
  }
  r.next(); // in
  r.next(); // (
  const outputs: Operand[] = [];
  while (!r.is(')')) {
    outputs.push(readAtom(r, env));
    if (r.is(',')) r.next();
  }
  r.next();
  r.expect('}', 'to close the jaxpr');
  if (r.peek().kind !== 'end') r.fail(r.peek(), `unexpected '${r.peek().text}' after the jaxpr`);
  if (outputs.length === 0) r.fail(r.peek(), 'the jaxpr has no outputs');
  return b.build(outputs);
}

/** `in (` closes the equations; a variable named `in` is followed by ':' (binder) or is an operand. */
const atOutputs = (r: Reader): boolean => r.is('in') && r.is('(', 1);

function readEquation(r: Reader, b: GraphBuilder, env: Map<string, Operand>): void {
  const first = r.peek();
  const outs: Binder[] = [];
  while (!r.is('=')) {
    if (r.peek().kind !== 'name')
      r.fail(r.peek(), `expected an equation 'out:type = primitive …', found '${r.peek().text}'`);
    outs.push(readBinder(r));
  }
  r.next();
  const prim = r.name('a primitive name');
  if (outs.length !== 1)
    r.fail(
      prim,
      `equation '${prim.text}' has ${outs.length} outputs; only single-output equations are supported`,
    );
  if (!isPrimitive(prim.text))
    throw new UnsupportedPrimitiveError(`jaxpr line ${prim.line}: unsupported primitive '${prim.text}'`);
  const primitive: Primitive = prim.text;
  const raw = readParams(r);
  const args: Operand[] = [];
  while (startsArgument(r, first.column)) args.push(readAtom(r, env));
  const out = outs[0];
  let result: Operand;
  try {
    result = b.addVertex(primitive, args, paramsFromJaxpr(primitive, raw, out.shape) as never, out.name);
  } catch (err) {
    if (err instanceof CrosscountryError && !(err instanceof JaxprParseError)) {
      throw new (err.constructor as new (m: string) => CrosscountryError)(
        `jaxpr line ${prim.line}: ${err.message}`,
      );
    }
    throw err;
  }
  const shape = b.shapeOf(result);
  if (!shapesEqual(shape, out.shape)) {
    r.fail(
      prim,
      `${primitive} computes shape ${formatShape(shape)} but the jaxpr declares ${formatShape(out.shape)}`,
    );
  }
  if (out.name !== '_') env.set(out.name, result);
}

/**
 * Whether the next tokens are one more argument of the equation whose outputs start at `column`:
 * a number literal (`0.5:f32[]`), a named literal (`-inf:f32[]`, `inf:f32[]`, `nan:f32[]`) or a bare
 * variable — any name not followed by ':', `in` included unless it opens the outputs `in (`. A name
 * followed by ':' is the first output of the next equation, except a literal name, which is one only
 * when its type is followed by '=' (`inf:f32[] = sin h`) or it starts a line in the equations' column
 * (a multi-output equation `inf:f32[] j:f32[] = …`); elsewhere it is a literal (`min h inf:f32[]`).
 */
function startsArgument(r: Reader, column: number): boolean {
  const t = r.peek();
  if (t.kind === 'number') return true;
  if (t.kind !== 'name') return false;
  if (!r.is(':', 1)) return !atOutputs(r);
  if (!NAMED_LITERALS.has(t.text)) return false;
  if (t.text.startsWith('-')) return true;
  if (r.is('=', afterType(r, 2))) return false;
  return !(t.column === column && t.line > r.previous().line);
}

/** The offset of the token after the type `dtype[d0,d1,…]` that starts at `offset` (or where it breaks). */
function afterType(r: Reader, offset: number): number {
  let k = offset + 1;
  if (!r.is('[', k)) return k;
  k++;
  while (r.peek(k).kind === 'number' || r.is(',', k)) k++;
  return r.is(']', k) ? k + 1 : k;
}

function readAtom(r: Reader, env: Map<string, Operand>): Operand {
  const t = r.next();
  if (t.kind === 'number' || (t.kind === 'name' && NAMED_LITERALS.has(t.text) && r.is(':'))) {
    r.expect(':', `after literal '${t.text}'`);
    const shape = readType(r);
    if (shape.length !== 0) r.fail(t, `literal '${t.text}' has non-scalar type ${formatShape(shape)}`);
    return {
      kind: 'literal',
      value: scalarTensor(t.kind === 'number' ? Number(t.text) : (NAMED_LITERALS.get(t.text) as number)),
    };
  }
  if (t.kind === 'name') {
    const op = env.get(t.text);
    if (!op) r.fail(t, `unknown variable '${t.text}'`);
    return op;
  }
  return r.fail(t, `expected a variable or a literal, found '${t.text}'`);
}
