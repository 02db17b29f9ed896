/**
 * Generated jaxpr text with JAX's variable names, for the import bench and tests: a long scalar program
 * whose names run through every JAX identifier up to its length, including the ones that read like
 * keywords or literals (`in`, `if`, `let`, `inf`, `nan`, `max`, `sin`, …).
 */

/**
 * The name JAX prints for its n-th variable (0-based): n in base 26 with digits a–z, most significant
 * first, no leading zeros — a, b, …, z, ba, bb, …, zz, baa, … (`_encode_digits_alphabetic` in
 * jax/_src/core.py). So `in` is variable 221, `inf` 5751, `let` 7559 and `nan` 8801.
 */
export function jaxVarName(n: number): string {
  let s = '';
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26);
  } while (n > 0);
  return s;
}

/** An operand: a variable number (0-based, inputs first) or a literal. */
export type SyntheticOperand = { readonly v: number } | { readonly literal: number };

export interface SyntheticEquation {
  readonly primitive: 'sin' | 'cos' | 'add' | 'sub' | 'mul' | 'abs' | 'min' | 'max';
  readonly operands: readonly SyntheticOperand[];
}

export interface SyntheticProgram {
  readonly numInputs: number;
  /** Equation k binds variable numInputs + k. */
  readonly equations: readonly SyntheticEquation[];
  /** Output variables, in return order. */
  readonly outputs: readonly number[];
}

/**
 * Names JAX can generate that are also keywords or literal names of the jaxpr grammar, or read like one;
 * the program returns each of them it binds.
 */
export const COLLIDING_NAMES = ['in', 'if', 'inf', 'let', 'nan'] as const;

/** Four inputs: `inf` is then bound right after a `min … inf:f32[]` equation. */
const NUM_INPUTS = 4;

/**
 * A scalar program of `numEquations` equations cycling through sin, add, mul by 0.5, abs, min with
 * `inf`, sub, max with `-inf`, cos and mul. Every variable is read by the next equation; `add`, `sub` and
 * the last `mul` also read an earlier sin or cos result (bounded, so values stay finite), at varying
 * distances. Outputs: the last variable, then every colliding name that is bound.
 */
export function syntheticProgram(numEquations: number): SyntheticProgram {
  const equations: SyntheticEquation[] = [];
  const bounded: number[] = [0]; // variables with |value| ≤ 1 when the inputs are in [-1, 1]
  for (let k = 0; k < numEquations; k++) {
    const v = NUM_INPUTS + k;
    const prev = { v: v - 1 };
    const far = { v: bounded[bounded.length - 1 - (k % Math.min(bounded.length, 7))] };
    const step = k % 9;
    const eq: SyntheticEquation = (
      [
        { primitive: 'sin', operands: [prev] },
        { primitive: 'add', operands: [prev, far] },
        { primitive: 'mul', operands: [prev, { literal: 0.5 }] },
        { primitive: 'abs', operands: [prev] },
        { primitive: 'min', operands: [prev, { literal: Infinity }] },
        { primitive: 'sub', operands: [far, prev] },
        { primitive: 'max', operands: [{ literal: -Infinity }, prev] },
        { primitive: 'cos', operands: [prev] },
        { primitive: 'mul', operands: [prev, far] },
      ] as const
    )[step];
    equations.push(eq);
    if (step === 0 || step === 7) bounded.push(v);
  }
  const last = NUM_INPUTS + numEquations - 1;
  const named = COLLIDING_NAMES.map(varNumber).filter((n) => n < last);
  return { numInputs: NUM_INPUTS, equations, outputs: [last, ...named] };
}

/** The number of the variable JAX names `name` (the inverse of jaxVarName). */
export function varNumber(name: string): number {
  let n = 0;
  for (const c of name) n = n * 26 + (c.charCodeAt(0) - 97);
  return n;
}

const literalText = (x: number): string =>
  `${x === Infinity ? 'inf' : x === -Infinity ? '-inf' : Number.isNaN(x) ? 'nan' : x.toFixed(1)}:f32[]`;

/** The program as `str(jax.make_jaxpr(f)(*xs))` prints it. */
export function jaxprText(p: SyntheticProgram): string {
  const inputs = Array.from({ length: p.numInputs }, (_, i) => `${jaxVarName(i)}:f32[]`);
  const lines = [`{ lambda ; ${inputs.join(' ')}. let`];
  p.equations.forEach((eq, k) => {
    const args = eq.operands.map((op) => ('v' in op ? jaxVarName(op.v) : literalText(op.literal)));
    lines.push(`    ${jaxVarName(p.numInputs + k)}:f32[] = ${eq.primitive} ${args.join(' ')}`);
  });
  lines.push(`  in (${p.outputs.map(jaxVarName).join(', ')}) }`);
  return lines.join('\n');
}

const APPLY: Record<SyntheticEquation['primitive'], (x: number, y: number) => number> = {
  sin: Math.sin,
  cos: Math.cos,
  abs: Math.abs,
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  min: Math.min,
  max: Math.max,
};

/** Evaluates the program directly (no graph), returning the output values. */
export function evaluateProgram(p: SyntheticProgram, inputs: readonly number[]): number[] {
  const values = [...inputs];
  for (const eq of p.equations) {
    const [x, y] = eq.operands.map((op) => ('v' in op ? values[op.v] : op.literal));
    values.push(APPLY[eq.primitive](x, y));
  }
  return p.outputs.map((v) => values[v]);
}
