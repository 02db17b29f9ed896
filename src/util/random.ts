import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';

/** A seeded random source (pure-rand's xoroshiro128+), so every random graph and order is reproducible. */
export class Rng {
  private readonly gen;

  constructor(seed: number, state?: readonly number[]) {
    this.gen = state ? xoroshiro128plusFromState(state) : xoroshiro128plus(seed);
  }

  /** The generator's internal state, for checkpoints: `new Rng(0, rng.state())` continues the stream. */
  state(): number[] {
    return [...this.gen.getState()];
  }

  /** Uniform integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return uniformInt(this.gen, lo, hi);
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return uniformFloat64(this.gen);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}
