import { checkChoice, checkNumber } from '../util/options.js';
import { OptionError } from '../graph/errors.js';
import { LAYOUTS } from './emit.js';
import { JACOBIAN_FORMATS } from './result-format.js';

/** The compile options' types and ranges (the backend is checked where it is chosen). */
export function checkCompileOptions(options: {
  readonly format?: unknown;
  readonly layout?: unknown;
  readonly searchEffort?: unknown;
  readonly fold?: unknown;
  readonly chunkChars?: unknown;
  readonly checkFinite?: unknown;
}): void {
  checkChoice(options.format, JACOBIAN_FORMATS, 'format');
  checkChoice(options.layout, LAYOUTS, 'layout');
  checkNumber(options.searchEffort, 'searchEffort', { min: 0, exclusive: true });
  checkNumber(options.chunkChars, 'chunkChars', { min: 1, integer: true });
  for (const key of ['fold', 'checkFinite'] as const)
    if (options[key] !== undefined && typeof options[key] !== 'boolean')
      throw new OptionError(`${key} must be true or false, got ${JSON.stringify(options[key])}`);
}
