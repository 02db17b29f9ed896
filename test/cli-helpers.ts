import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Shared by the CLI test files: run the CLI from source and check its exit status and output. */

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const GRIEWANK = 'examples/griewank.ts';
export const TANH = 'examples/tanh-layer.ts';

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function cli(...args: string[]): Run {
  return runScript('src/cli/main.ts', args);
}

/** A TypeScript entry point of the repository (the CLI, a benchmark script) run from source. */
export function runScript(script: string, args: readonly string[]): Run {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    // Generous: the RL commands load tfjs and train, and test files run in parallel on 2 cores.
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function ok(...args: string[]): string {
  return succeeds(cli(...args), args);
}

/** Exit 1 with exactly one stderr line `error: …`, no stack frames; returns the message. */
export function fails(...args: string[]): string {
  return failsOneLine(cli(...args), args);
}

export function succeeds(r: Run, args: readonly string[]): string {
  assert.equal(r.status, 0, `${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export function failsOneLine(r: Run, args: readonly string[]): string {
  assert.equal(r.status, 1, `expected exit 1 from ${args.join(' ')}, got ${r.status}: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected one stderr line, got:\n${r.stderr}`);
  assert.match(lines[0], /^error: /);
  assert.doesNotMatch(r.stderr, / {4}at /);
  assert.equal(r.stdout, '');
  return lines[0];
}
