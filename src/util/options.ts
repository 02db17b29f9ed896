/**
 * Checks for the public option bags (optimizeOrder, countOrder, compile, training): each option's type and
 * range is checked before any work starts, so a typo fails at once with an OptionError naming the option,
 * instead of running a search that silently ignores it. The CLI parses strings into the same checks.
 */
import { OptionError } from '../graph/errors.js';

const show = (value: unknown): string =>
  typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));

/** `value` if it is one of `allowed` (undefined passes through: the caller's default applies). */
export function checkChoice<T extends string>(
  value: unknown,
  allowed: readonly T[],
  what: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new OptionError(`unknown ${what} ${show(value)} (use ${allowed.join(', ')})`);
}

export interface NumberRange {
  /** Smallest allowed value (inclusive); default -Infinity. */
  readonly min?: number;
  /** Whether `min` itself is excluded (a budget of 0 seconds can be meaningless). */
  readonly exclusive?: boolean;
  /** Whole numbers only (then Infinity is refused too). */
  readonly integer?: boolean;
}

function describeRange(range: NumberRange): string {
  const kind = range.integer ? 'a whole number' : 'a number';
  if (range.min === undefined) return kind;
  return `${kind} ${range.exclusive ? '>' : '≥'} ${range.min}`;
}

/** `value` if it is a number in `range` (NaN never is); undefined passes through. */
export function checkNumber(value: unknown, what: string, range: NumberRange = {}): number | undefined {
  if (value === undefined) return undefined;
  const min = range.min ?? -Infinity;
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (range.integer ? Number.isSafeInteger(value) : true) &&
    (range.exclusive ? value > min : value >= min);
  if (!ok) throw new OptionError(`${what} must be ${describeRange(range)}, got ${show(value)}`);
  return value;
}

/** Parses a command-line value as a number, then checks it like checkNumber: `--games 0` fails here. */
export function parseNumberOption(text: string, what: string, range: NumberRange = {}): number {
  const trimmed = text.trim();
  // Number('') is 0 and Number('0x10') is 16: only plain decimal numbers (and "inf" for no limit) are taken.
  const value = /^inf(inity)?$/i.test(trimmed)
    ? Infinity
    : /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed)
      ? Number(trimmed)
      : NaN;
  if (Number.isNaN(value)) throw new OptionError(`${what} must be ${describeRange(range)}, got '${text}'`);
  return checkNumber(value, what, range) as number;
}

/** A callback option: a function or absent. */
export function checkFunction(value: unknown, what: string): void {
  if (value !== undefined && typeof value !== 'function')
    throw new OptionError(`${what} must be a function, got ${show(value)}`);
}

/** An AbortSignal option (duck-typed: signals from another realm or a polyfill pass too). */
export function checkSignal(value: unknown, what = 'signal'): void {
  if (value === undefined) return;
  if (typeof (value as { aborted?: unknown } | null)?.aborted !== 'boolean')
    throw new OptionError(`${what} must be an AbortSignal, got ${show(value)}`);
}
