/**
 * What importing the package costs: wall time of `import()` and the process's RSS after it, for the core
 * entry point and each subpath, from the built package (dist/), each in 10 fresh Node processes (medians).
 * Targets: the core ≤ 150 ms and ≤ 60 MB → results/import.md, .json.
 *
 *   npm run build && npm run bench:import
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeResult } from './output.js';
import { cpus } from 'node:os';

import { median } from '../src/util/stats.js';

const ENTRIES: readonly [name: string, file: string][] = [
  ['crosscountry', './dist/index.js'],
  ['crosscountry/search', './dist/search/index.js'],
  ['crosscountry/jaxpr', './dist/jaxpr/index.js'],
  ['crosscountry/tasks', './dist/tasks/index.js'],
  ['crosscountry/rl', './dist/rl/index.js'],
];
const PROCESSES = 10;

const probe = (file: string): { ms: number; rssMB: number } => {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); const ms = performance.now() - t; process.stdout.write(JSON.stringify({ ms, rssMB: process.memoryUsage().rss / 2 ** 20 }));`;
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
  );
};

if (!existsSync('dist/index.js')) {
  process.stderr.write('error: dist/ is missing: run `npm run build` first\n');
  process.exit(1);
}
const baseline = median(Array.from({ length: PROCESSES }, () => probe('node:fs').rssMB));
const rows = ENTRIES.map(([name, file]) => {
  const runs = Array.from({ length: PROCESSES }, () => probe(file));
  return { entry: name, ms: median(runs.map((r) => r.ms)), rssMB: median(runs.map((r) => r.rssMB)) };
});
const core = rows[0];
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}`;
const md = [
  '# Import cost',
  '',
  `\`npm run build && npm run bench:import\` on ${machine}: the median over ${PROCESSES} fresh processes of`,
  "the time `import()` takes and of the process's RSS after it, from the built package.",
  `An empty Node process has an RSS of ${baseline.toFixed(0)} MB.`,
  '',
  '| entry point | import (ms) | RSS after (MB) |',
  '|---|---:|---:|',
  ...rows.map((r) => `| \`${r.entry}\` | ${r.ms.toFixed(0)} | ${r.rssMB.toFixed(0)} |`),
  '',
  '## Targets',
  '',
  '| target | measured | met |',
  '|---|---|:-:|',
  `| core import ≤ 150 ms | ${core.ms.toFixed(0)} ms | ${core.ms <= 150 ? 'yes' : '**no**'} |`,
  `| core RSS ≤ 60 MB | ${core.rssMB.toFixed(0)} MB | ${core.rssMB <= 60 ? 'yes' : '**no**'} |`,
  '',
  '`crosscountry/rl` loads its networks (@tensorflow/tfjs, an optional peer dependency) only when one is',
  'created, so its import cost here excludes tfjs.',
  '',
].join('\n');
writeResult('results/import.md', md);
writeResult(
  'results/import.json',
  `${JSON.stringify({ command: 'npm run bench:import', machine, processes: PROCESSES, baselineRssMB: baseline, rows }, null, 2)}\n`,
);
process.stdout.write(`${md}\n`);
