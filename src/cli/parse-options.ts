import { parseCostModel } from '../index.js';
import { type TaskSource } from '../tasks/index.js';
import { parseNumberOption, type NumberRange } from '../util/options.js';
import { CliError } from './errors.js';

/** Option parsers shared by the commands: each turns a bad value into a one-line error before any work. */

export function parseSource(value: string | undefined): TaskSource {
  if (value === undefined || value === 'ts') return 'ts';
  if (value === 'jaxpr') return 'jaxpr';
  throw new CliError(`unknown source '${value}' (use ts or jaxpr)`);
}

export const costModelOf = parseCostModel;

/** A whole number ≥ 0 (seeds, --imitate, --max-moves). */
export const wholeNumber = (value: string, what: string): number =>
  parseNumberOption(value, what, { min: 0, integer: true });

/** A whole number ≥ 1 (--games, --workers, --threads, --episodes, --simulations). */
export const countOption = (value: string, what: string): number =>
  parseNumberOption(value, what, { min: 1, integer: true });

/** Seconds: `min` 0 allows a zero budget (baselines only), exclusive refuses it. */
export const secondsOption = (value: string, what: string, range: NumberRange = { min: 0 }): number =>
  parseNumberOption(value, what, range);

/** `value` parsed by `parse`, or undefined when the option was not given. */
export function optional<T>(
  value: string | undefined,
  what: string,
  parse: (v: string, w: string) => T,
): T | undefined {
  return value === undefined ? undefined : parse(value, what);
}
