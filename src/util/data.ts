import { readFileSync } from 'node:fs';

/**
 * Reads a file shipped in the package's data/ folder. This module sits one level below the package root
 * both as src/util/data.ts (tsx) and as dist/util/data.js (built), so one relative URL serves both.
 */
export function readDataFile(relativePath: string): string {
  return readFileSync(new URL(`../../data/${relativePath}`, import.meta.url), 'utf8');
}
