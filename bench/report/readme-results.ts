import type { ScaleRun } from '../scale/index.js';
import { verdicts } from '../scale/report.js';
import { tenthMeans } from '../../src/rl/curve.js';
import { median } from '../../src/util/stats.js';

/**
 * The README's "Results at a glance", written from results/*.json only, so that the README cannot quote a
 * figure the committed results do not hold. `npm run readme` rewrites the section; CI runs
 * `npm run check:readme`, which fails when the README and the results disagree.
 */

export interface ResultFiles {
  readonly paper: PaperTable;
  readonly search: SearchRun;
  readonly rl: RlRun;
  readonly runtime: RuntimeRun;
  readonly engine: EngineRun;
  readonly scale: ScaleRun;
  readonly import: ImportRun;
}

interface PaperTable {
  readonly rows: readonly {
    readonly task: string;
    readonly faithful: boolean;
    readonly alphagrad: Readonly<Record<'forward' | 'reverse' | 'markowitz', number>>;
    readonly expected: Readonly<Record<'forward' | 'reverse' | 'markowitz', number>>;
    readonly published: Readonly<Record<string, number>>;
    readonly alphagradOrder: { readonly alphagrad: number } | null;
    readonly matchesExpected: boolean;
  }[];
}

interface SearchRun {
  readonly machine: { readonly cpu: string; readonly cores: number; readonly node: string };
  readonly results: readonly {
    readonly task: string;
    readonly costModel: string;
    readonly budgetSeconds: number;
    readonly multiplications: number;
    readonly certificate: 'optimal' | { readonly lowerBound: number };
    readonly published: number | null;
  }[];
  readonly random: readonly {
    readonly eliminable: number;
    readonly proven: boolean;
    readonly seconds: number;
  }[];
}

interface RlRun {
  readonly runs: readonly {
    readonly spec: { readonly task: string; readonly method: string; readonly seed: number };
    readonly multiplications: number;
    readonly greedy: { readonly multiplications: number } | null;
    readonly episodes: number;
    readonly meanCosts: readonly number[];
  }[];
}

interface RuntimeRun {
  readonly rows: readonly {
    readonly task: string;
    readonly batch: number;
    readonly variant: string;
    readonly medianMs: number;
  }[];
  readonly repeats?: readonly {
    readonly task: string;
    readonly variant: string;
    readonly medianMs: readonly number[];
  }[];
}

interface EngineRun {
  readonly rows: readonly {
    readonly graph: string;
    readonly method: string;
    readonly vertices: number;
    readonly medianPerSecond: number;
  }[];
}

interface ImportRun {
  readonly baselineRssMB: number;
  readonly rows: readonly { readonly entry: string; readonly ms: number; readonly rssMB: number }[];
}

const pct = (ours: number, theirs: number): string => `${(((ours - theirs) / theirs) * 100).toFixed(1)}%`;
const times = (x: number): string => `${x.toFixed(2)}×`;
const range = (xs: readonly number[], f: (x: number) => string): string => {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo.toFixed(2) === hi.toFixed(2) ? f(lo) : `${f(lo).replace('×', '')}–${f(hi)}`;
};

function paperBullet({ paper }: ResultFiles): string {
  const counts = paper.rows.length * 3;
  const matched = paper.rows.reduce(
    (n, r) =>
      n +
      (['forward', 'reverse', 'markowitz'] as const).filter((k) => r.alphagrad[k] === r.expected[k]).length,
    0,
  );
  const orders = paper.rows.filter((r) => r.alphagradOrder && r.published.alphagrad !== undefined);
  const reproduced = orders.filter((r) => r.alphagradOrder?.alphagrad === r.published.alphagrad);
  return (
    `- **Paper reproduction** (\`npm run bench:paper\`, [\`results/paper-table.md\`](results/paper-table.md)): on ` +
    `the ${paper.rows.length} paper graphs, imported from their jaxprs, the \`alphagrad\` model gives ${matched} of ` +
    `the ${counts} expected forward/reverse/Markowitz counts, and ${reproduced.length} of ${orders.length} ` +
    `published AlphaGrad orders reproduce their count (${reproduced.map((r) => `${r.task} ${r.published.alphagrad}`).join(', ')}).`
  );
}

function searchBullet({ search, paper }: ResultFiles): string {
  const faithful = new Set(paper.rows.filter((r) => r.faithful).map((r) => r.task));
  const rows = search.results.filter((r) => r.costModel === 'alphagrad' && faithful.has(r.task));
  const budget = rows[0]?.budgetSeconds ?? 0;
  const parts = rows.map((r) => {
    const cert =
      r.certificate === 'optimal'
        ? ', **proven optimal**'
        : r.certificate.lowerBound > 0
          ? `, lower bound ${r.certificate.lowerBound}`
          : '';
    const vs = r.published ? ` (published ${r.published}, ${pct(r.multiplications, r.published)})` : '';
    return `${r.task} ${r.multiplications}${vs}${cert}`;
  });
  const proven = search.random.filter((r) => r.proven);
  const largest = Math.max(0, ...proven.map((r) => r.eliminable));
  return (
    `- **Search** (\`npm run bench:search\`, [\`results/search.md\`](results/search.md); ${budget} s, ` +
    `${search.machine.cores} cores, seed 1, alphagrad model): ${parts.join('; ')}. Random scalar graphs: ` +
    `${proven.length} of ${search.random.length} proven optimal, the largest with ${largest} eliminable vertices.`
  );
}

function rlBullet({ rl, paper }: ResultFiles): string {
  const faithful = paper.rows.filter((r) => r.faithful);
  const az = (task: string) => rl.runs.filter((r) => r.spec.method === 'alphazero' && r.spec.task === task);
  const seeds = new Set(rl.runs.filter((r) => r.spec.method === 'alphazero').map((r) => r.spec.seed)).size;
  const counts = faithful.map((r) => {
    const runs = az(r.task);
    if (runs.length === 0) return `${r.task} —`;
    const greedy = runs.flatMap((x) => (x.greedy ? [x.greedy.multiplications] : []));
    const g = greedy.length ? `, greedy ${median(greedy)}` : '';
    return `${r.task} ${median(runs.map((x) => x.multiplications))}${g} (paper ${r.published.alphagrad ?? '—'})`;
  });
  // First vs last tenth of each run's mean episode cost, averaged over seeds (as results/rl.md).
  const falls = faithful.filter((r) => {
    const parts = az(r.task).map((x) => tenthMeans(x.meanCosts));
    const avg = (f: (p: number[]) => number) => parts.reduce((a, p) => a + f(p), 0) / parts.length;
    return parts.length > 0 && avg((p) => p[p.length - 1]) < avg((p) => p[0]);
  });
  const episodes = rl.runs.filter((r) => r.spec.method === 'alphazero').map((r) => r.episodes);
  return (
    `- **Learned orders** (\`npm run bench:rl\`, [\`results/rl.md\`](results/rl.md); alphagrad model, median of ` +
    `${seeds} seeds, work-budgeted AlphaZero runs of ` +
    `${Math.min(...episodes)}–${Math.max(...episodes)} episodes): best order seen in self-play and search, and ` +
    `the trained policy played greedily without search: ${counts.join(', ')}. The mean self-play episode ` +
    `cost falls from the first to the last tenth of training on ${falls.length} of ${faithful.length} tasks.`
  );
}

function runtimeBullet({ runtime, paper }: ResultFiles): string {
  const faithful = paper.rows.filter((r) => r.faithful).map((r) => r.task);
  const repeated = (task: string, variant: string): number | null => {
    const rep = runtime.repeats?.find((r) => r.task === task && r.variant === variant);
    if (rep && rep.medianMs.length > 0) return median([...rep.medianMs]);
    return (
      runtime.rows.find((r) => r.task === task && r.batch === 512 && r.variant === variant)?.medianMs ?? null
    );
  };
  const processes = Math.max(1, ...(runtime.repeats ?? []).map((r) => r.medianMs.length));
  const at = (task: string, variant: string): number | null =>
    runtime.rows.find((r) => r.task === task && r.batch === 512 && r.variant === variant)?.medianMs ?? null;
  const orderRatios: string[] = [];
  const tapeRatios: number[] = [];
  const jaxRatios: number[] = [];
  for (const task of faithful) {
    const best = repeated(task, 'best-order');
    const fwd = repeated(task, 'forward-order');
    const rev = repeated(task, 'reverse-order');
    if (best && fwd && rev) orderRatios.push(`${task} ${times(Math.min(fwd, rev) / best)}`);
    const b = at(task, 'best-order');
    const tf = at(task, 'tape-forward');
    const tr = at(task, 'tape-reverse');
    const jr = at(task, 'jaxjs-jacrev');
    if (b && tf && tr) tapeRatios.push(Math.min(tf, tr) / b);
    if (b && jr) jaxRatios.push(jr / b);
  }
  return (
    `- **Compiled Jacobians** (\`npm run bench:runtime\`, [\`results/runtime.md\`](results/runtime.md)): at batch ` +
    `512 (median of ${processes} process${processes > 1 ? 'es' : ''}), the faster of the forward and reverse orders ` +
    `over the best order: ${orderRatios.join(', ')}. The faster compiled tape over the best order: ` +
    `${range(tapeRatios, times)}; @jax-js/jax's jacrev (float32, WebAssembly) over the best order: ` +
    `${range(jaxRatios, (x) => `${x.toFixed(0)}×`)}.`
  );
}

function engineBullet({ engine }: ResultFiles): string {
  const rate = (kind: string): number[] =>
    engine.rows
      .filter((r) => r.vertices === 100 && r.method.startsWith(kind))
      .map((r) => r.medianPerSecond / 1e6);
  return (
    `- **Cost-only engine** (\`npm run bench:engine\`, [\`results/engine.md\`](results/engine.md)): the bitset ` +
    `engine runs ${range(rate('bitset'), (x) => x.toFixed(1))} million vertex eliminations per second on one core ` +
    `for 100-vertex scalar graphs, the block engine ${range(rate('block'), (x) => x.toFixed(2))} million.`
  );
}

function scaleBullet({ scale }: ResultFiles): string {
  const v = verdicts(scale);
  const met = v.filter((x) => x.met === true).length;
  return [
    `- **Real programs at scale** (\`npm run bench:scale\`, [\`results/scale.md\`](results/scale.md)): ${met} of ` +
      `${v.length} targets met:`,
    ...v.map((x) => `  - ${x.target}: ${x.measured}${x.met === false ? ' (**not met**)' : ''}`),
  ].join('\n');
}

function importBullet(files: ResultFiles): string {
  const core = files.import.rows.find((r) => r.entry === 'crosscountry');
  return (
    `- **Import cost** (\`npm run bench:import\`, [\`results/import.md\`](results/import.md)): the core entry point ` +
    `imports in ${core?.ms.toFixed(0)} ms and leaves the process at ${core?.rssMB.toFixed(0)} MB RSS ` +
    `(an empty Node process: ${files.import.baselineRssMB.toFixed(0)} MB).`
  );
}

/** The section's body (between the README's markers). */
export function resultsSection(files: ResultFiles): string {
  const m = files.search.machine;
  return [
    `All numbers come from committed scripts on this project's machine (${m.cores} cores, ${m.cpu}, Node ` +
      `${m.node.replace(/^v/, '').split('.')[0]}), written into this section from \`results/*.json\` by ` +
      '`npm run readme` (CI checks that they agree); the files in `results/` say how to regenerate them.',
    '',
    paperBullet(files),
    searchBullet(files),
    rlBullet(files),
    runtimeBullet(files),
    engineBullet(files),
    scaleBullet(files),
    importBullet(files),
  ].join('\n');
}

export const START = '<!-- results: generated by `npm run readme` from results/*.json; do not edit -->';
export const END = '<!-- /results -->';

/** The README with its results section replaced; throws when the markers are missing. */
export function withResults(readme: string, section: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no results markers (${START} … ${END})`);
  return `${readme.slice(0, a + START.length)}\n${section}\n${readme.slice(b)}`;
}
