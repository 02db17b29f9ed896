/**
 * Where benchmarks write, so that the committed results are never clobbered: a full run rewrites
 * results/ file by file, each atomically (a temporary file renamed over the old one); a quick run or a
 * partial selection writes to results/.scratch/ (git-ignored) unless --write says it is meant to update
 * results/. Bad options end the script with one `error:` line and exit 1, before any work.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const RESULTS_DIR = 'results';
export const SCRATCH_DIR = join(RESULTS_DIR, '.scratch');

/** A bad benchmark option or selection: one line, exit 1. */
export class BenchError extends Error {}

/**
 * The directory a run writes to: results/ for a full run or with --write, else results/.scratch/.
 * `partial` is true for --quick and for selections of tasks or families.
 */
export function outputDir(options: { readonly partial: boolean; readonly write: boolean }): string {
  return options.partial && !options.write ? SCRATCH_DIR : RESULTS_DIR;
}

/** Tells the user where a partial run's files went (stderr, so reports on stdout stay clean). */
export function noteScratch(dir: string): void {
  if (dir === SCRATCH_DIR)
    process.stderr.write(
      `note: a quick or partial run writes to ${SCRATCH_DIR}/ (add --write to update ${RESULTS_DIR}/)\n`,
    );
}

/** Writes a result file through a temporary file and a rename: readers never see half a report. */
export function writeResult(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, content);
  renameSync(temp, path);
}

/** Refuses options the script does not know (a typo must not start a long run with defaults). */
export function checkFlags(args: readonly string[], known: readonly string[]): void {
  for (const a of args)
    if (a.startsWith('--') && !known.includes(a))
      throw new BenchError(`unknown option ${a} (known: ${known.join(', ')})`);
}

/** The value after `flag`, or undefined when the flag is absent. */
export function flagValue(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new BenchError(`${flag} needs a value`);
  return v;
}

/**
 * The selected names from a comma list, each checked against `known`: an empty or unknown selection is
 * an error (a run over nothing would exit 0 with an empty report).
 */
export function selectNames(list: string, known: readonly string[], what: string): string[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new BenchError(`empty ${what} selection (known: ${known.join(', ')})`);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0)
    throw new BenchError(`unknown ${what} ${unknown.join(', ')} (known: ${known.join(', ')})`);
  return names;
}

/** Runs a benchmark's main function, turning BenchError into one `error:` line and exit 1. */
export async function runBench(main: () => Promise<void> | void): Promise<void> {
  try {
    await main();
  } catch (err) {
    if (!(err instanceof BenchError)) throw err;
    process.stderr.write(`error: ${err.message}\n`);
    process.exitCode = 1;
  }
}
