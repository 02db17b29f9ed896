/**
 * Scale benchmark: every stage of the pipeline on ordinary programs from 10^2 to 10^5 vertices, each family
 * member measured in a fresh process (bench/scale/measure.ts) so its peak RSS is its own. Writes
 * results/scale.json, results/scale.md and results/scale.png (log-log time per stage against size).
 *
 *   npm run bench:scale                     # full protocol, optimize budget 10 s (about 15 minutes)
 *   npm run bench:scale -- --quick          # smaller sizes, budget 2 s
 *   npm run bench:scale -- --report-only    # rewrite the report from results/scale.json
 *   npm run bench:scale -- --family rk4,flux # re-measure those families, keep the others
 *
 * --quick and --family write to results/.scratch/ (git-ignored) unless --write; files are replaced
 * atomically.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';

import { renderPng } from '../../src/plot/charts.js';
import type { MemberResult } from './measure.js';
import { FAMILIES } from './members.js';
import { scaleMarkdown, scaleChartSpec } from './report.js';
import {
  checkFlags,
  flagValue,
  noteScratch,
  outputDir,
  RESULTS_DIR,
  runBench,
  selectNames,
  writeResult,
} from '../output.js';

interface ScaleArgs {
  readonly quick: boolean;
  readonly reportOnly: boolean;
  /** --family a,b measures only those families and keeps the others' members of results/scale.json. */
  readonly only: string[] | null;
  readonly out: string;
}

let parsed: ScaleArgs | null = null;
await runBench(() => {
  const args = process.argv.slice(2);
  checkFlags(args, ['--quick', '--report-only', '--family', '--write']);
  const quick = args.includes('--quick');
  const families = flagValue(args, '--family');
  const only =
    families === undefined
      ? null
      : selectNames(
          families,
          FAMILIES.map((f) => f.name),
          'family',
        );
  const out = outputDir({ partial: quick || only !== null, write: args.includes('--write') });
  parsed = { quick, reportOnly: args.includes('--report-only'), only, out };
});
if (parsed === null) process.exit(1);
const { quick, reportOnly, only, out: OUT } = parsed as ScaleArgs;
noteScratch(OUT);
const BUDGET = quick ? 2 : 10;
const MEMBER_TIMEOUT_S = 900;
const COMMAND = `npm run bench:scale${quick ? ' -- --quick' : ''}`;

export interface ScaleRun {
  readonly command: string;
  readonly machine: string;
  readonly budgetSeconds: number;
  readonly members: MemberResult[];
}

function measure(family: string, size: number): MemberResult {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', 'bench/scale/measure.ts', family, String(size), String(BUDGET)],
    { encoding: 'utf8', timeout: MEMBER_TIMEOUT_S * 1000, maxBuffer: 1 << 26 },
  );
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status === 0 && line.startsWith('{')) return JSON.parse(line) as MemberResult;
  const why =
    r.signal === 'SIGTERM'
      ? `did not finish within ${MEMBER_TIMEOUT_S} s`
      : (r.stderr
          .trim()
          .split('\n')
          .find((l) => /Error|error/.test(l)) ?? `exit ${r.status}`);
  const seconds = ((performance.now() - t0) / 1000).toFixed(0);
  return {
    family,
    size,
    vertices: 0,
    edges: 0,
    scalars: 0,
    stages: [],
    error: `${why} (after ${seconds} s)`,
  };
}

let run: ScaleRun;
if (reportOnly) {
  run = JSON.parse(readFileSync(`${RESULTS_DIR}/scale.json`, 'utf8')) as ScaleRun;
} else {
  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const members: MemberResult[] = [];
  for (const family of FAMILIES) {
    if (only && !only.includes(family.name)) continue;
    for (const size of quick ? family.quickSizes : family.sizes) {
      const m = measure(family.name, size);
      members.push(m);
      const total = m.stages.reduce((s, x) => s + x.ms, 0) / 1000;
      console.log(
        `${family.name} ${family.sizeName}=${size}: ${m.vertices} vertices, ${total.toFixed(1)} s${m.error ? `, error: ${m.error}` : ''}`,
      );
    }
  }
  // The other families come from the committed results (also when this run writes to the scratch dir).
  const selected = only;
  const kept =
    selected !== null && existsSync(`${RESULTS_DIR}/scale.json`)
      ? (JSON.parse(readFileSync(`${RESULTS_DIR}/scale.json`, 'utf8')) as ScaleRun).members.filter(
          (m) => !selected.includes(m.family),
        )
      : [];
  const order = (m: MemberResult): number => FAMILIES.findIndex((f) => f.name === m.family);
  const all = [...kept, ...members].sort((a, b) => order(a) - order(b) || a.size - b.size);
  run = { command: COMMAND, machine, budgetSeconds: BUDGET, members: all };
  writeResult(`${OUT}/scale.json`, `${JSON.stringify(run, null, 2)}\n`);
}
writeResult(`${OUT}/scale.md`, scaleMarkdown(run));
writeResult(`${OUT}/scale.png`, await renderPng(scaleChartSpec(run)));
console.log(`wrote ${OUT}/scale.md, .json, .png`);
