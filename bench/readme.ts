/**
 * Writes the README's "Results at a glance" from results/*.json; with --check, only compares and exits 1
 * (one line) when the README and the results disagree, as CI does.
 *
 *   npm run readme           # rewrite the section
 *   npm run check:readme     # CI: fail when it is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';

import * as prettier from 'prettier';

import { resultsSection, withResults, type ResultFiles } from './report/readme-results.js';

const load = <T>(name: string): T => JSON.parse(readFileSync(`results/${name}.json`, 'utf8')) as T;
const files: ResultFiles = {
  paper: load('paper-table'),
  search: load('search'),
  rl: load('rl'),
  runtime: load('runtime'),
  engine: load('engine'),
  scale: load('scale'),
  import: load('import'),
};
const readme = readFileSync('README.md', 'utf8');
// Formatted as `prettier --check` wants it, so that the check and the format check agree.
const updated = await prettier.format(withResults(readme, resultsSection(files)), {
  ...(await prettier.resolveConfig('README.md')),
  filepath: 'README.md',
});
if (process.argv.includes('--check')) {
  if (updated !== readme) {
    process.stderr.write(
      "error: README.md's results section differs from results/*.json: run `npm run readme`\n",
    );
    process.exitCode = 1;
  } else process.stdout.write('README.md agrees with results/*.json\n');
} else {
  writeFileSync('README.md', updated);
  process.stdout.write('wrote the results section of README.md\n');
}
