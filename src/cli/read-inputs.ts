import { tensor, type Graph, type Shape, type Tensor } from '../index.js';
import { CliError, parseJson, readTextFile } from './errors.js';

const formatShape = (shape: Shape): string => `[${shape.join(',')}]`;
const formatIndex = (index: readonly number[]): string => `[${index.join(',')}]`;

/** "nan", "inf", "-inf" (any case, also "+inf", "infinity") are accepted so that they can be rejected by name. */
function specialNumber(value: string): number | null {
  const s = value.trim().toLowerCase();
  if (s === 'nan') return NaN;
  if (s === 'inf' || s === '+inf' || s === 'infinity' || s === '+infinity') return Infinity;
  if (s === '-inf' || s === '-infinity') return -Infinity;
  return null;
}

interface Parsed {
  readonly shape: number[];
  readonly data: number[];
}

/** Flattens a nested array of numbers row-major, checking it is rectangular. */
function parseNested(value: unknown, where: string, index: number[] = []): Parsed {
  if (typeof value === 'number') return { shape: [], data: [value] };
  if (typeof value === 'string') {
    const x = specialNumber(value);
    if (x !== null) return { shape: [], data: [x] };
  }
  if (!Array.isArray(value)) {
    const at = index.length > 0 ? ` element ${formatIndex(index)}` : '';
    throw new CliError(
      `${where}${at} is ${JSON.stringify(value) ?? String(value)}, not a number or an array`,
    );
  }
  if (value.length === 0) return { shape: [0], data: [] };
  const parts = value.map((item: unknown, i) => parseNested(item, where, [...index, i]));
  const inner = parts[0].shape;
  parts.forEach((p, i) => {
    if (p.shape.length !== inner.length || p.shape.some((d, k) => d !== inner[k])) {
      throw new CliError(
        `${where} is ragged: element ${formatIndex([...index, i])} has shape ${formatShape(p.shape)}, ` +
          `element ${formatIndex([...index, 0])} has ${formatShape(inner)}`,
      );
    }
  });
  return { shape: [value.length, ...inner], data: parts.flatMap((p) => p.data) };
}

/** Unravels a flat row-major offset into a multi-index. */
function unravel(offset: number, shape: Shape): number[] {
  const index = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    index[k] = offset % shape[k];
    offset = Math.floor(offset / shape[k]);
  }
  return index;
}

/**
 * Reads the point for `jacobian --at`: a JSON file (or an inline JSON array) holding one entry per program
 * input, each a number or a nested array of that input's shape. Counts, shapes and finiteness are checked
 * here so the message can name the file and the input.
 */
export function readInputs(graph: Graph, at: string): Tensor[] {
  const inline = /^\s*[[{]/.test(at);
  const source = inline ? '--at' : at;
  const json = parseJson(inline ? at : readTextFile(at, 'inputs file'), source);
  const expected = graph.inputs.map((i) => `${i.name}${formatShape(i.shape)}`).join(', ');
  const n = graph.inputs.length;
  const plural = (k: number): string => `${k} input${k === 1 ? '' : 's'}`;
  if (!Array.isArray(json)) {
    throw new CliError(
      `${source}: expected a JSON array with one entry per input (${plural(n)}: ${expected})`,
    );
  }
  if (json.length !== n) {
    const hint = n === 1 ? '; wrap a single input in an array, e.g. [[1, 2]]' : '';
    throw new CliError(`${source}: expected ${plural(n)} (${expected}), got ${json.length}${hint}`);
  }
  return graph.inputs.map((input, i) => {
    const where = `${source}: input ${i + 1} (${input.name})`;
    const { shape, data } = parseNested(json[i], where);
    if (shape.length !== input.shape.length || shape.some((d, k) => d !== input.shape[k])) {
      throw new CliError(`${where} has shape ${formatShape(shape)}, expected ${formatShape(input.shape)}`);
    }
    const bad = data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) {
      const pos = shape.length > 0 ? ` at element ${formatIndex(unravel(bad, shape))}` : '';
      throw new CliError(`${where} is not finite${pos}: ${data[bad]}`);
    }
    return tensor(shape, data);
  });
}
