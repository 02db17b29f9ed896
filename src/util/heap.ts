/** A binary min-heap of (priority, tiebreak, value) triples in parallel typed arrays. */
export class MinHeap {
  private prio = new Float64Array(1024);
  private tie = new Float64Array(1024);
  private vals = new Int32Array(1024);
  size = 0;

  push(priority: number, tiebreak: number, value: number): void {
    if (this.size === this.vals.length) this.grow();
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(priority, tiebreak, this.prio[p], this.tie[p])) break;
      this.prio[i] = this.prio[p];
      this.tie[i] = this.tie[p];
      this.vals[i] = this.vals[p];
      i = p;
    }
    this.prio[i] = priority;
    this.tie[i] = tiebreak;
    this.vals[i] = value;
  }

  peekPriority(): number {
    return this.size > 0 ? this.prio[0] : Infinity;
  }

  /** Removes the minimum and returns its value. */
  pop(): number {
    const top = this.vals[0];
    const n = --this.size;
    const lp = this.prio[n];
    const lt = this.tie[n];
    const lv = this.vals[n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.less(this.prio[c + 1], this.tie[c + 1], this.prio[c], this.tie[c])) c++;
      if (!this.less(this.prio[c], this.tie[c], lp, lt)) break;
      this.prio[i] = this.prio[c];
      this.tie[i] = this.tie[c];
      this.vals[i] = this.vals[c];
      i = c;
    }
    this.prio[i] = lp;
    this.tie[i] = lt;
    this.vals[i] = lv;
    return top;
  }

  private less(p1: number, t1: number, p2: number, t2: number): boolean {
    return p1 < p2 || (p1 === p2 && t1 < t2);
  }

  private grow(): void {
    const grow = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(a.length * 2);
      b.set(a);
      return b;
    };
    this.prio = grow(this.prio, (n) => new Float64Array(n));
    this.tie = grow(this.tie, (n) => new Float64Array(n));
    this.vals = grow(this.vals, (n) => new Int32Array(n));
  }
}
