/**
 * The stored states of a search over sets of eliminated vertices: each set is a bitset of any width (one
 * Uint32 word per 32 vertices), found again through an open-addressing hash table, so the search has no
 * cap on the number of vertices. Per state: its cost so far g, its bound h once computed (NaN before),
 * the state it was reached from and the move that reached it, and whether it was expanded.
 */
export class StateTable {
  /** Uint32 words per key. */
  readonly words: number;
  count = 0;
  private keys: Uint32Array;
  private gs: Float64Array;
  private hs: Float64Array;
  private parents: Int32Array;
  private lasts: Int32Array;
  private closedFlags: Uint8Array;
  /** Hash slots holding state index + 1 (0 = empty); always at most half full. */
  private slots: Int32Array;

  constructor(numVertices: number, initialCapacity = 1 << 12) {
    this.words = Math.max(1, (numVertices + 31) >>> 5);
    this.keys = new Uint32Array(initialCapacity * this.words);
    this.gs = new Float64Array(initialCapacity);
    this.hs = new Float64Array(initialCapacity);
    this.parents = new Int32Array(initialCapacity);
    this.lasts = new Int32Array(initialCapacity);
    this.closedFlags = new Uint8Array(initialCapacity);
    this.slots = new Int32Array(initialCapacity * 2);
  }

  /** Bytes held by the table's arrays (for the memory figure in the search statistics). */
  get bytes(): number {
    return (
      this.keys.byteLength +
      this.gs.byteLength +
      this.hs.byteLength +
      this.parents.byteLength +
      this.lasts.byteLength +
      this.closedFlags.byteLength +
      this.slots.byteLength
    );
  }

  /** The index of the state with this key, or -1. */
  find(key: Uint32Array): number {
    const mask = this.slots.length - 1;
    for (let slot = hashWords(key, 0, this.words) & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot];
      if (entry === 0) return -1;
      if (this.keyEquals(entry - 1, key)) return entry - 1;
    }
  }

  /** Stores a new state (its key must not be present) and returns its index. */
  add(key: Uint32Array, g: number, parent: number, last: number): number {
    if (this.count === this.gs.length) this.grow();
    const s = this.count++;
    this.keys.set(key, s * this.words);
    this.gs[s] = g;
    this.hs[s] = NaN;
    this.parents[s] = parent;
    this.lasts[s] = last;
    this.closedFlags[s] = 0;
    this.insertSlot(s);
    return s;
  }

  /** Copies the key of state s into `out`. */
  keyOf(s: number, out: Uint32Array): void {
    const base = s * this.words;
    for (let k = 0; k < this.words; k++) out[k] = this.keys[base + k];
  }

  g(s: number): number {
    return this.gs[s];
  }
  h(s: number): number {
    return this.hs[s];
  }
  setH(s: number, h: number): void {
    this.hs[s] = h;
  }
  parent(s: number): number {
    return this.parents[s];
  }
  last(s: number): number {
    return this.lasts[s];
  }
  closed(s: number): boolean {
    return this.closedFlags[s] === 1;
  }
  close(s: number): void {
    this.closedFlags[s] = 1;
  }
  /** A cheaper way into state s was found. */
  relax(s: number, g: number, parent: number, last: number): void {
    this.gs[s] = g;
    this.parents[s] = parent;
    this.lasts[s] = last;
  }

  private keyEquals(s: number, key: Uint32Array): boolean {
    const base = s * this.words;
    for (let k = 0; k < this.words; k++) if (this.keys[base + k] !== key[k]) return false;
    return true;
  }

  private insertSlot(s: number): void {
    const mask = this.slots.length - 1;
    let slot = hashWords(this.keys, s * this.words, this.words) & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = s + 1;
  }

  private grow(): void {
    const size = this.gs.length * 2;
    const keys = new Uint32Array(size * this.words);
    keys.set(this.keys);
    this.keys = keys;
    const widen = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (k: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.gs = widen(this.gs, (k) => new Float64Array(k));
    this.hs = widen(this.hs, (k) => new Float64Array(k));
    this.parents = widen(this.parents, (k) => new Int32Array(k));
    this.lasts = widen(this.lasts, (k) => new Int32Array(k));
    this.closedFlags = widen(this.closedFlags, (k) => new Uint8Array(k));
    this.slots = new Int32Array(size * 2);
    for (let s = 0; s < this.count; s++) this.insertSlot(s);
  }
}

/** A 32-bit hash of a word array (murmur3's finaliser after each word: sets differing in one bit spread). */
function hashWords(words: Uint32Array, from: number, length: number): number {
  let h = 0x811c9dc5;
  for (let k = from; k < from + length; k++) {
    h = Math.imul(h ^ words[k], 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}
