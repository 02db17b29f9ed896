import { ShapeError } from '../graph/errors.js';

/**
 * Pytrees as in JAX: arguments and results may be arrays and plain objects of tensors, nested to any
 * depth. They are flattened to a list of leaves (depth first; object keys in insertion order, as JS
 * iterates them) and a structure that rebuilds them. What counts as a leaf is the caller's: a tensor
 * value, a traced value, a shape.
 */
export type Tree<L> = L | readonly Tree<L>[] | { readonly [key: string]: Tree<L> };

export type TreeDef =
  | { readonly kind: 'leaf' }
  | { readonly kind: 'list'; readonly children: readonly TreeDef[] }
  | { readonly kind: 'dict'; readonly keys: readonly string[]; readonly children: readonly TreeDef[] };

export interface Flat<L> {
  readonly leaves: L[];
  /** Where each leaf sits, for names and messages: `[0].w`. */
  readonly paths: string[];
  readonly def: TreeDef;
}

const MAX_DEPTH = 64;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Flattens `tree`; `isLeaf` decides leaves, anything else must be an array or a plain object. */
export function flattenTree<L>(tree: unknown, isLeaf: (v: unknown) => v is L, what: string): Flat<L> {
  const leaves: L[] = [];
  const paths: string[] = [];
  const walk = (v: unknown, path: string, depth: number): TreeDef => {
    if (isLeaf(v)) {
      leaves.push(v);
      paths.push(path);
      return { kind: 'leaf' };
    }
    if (depth >= MAX_DEPTH) throw new ShapeError(`${what}${path} is nested more than ${MAX_DEPTH} deep`);
    if (Array.isArray(v))
      return { kind: 'list', children: v.map((c, i) => walk(c, `${path}[${i}]`, depth + 1)) };
    if (isPlainObject(v)) {
      const keys = Object.keys(v);
      return { kind: 'dict', keys, children: keys.map((k) => walk(v[k], `${path}.${k}`, depth + 1)) };
    }
    throw new ShapeError(`${what}${path}: ${describe(v)} is neither a tensor nor an array or object of them`);
  };
  const def = walk(tree, '', 0);
  return { leaves, paths, def };
}

/**
 * Flattens `tree` along a known structure (tangents along their primals, cotangents along the results):
 * whatever sits at a leaf position is a leaf, so `[[1, 2], 3]` can be a vector and a scalar.
 */
export function flattenAlong(def: TreeDef, tree: unknown, what: string): Flat<unknown> {
  const leaves: unknown[] = [];
  const paths: string[] = [];
  const walk = (d: TreeDef, v: unknown, path: string): void => {
    if (d.kind === 'leaf') {
      leaves.push(v);
      paths.push(path);
    } else if (d.kind === 'list') {
      if (!Array.isArray(v) || v.length !== d.children.length)
        throw new ShapeError(
          `${what}${path} must be an array of ${d.children.length}, as the structure ${describeTreeDef(d)}`,
        );
      d.children.forEach((c, i) => walk(c, v[i], `${path}[${i}]`));
    } else {
      if (!isPlainObject(v) || Object.keys(v).length !== d.keys.length || d.keys.some((k) => !(k in v)))
        throw new ShapeError(`${what}${path} must be an object with keys ${d.keys.join(', ')}`);
      d.children.forEach((c, i) => walk(c, v[d.keys[i]], `${path}.${d.keys[i]}`));
    }
  };
  walk(def, tree, '');
  return { leaves, paths, def };
}

/** Number of leaves of a structure. */
export function leafCount(def: TreeDef): number {
  return def.kind === 'leaf' ? 1 : def.children.reduce((n, c) => n + leafCount(c), 0);
}

/** Rebuilds a tree of `def`'s structure from leaves in flattening order. */
export function unflattenTree<L>(def: TreeDef, leaves: readonly L[]): Tree<L> {
  const n = leafCount(def);
  if (n !== leaves.length) throw new ShapeError(`a tree of ${n} leaves was given ${leaves.length}`);
  return mapTreeDef(def, (i) => leaves[i]);
}

/** Same structure (keys and order included)? */
export function sameTreeDef(a: TreeDef, b: TreeDef): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'leaf') return true;
  const bc = (b as { children: readonly TreeDef[] }).children;
  if (a.children.length !== bc.length) return false;
  if (a.kind === 'dict' && a.keys.some((k, i) => k !== (b as { keys: readonly string[] }).keys[i]))
    return false;
  return a.children.every((c, i) => sameTreeDef(c, bc[i]));
}

/** Replaces every leaf of `def` by `leaf(index)`: e.g. an input tree inside each output leaf. */
export function mapTreeDef<L>(def: TreeDef, leaf: (index: number) => Tree<L>): Tree<L> {
  let next = 0;
  const build = (d: TreeDef): Tree<L> => {
    if (d.kind === 'leaf') return leaf(next++);
    if (d.kind === 'list') return d.children.map(build);
    const out: Record<string, Tree<L>> = {};
    d.children.forEach((c, i) => (out[d.keys[i]] = build(c)));
    return out;
  };
  return build(def);
}

/** A one-line description of the structure, for messages: `[leaf, {w: leaf}]`. */
export function describeTreeDef(def: TreeDef): string {
  if (def.kind === 'leaf') return '*';
  if (def.kind === 'list') return `[${def.children.map(describeTreeDef).join(', ')}]`;
  return `{${def.keys.map((k, i) => `${k}: ${describeTreeDef(def.children[i])}`).join(', ')}}`;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v)}`;
  if (typeof v === 'object') return `a ${(v as object).constructor?.name ?? 'object'}`;
  return `${typeof v} ${String(v)}`;
}
