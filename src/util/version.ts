import { readFileSync } from 'node:fs';

/** This package's version, from its package.json (two levels up from src/util and dist/util alike). */
export function crosscountryVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
