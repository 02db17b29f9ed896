import { UNARY } from '../primitives/elementwise.js';
import { TABLE_FUNCTIONS } from './lower.js';

type Fn = (...args: number[]) => number;

/** A math-table function as self-contained source: parameters (the last may be a rest list) and a body. */
export interface FunctionSource {
  readonly params: readonly string[];
  readonly rest?: string;
  /** Statements of the function body (they return the value). */
  readonly body: string;
}

const CASE_OF = 'Math.min(n-1,Math.max(0,Math.trunc(w)))';

/**
 * erf without dependencies, written for emitted modules (the library uses stdlib's erf, which a standalone
 * file cannot import). |x| < 2.5: 2/√π·e^(−x²)·Σ 2^n x^(2n+1)/(1·3···(2n+1)), whose terms are all positive
 * (no cancellation); beyond, 1 − erfc(x) with erfc's continued fraction to depth 60; |x| ≥ 6 rounds to ±1.
 * Within 1.2e-15 (relative) of stdlib's erf on [−7, 7] (test/standalone.test.ts checks it).
 */
const ERF_BODY = [
  'const a=Math.abs(x);',
  'if(!(a<6))return a===a?(x>0?1:-1):x;',
  'if(a===0)return x;',
  'let r=0;',
  'if(a<2.5){const a2=2*a*a;let term=a,sum=a;for(let n=1;term>1e-17*sum;n++){term*=a2/(2*n+1);sum+=term;}r=1.1283791670955126*Math.exp(-a*a)*sum;}',
  'else{let f=a;for(let k=60;k>=1;k--)f=a+k/2/f;r=1-Math.exp(-a*a)/(1.7724538509055159*f);}',
  'return x<0?-r:r;',
].join('');

/** The same formulas as the library's tables (same floating-point operations, so the same results). */
const SOURCES = new Map<Fn, FunctionSource>([
  [TABLE_FUNCTIONS.selectN, { params: ['n', 'w'], rest: 'cases', body: `return cases[${CASE_OF}];` }],
  [TABLE_FUNCTIONS.selectMask, { params: ['n', 'k', 'w'], body: `return ${CASE_OF}===k?1:0;` }],
  [
    TABLE_FUNCTIONS.ties,
    { params: ['out'], rest: 'xs', body: 'let t=0;for(const x of xs)t+=x===out?1:0;return t;' },
  ],
  [TABLE_FUNCTIONS.share, { params: ['x', 'out', 't'], body: 'return x===out?1/t:0;' }],
  [Math.max, { params: [], rest: 'xs', body: 'return Math.max(...xs);' }],
  [Math.min, { params: [], rest: 'xs', body: 'return Math.min(...xs);' }],
  // Unary table functions take (x, y) and derivatives (x, out, y): the calls pass all of them.
  [UNARY.erf.value, { params: ['x', '_y'], body: ERF_BODY }],
  [
    UNARY.erf.derivative,
    { params: ['x', '_out', '_y'], body: 'return (2/Math.sqrt(Math.PI))*Math.exp(-x*x);' },
  ],
]);

/** Source of math-table function `fn` named `name`, in JavaScript or (typed) TypeScript. */
export function functionSource(fn: Fn, name: string, typed: boolean): string {
  const source = SOURCES.get(fn);
  // Every call without an inline form comes from compile/lower.ts, whose functions are all listed above.
  if (!source) throw new Error(`no standalone source for math function ${name} (${fn.name || 'anonymous'})`);
  const t = (type: string): string => (typed ? `: ${type}` : '');
  const params = [
    ...source.params.map((p) => `${p}${t('number')}`),
    ...(source.rest ? [`...${source.rest}${t('number[]')}`] : []),
  ];
  return `function ${name}(${params.join(', ')})${t('number')} {${source.body}}`;
}
