/**
 * Value transforms (alphagrad-spec §7.2): the network regresses a compressed return so that graphs whose
 * returns differ by orders of magnitude train alike. `r2d2` is h(x) = sign(x)(√(|x|+1) − 1) + εx with its
 * exact inverse; `symlog` uses the correct inverse exp(|x|) − 1 (the paper's "symexp" is off by 1/e).
 */
export type ValueTransformName = 'r2d2' | 'symlog' | 'identity';

export const VALUE_TRANSFORMS: readonly ValueTransformName[] = ['r2d2', 'symlog', 'identity'];

const EPS = 0.001;

export function transformValue(name: ValueTransformName, x: number): number {
  switch (name) {
    case 'r2d2':
      return Math.sign(x) * (Math.sqrt(Math.abs(x) + 1) - 1) + EPS * x;
    case 'symlog':
      return Math.sign(x) * Math.log1p(Math.abs(x));
    case 'identity':
      return x;
  }
}

export function inverseTransformValue(name: ValueTransformName, y: number): number {
  switch (name) {
    case 'r2d2': {
      // Solves sign(x)(√(|x|+1) − 1) + εx = y for x (Pohlen et al. 2018, Proposition A.2).
      const inner = Math.sqrt(1 + 4 * EPS * (Math.abs(y) + 1 + EPS)) - 1;
      return Math.sign(y) * ((inner / (2 * EPS)) ** 2 - 1);
    }
    case 'symlog':
      return Math.sign(y) * Math.expm1(Math.abs(y));
    case 'identity':
      return y;
  }
}
