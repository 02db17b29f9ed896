/**
 * The paper-reproduction table: our counts of every task's forward, reverse, Markowitz and AlphaGrad orders
 * in both cost models, against the counts published with the paper → results/paper-table.{md,json}.
 *
 *   npm run bench:paper [-- --out-dir results]
 */
import { writeResult } from './output.js';
import { join } from 'node:path';

import { paperTable } from './report/paper-table.js';
import { paperTableMarkdown } from './report/paper-table-markdown.js';

const args = process.argv.slice(2);
const outDir = args.includes('--out-dir') ? args[args.indexOf('--out-dir') + 1] : 'results';
const rows = paperTable();
const md = join(outDir, 'paper-table.md');
const json = join(outDir, 'paper-table.json');
writeResult(md, paperTableMarkdown(rows, 'npm run bench:paper'));
writeResult(json, `${JSON.stringify({ command: 'npm run bench:paper', rows }, null, 2)}\n`);
const mismatches = rows.filter((r) => !r.matchesExpected).map((r) => r.task);
process.stdout.write(`wrote ${md} and ${json}\n`);
if (mismatches.length === 0)
  process.stdout.write(`all ${rows.length} tasks match the expected alphagrad counts\n`);
else {
  process.stdout.write(`MISMATCH on ${mismatches.join(', ')}\n`);
  process.exitCode = 1;
}
