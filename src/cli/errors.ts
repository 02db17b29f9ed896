import { readFileSync } from 'node:fs';
import { CrosscountryError } from '../index.js';

/** A bad command-line input (file, JSON, order, inputs): printed as `error: <message>`, exit code 1. */
export class CliError extends CrosscountryError {
  override name = 'CliError';
}

/** The message of anything thrown, on one line. */
export function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

/** Why a file could not be read, from a Node fs error code. */
function describeFsError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return oneLine(err);
  }
}

/** Text without a leading UTF-8 byte order mark (editors on Windows write one). */
export const stripBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

export function readTextFile(path: string, what: string): string {
  try {
    return stripBom(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CliError(`cannot read ${what} ${path}: ${describeFsError(err)}`);
  }
}

/** Parses JSON text, naming `source` (a file name or option) when it is malformed. */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(stripBom(text));
  } catch (err) {
    throw new CliError(`${source}: malformed JSON (${oneLine(err)})`);
  }
}

export function readJsonFile(path: string, what: string): unknown {
  return parseJson(readTextFile(path, what), path);
}
