/**
 * Output paths are checked before any work starts (a search must not run for a minute and then fail to
 * write), and written atomically (a temporary file renamed over the target), so an interrupted write
 * never leaves half a file.
 */
import { accessSync, constants, existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { CliError } from './errors.js';

const writable = (path: string): boolean => {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
};

/** The nearest existing ancestor of `path` (itself if it exists). */
function existingAncestor(path: string): string {
  let p = resolve(path);
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

/** A file `option` will write: not a directory, in an existing writable directory. */
export function checkOutputFile(path: string, option: string): void {
  if (path.trim() === '') throw new CliError(`${option}: empty path`);
  if (existsSync(path)) {
    if (statSync(path).isDirectory())
      throw new CliError(`${option} ${path}: is a directory (give a file name)`);
    if (!writable(path)) throw new CliError(`${option} ${path}: permission denied`);
    return;
  }
  const parent = dirname(resolve(path));
  if (!existsSync(parent)) throw new CliError(`${option} ${path}: directory ${parent} does not exist`);
  if (!statSync(parent).isDirectory()) throw new CliError(`${option} ${path}: ${parent} is not a directory`);
  if (!writable(parent)) throw new CliError(`${option} ${path}: cannot write to directory ${parent}`);
}

/**
 * A checkpoint directory for `train`: created if absent (its existing ancestor must be a writable
 * directory); an existing file is refused, and so is a directory holding a checkpoint unless the run
 * resumes it (--resume) or replaces it (--overwrite): a new run must not silently discard a trained one.
 */
export function checkCheckpointDir(dir: string, mode: { resume?: boolean; overwrite?: boolean }): void {
  if (dir.trim() === '') throw new CliError('--checkpoint: empty path');
  if (existsSync(dir) && !statSync(dir).isDirectory())
    throw new CliError(`--checkpoint ${dir}: is a file; give a directory (it will hold checkpoint.json)`);
  const ancestor = existingAncestor(dir);
  if (!statSync(ancestor).isDirectory())
    throw new CliError(`--checkpoint ${dir}: ${ancestor} is a file, not a directory`);
  if (!writable(ancestor)) throw new CliError(`--checkpoint ${dir}: cannot write to ${ancestor}`);
  const checkpoint = join(dir, 'checkpoint.json');
  if (!mode.resume && !mode.overwrite && existsSync(checkpoint))
    throw new CliError(
      `--checkpoint ${dir} already holds a checkpoint: pass --resume to continue it or --overwrite to replace it`,
    );
}

/** Writes `text` to `path` through a temporary file in the same directory and a rename. */
export function writeFileAtomically(path: string, text: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}
