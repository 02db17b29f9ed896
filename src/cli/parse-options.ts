import { parseCostModel } from '../index.js';
import { type TaskSource } from '../tasks/index.js';
import { CliError, oneLine } from './errors.js';

/** Option parsers shared by the commands: each turns a bad value into a one-line CliError. */

export function parseSource(value: string | undefined): TaskSource {
  if (value === undefined || value === 'ts') return 'ts';
  if (value === 'jaxpr') return 'jaxpr';
  throw new CliError(`unknown source '${value}' (use ts or jaxpr)`);
}

export function costModelOf(value: string) {
  try {
    return parseCostModel(value);
  } catch (err) {
    throw new CliError(oneLine(err));
  }
}

export function positiveNumber(value: string, what: string, integer = false): number {
  const x = Number(value);
  if (!Number.isFinite(x) || x < 0 || (integer && !Number.isInteger(x)))
    throw new CliError(`${what} must be a non-negative ${integer ? 'integer' : 'number'}, got '${value}'`);
  return x;
}
