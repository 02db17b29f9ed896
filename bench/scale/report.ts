/** results/scale.md and the log-log chart from a scale run. */
import type { TopLevelSpec } from 'vega-lite';

import type { ScaleRun } from './index.js';
import type { MemberResult, Stage } from './measure.js';
import { FAMILIES } from './members.js';

/** Stages whose growth with size is fitted and held to the exponent target. */
const FITTED = [
  'trace',
  'count:forward',
  'count:reverse',
  'auto-order',
  'compile:auto',
  'first-call:auto',
  'compile',
  'first-call:1',
];
const EXPONENT_TARGET = 1.3;
const CHECK_TOLERANCE = 1e-3;

const stageOf = (m: MemberResult, name: string): Stage | undefined => m.stages.find((s) => s.stage === name);
const ms = (x: number | undefined): string =>
  x === undefined
    ? '—'
    : x >= 1000
      ? `${(x / 1000).toFixed(2)} s`
      : x >= 10
        ? `${x.toFixed(0)} ms`
        : `${x.toFixed(2)} ms`;
const count = (x: number | undefined): string => (x === undefined ? '—' : x.toLocaleString('en-US'));

/**
 * Least-squares slope of log(time) against log(scalar size) over a family's members that ran the stage,
 * using the largest three sizes (the smallest are dominated by fixed costs such as JIT warm-up).
 */
export function growthExponent(members: readonly MemberResult[], stage: string, largest = 3): number | null {
  const points = members
    .map((m) => ({ x: m.scalars, y: stageOf(m, stage)?.ms }))
    .filter((p): p is { x: number; y: number } => p.y !== undefined && p.y > 0 && p.x > 0)
    .sort((a, b) => a.x - b.x)
    .slice(-largest);
  if (points.length < 2) return null;
  const xs = points.map((p) => Math.log(p.x));
  const ys = points.map((p) => Math.log(p.y));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * (ys[i] - my);
    den += (x - mx) ** 2;
  });
  return den === 0 ? null : num / den;
}

const heuristicStages = (m: MemberResult): Stage[] =>
  m.stages.filter((s) => s.stage.startsWith('heuristic:'));

function familyTable(run: ScaleRun, family: (typeof FAMILIES)[number]): string[] {
  const members = run.members.filter((m) => m.family === family.name);
  const lines = [
    `### ${family.name}: ${family.what}`,
    '',
    `| ${family.sizeName} | vertices | scalars | trace | default order | compile | first call | default total (peak) | count fwd | heuristics (fastest–slowest) | optimize (taken) | compile best | steady b=1 | steady b=max | peak RSS | check |`,
    '|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const m of members) {
    if (m.error && m.stages.length <= 1) {
      lines.push(`| ${m.size} | ${m.vertices || '—'} | — | ${m.error} |||||||||||||`);
      continue;
    }
    const h = heuristicStages(m).map((s) => s.ms);
    const steady = m.stages
      .filter((s) => s.stage.startsWith('steady-call:') && s.stage !== 'steady-call:1')
      .pop();
    const peak = Math.max(...m.stages.map((s) => s.peakMB));
    const check = m.check
      ? `${m.check.relativeError.toExponential(1)} ${m.check.relativeError <= CHECK_TOLERANCE ? '✓' : '✗'}${m.check.magnitude === 0 ? ' (J·v = 0: underflow, vacuous)' : ''}`
      : (m.error ?? '—');
    lines.push(
      `| ${m.size} | ${count(m.vertices)} | ${count(m.scalars)} | ${ms(stageOf(m, 'trace')?.ms)} | ${ms(stageOf(m, 'auto-order')?.ms)} | ${ms(stageOf(m, 'compile:auto')?.ms)} | ${ms(stageOf(m, 'first-call:auto')?.ms)} | ${m.defaultPipeline ? `${ms(m.defaultPipeline.ms)} (${m.defaultPipeline.peakMB.toFixed(0)} MB)` : '—'} | ${ms(stageOf(m, 'count:forward')?.ms)} | ${h.length ? `${ms(Math.min(...h))}–${ms(Math.max(...h))}` : '—'} | ${ms(stageOf(m, 'optimize')?.ms)} | ${ms(stageOf(m, 'compile')?.ms)} | ${ms(stageOf(m, 'first-call:1')?.ms)} | ${ms(stageOf(m, 'steady-call:1')?.ms)} | ${steady ? `${ms(steady.ms)} (${steady.stage.split(':')[1]})` : '—'} | ${peak.toFixed(0)} MB | ${check} |`,
    );
  }
  lines.push('', `Multiplications (native model) of each order:`, '');
  const names = [...new Set(members.flatMap((m) => heuristicStages(m).map((s) => s.stage.slice(10))))];
  lines.push(
    `| ${family.sizeName} | forward | reverse | ${names.join(' | ')} | auto | optimize | best vs min(fwd, rev) |`,
    `|---:|---:|---:|${names.map(() => '---:|').join('')}---:|---:|---:|`,
  );
  for (const m of members) {
    if (!m.stages.length) continue;
    const fwd = stageOf(m, 'count:forward')?.multiplications;
    const rev = stageOf(m, 'count:reverse')?.multiplications;
    const opt = stageOf(m, 'optimize')?.multiplications;
    const ratio = fwd !== undefined && rev !== undefined && opt ? (Math.min(fwd, rev) / opt).toFixed(2) : '—';
    lines.push(
      `| ${m.size} | ${count(fwd)} | ${count(rev)} | ${names.map((n) => count(stageOf(m, `heuristic:${n}`)?.multiplications)).join(' | ')} | ${count(stageOf(m, 'count:auto')?.multiplications)} | ${count(opt)} | ${ratio}× |`,
    );
  }
  return [...lines, ''];
}

export interface Verdict {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | null;
}

export function verdicts(run: ScaleRun): Verdict[] {
  const out: Verdict[] = [];
  const member = (f: string, size: number): MemberResult | undefined =>
    run.members.find((m) => m.family === f && m.size === size);
  const big = member('random', 100000);
  const mk = big && stageOf(big, 'heuristic:markowitz');
  out.push({
    target: 'Markowitz on a 10^5-vertex random scalar DAG ≤ 5 s',
    measured: mk ? ms(mk.ms) : (big?.error ?? 'not run'),
    met: mk ? mk.ms <= 5000 : null,
  });
  const worstExp: string[] = [];
  let expMet = true;
  for (const f of FAMILIES) {
    const members = run.members.filter((m) => m.family === f.name);
    const stages = [...FITTED, ...new Set(members.flatMap((m) => heuristicStages(m).map((s) => s.stage)))];
    for (const s of stages) {
      const e = growthExponent(members, s);
      if (e !== null && e > EXPONENT_TARGET) {
        expMet = false;
        worstExp.push(`${f.name} ${s} ${e.toFixed(2)}`);
      }
    }
  }
  out.push({
    target: `growth exponent ≤ ${EXPONENT_TARGET} for every heuristic, cost count, compile and first call`,
    measured: worstExp.length ? `over: ${worstExp.join('; ')}` : 'all within',
    met: expMet,
  });
  const limit = run.budgetSeconds * 1.1 + 1;
  const slow = run.members.filter((m) => (stageOf(m, 'optimize')?.ms ?? 0) > limit * 1000);
  const worse = run.members.filter((m) => {
    const opt = stageOf(m, 'optimize')?.multiplications;
    const best = Math.min(
      ...heuristicStages(m).map((s) => s.multiplications ?? Infinity),
      stageOf(m, 'count:forward')?.multiplications ?? Infinity,
      stageOf(m, 'count:reverse')?.multiplications ?? Infinity,
    );
    return opt !== undefined && opt > best;
  });
  const maxOpt = Math.max(0, ...run.members.map((m) => stageOf(m, 'optimize')?.ms ?? 0));
  out.push({
    target: `optimize --budget ${run.budgetSeconds} returns within ${limit.toFixed(0)} s on every member, never worse than the best heuristic`,
    measured: `slowest ${ms(maxOpt)}${slow.length ? ` (over: ${slow.map((m) => `${m.family} ${m.size}`).join(', ')})` : ''}; worse than a heuristic: ${worse.length ? worse.map((m) => `${m.family} ${m.size}`).join(', ') : 'none'}`,
    met: slow.length === 0 && worse.length === 0,
  });
  for (const [f, size] of [
    ['rk4', 1000],
    ['flux', 10000],
  ] as const) {
    const m = member(f, size);
    const d = m?.defaultPipeline;
    out.push({
      target: `${f} ${size}: trace + default order + compile + first Jacobian ≤ 30 s and ≤ 2 GB`,
      measured: d ? `${ms(d.ms)}, peak ${d.peakMB.toFixed(0)} MB` : (m?.error ?? 'not run'),
      met: d ? d.ms <= 30000 && d.peakMB <= 2048 : null,
    });
  }
  const flux = member('flux', 10000);
  const dense = flux && stageOf(flux, 'fresh-call:dense');
  const sparse = flux && stageOf(flux, 'fresh-call:sparse');
  out.push({
    target:
      'flux 10,000 cells: sparse Jacobian ≥ 10× faster per call than the dense result of the same order',
    measured:
      dense && sparse
        ? `${(dense.ms / sparse.ms).toFixed(0)}× (${ms(dense.ms)} vs ${ms(sparse.ms)})`
        : (flux?.error ?? 'not run'),
    met: dense && sparse ? dense.ms / sparse.ms >= 10 : null,
  });
  const w = member('mlp-weights', 256);
  const wPeak = w ? Math.max(0, ...w.stages.filter((s) => s.stage !== 'optimize').map((s) => s.peakMB)) : 0;
  const allowed = w?.resultBytes ? (4 * w.resultBytes) / 2 ** 20 + 300 : null;
  out.push({
    target: 'MLP width 256 w.r.t. inputs and weights: compile and run in < 4× result bytes + 300 MB',
    measured:
      w?.check && allowed
        ? `peak ${wPeak.toFixed(0)} MB, allowed ${allowed.toFixed(0)} MB`
        : (w?.error ?? 'not run'),
    met: w?.check && allowed ? wPeak <= allowed : null,
  });
  const failed = run.members.filter(
    (m) =>
      (m.check && m.check.relativeError > CHECK_TOLERANCE) ||
      (m.defaultPipeline && m.defaultPipeline.relativeError > CHECK_TOLERANCE),
  );
  const unchecked = run.members.filter((m) => !m.check);
  const vacuous = run.members.filter((m) => m.check?.magnitude === 0);
  out.push({
    target: `every size's Jacobian agrees with finite differences (relative error ≤ ${CHECK_TOLERANCE})`,
    measured: `${run.members.length - failed.length - unchecked.length} of ${run.members.length} checked and agree${failed.length ? `; disagree: ${failed.map((m) => `${m.family} ${m.size}`).join(', ')}` : ''}${unchecked.length ? `; not checked (stopped before): ${unchecked.map((m) => `${m.family} ${m.size}`).join(', ')}` : ''}${vacuous.length ? `; J·v underflows to 0, so the check says little: ${vacuous.map((m) => `${m.family} ${m.size}`).join(', ')}` : ''}`,
    met: failed.length === 0 && unchecked.length === 0,
  });
  return out;
}

export function scaleMarkdown(run: ScaleRun): string {
  const lines = [
    '# Scale: the pipeline on programs of 10^2–10^5 vertices',
    '',
    `Generated by \`${run.command}\` on ${run.machine}. Each family member runs in a fresh process`,
    '(`bench/scale/measure.ts`); times are wall-clock ms of one run per stage except the steady-state calls',
    '(median of ≥ 5 calls reusing their result, after ≥ 2 warm-up calls and up to 2 s of them, so V8 has optimised the generated code). Peak RSS is the process maximum so far',
    `(it includes Node and tsx, about 130 MB). \`optimize\` runs at a budget of ${run.budgetSeconds} s (seed 1); its`,
    'column is the time it really took. `auto order` is what `jacobian(fn)` spends choosing its default order.',
    'The check compares J·v with central finite differences of the interpreter along 3 random directions',
    "(relative to the larger of |J·v| and the differences' rounding floor).",
    '',
    '## Targets',
    '',
    '| target | measured | met |',
    '|---|---|:-:|',
    ...verdicts(run).map(
      (v) => `| ${v.target} | ${v.measured} | ${v.met === null ? '—' : v.met ? 'yes' : '**no**'} |`,
    ),
    '',
    '## Growth exponents',
    '',
    'Slope of log(time) against log(scalar entries) over the three largest members of each family.',
    '',
  ];
  const stageNames = [
    ...FITTED,
    ...new Set(run.members.flatMap((m) => heuristicStages(m).map((s) => s.stage))),
    'optimize',
  ];
  lines.push(
    `| stage | ${FAMILIES.map((f) => f.name).join(' | ')} |`,
    `|---|${FAMILIES.map(() => '---:|').join('')}`,
  );
  for (const s of stageNames) {
    const cells = FAMILIES.map((f) => {
      const e = growthExponent(
        run.members.filter((m) => m.family === f.name),
        s,
      );
      return e === null ? '—' : e.toFixed(2);
    });
    lines.push(`| ${s} | ${cells.join(' | ')} |`);
  }
  const lastSlopes = FAMILIES.map((f) => {
    const e = growthExponent(
      run.members.filter((m) => m.family === f.name),
      'first-call:1',
      2,
    );
    return `${f.name} ${e === null ? '—' : e.toFixed(2)}`;
  });
  lines.push(
    '',
    `The three-point fit can hide an asymptote behind fixed costs at the smaller size. Slope of first-call:1 between the two largest members: ${lastSlopes.join(', ')}. An MLP's Jacobian needs two dense width × width × width products whatever the order, so its arithmetic grows as width³ = scalars^1.5: no order or backend can bring that stage's asymptote below 1.5 against scalar entries.`,
  );
  lines.push('', '## Families', '');
  for (const f of FAMILIES)
    if (run.members.some((m) => m.family === f.name)) lines.push(...familyTable(run, f));
  const errors = run.members.filter((m) => m.error);
  lines.push('## Where it still stops working', '');
  if (errors.length === 0) lines.push('Every member ran every stage.');
  for (const m of errors) lines.push(`- ${m.family} ${m.size}: ${m.error}`);
  lines.push('');
  return lines.join('\n');
}

export function scaleChartSpec(run: ScaleRun): TopLevelSpec {
  const rows = run.members.flatMap((m) =>
    m.stages
      .filter((s) => [...FITTED, 'heuristic:markowitz', 'optimize'].includes(s.stage) && s.ms > 0)
      .map((s) => ({ family: m.family, stage: s.stage, scalars: m.scalars, ms: s.ms })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Time per stage against program size (log-log)',
    data: { values: rows },
    facet: { field: 'family', type: 'nominal', title: null },
    columns: 3,
    spec: {
      width: 260,
      height: 200,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'scalars', type: 'quantitative', title: 'scalar entries', scale: { type: 'log' } },
        y: { field: 'ms', type: 'quantitative', title: 'ms', scale: { type: 'log' } },
        color: { field: 'stage', type: 'nominal', title: 'stage' },
      },
    },
  } as TopLevelSpec;
}
