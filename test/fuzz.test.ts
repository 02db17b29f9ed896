import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';

import {
  compileGraphJacobian,
  countOrder,
  CrosscountryError,
  evaluateGraph,
  graphFromJson,
  graphToJson,
  jacobian,
  jacobianAtPoint,
  np,
  resolveOrder,
  trace,
  validateGraph,
  validateOrder,
  type Graph,
  type Tensor,
} from '../src/index.js';
import { importJaxpr, importPaperGraph } from '../src/jaxpr/index.js';
import { readDataFile } from '../src/util/data.js';
import { Rng } from '../src/util/random.js';
import { checkCompileOptions } from '../src/compile/check-options.js';
import { checkAgentOptions, type AgentOptions } from '../src/rl/index.js';
import { checkOptimizeOptions, type OptimizeOptions } from '../src/search/index.js';
import { optimizeSettings, type OptimizeCliOptions } from '../src/cli/commands.js';
import { rlSettings, type RlCliOptions } from '../src/cli/rl-commands.js';
import { cli } from './cli-helpers.js';

/**
 * Seeded fuzzing of the entry points: malformed jaxpr text, graph JSON, orders, input specs, call inputs
 * and CLI files. Every case must either succeed or throw a CrosscountryError with a one-line message:
 * never a TypeError or RangeError from inside the library (a crash), never a multi-line message.
 */

const TASKS = ['RoeFlux_1d', 'PropaneCombustion', 'HumanHeartDipole', 'Perceptron', 'f'];
const JUNK = [
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  ':',
  ';',
  ',',
  '=',
  '-',
  '.',
  ' ',
  '\n',
  'in',
  'let',
  'f32[',
  'é',
  '∂',
  '🙂',
  '\u0000',
  '1e999',
  'NaN',
];

let cases = 0;
let failures: string[] = [];

/** Runs one case: success, or a one-line CrosscountryError; anything else is recorded as a failure. */
function expectClean(what: string, run: () => unknown): void {
  cases++;
  try {
    run();
  } catch (e) {
    if (!(e instanceof CrosscountryError)) {
      const where = e instanceof Error ? (e.stack?.split('\n')[1]?.trim() ?? '') : '';
      failures.push(`${what}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} ${where}`);
    } else if (e.message.length === 0 || e.message.includes('\n'))
      failures.push(`${what}: not one line: ${JSON.stringify(e.message)}`);
  }
}

/** Fails the test with the distinct failures of its cases (one per kind of error and place). */
function noFailures(): void {
  const distinct = new Map<string, string>();
  for (const f of failures) distinct.set(f.replace(/^[^:]*: /, '').replace(/\d+/g, 'N'), f);
  failures = [];
  assert.equal(distinct.size, 0, [...distinct.values()].slice(0, 12).join('\n'));
}

function mutateText(text: string, rng: Rng): string {
  const at = rng.int(0, text.length);
  switch (rng.int(0, 5)) {
    case 0:
      return text.slice(0, at); // truncated
    case 1:
      return text.slice(0, at) + text.slice(Math.min(text.length, at + rng.int(1, 40))); // a span deleted
    case 2:
      return text.slice(0, at) + rng.pick(JUNK) + text.slice(at); // junk inserted
    case 3: {
      const lines = text.split('\n');
      const k = rng.int(0, lines.length - 1);
      lines.splice(rng.int(0, lines.length - 1), 0, lines[k]); // a line duplicated elsewhere
      return lines.join('\n');
    }
    case 4: {
      const lines = text.split('\n');
      lines.splice(rng.int(0, lines.length - 1), 1); // a line removed
      return lines.join('\n');
    }
    default:
      return text.replace(/[a-z]+/g, (m) =>
        rng.float() < 0.02 ? rng.pick(['in', 'if', 'sin', 'xyz', 'é']) : m,
      );
  }
}

/** A structural mutation of a JSON value: a key dropped, a value replaced by the wrong type or size. */
function mutateJson(value: unknown, rng: Rng, depth = 0): unknown {
  const wrong = (): unknown =>
    rng.pick<unknown>([null, -1, 0.5, 1e308, Number.NaN, 'x', '🙂', [], {}, [[-3]], true, 2 ** 31, -0]);
  if (Array.isArray(value)) {
    if (value.length === 0 || rng.float() < 0.15) return rng.float() < 0.5 ? wrong() : [...value, wrong()];
    const copy = [...value];
    const k = rng.int(0, copy.length - 1);
    if (rng.float() < 0.2) copy.splice(k, 1);
    else copy[k] = mutateJson(copy[k], rng, depth + 1);
    return copy;
  }
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0 || rng.float() < 0.1) return wrong();
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const k = rng.pick(keys);
    if (rng.float() < 0.2) delete copy[k];
    else copy[k] = mutateJson(copy[k], rng, depth + 1);
    return copy;
  }
  return rng.float() < 0.7 || depth > 8 ? wrong() : value;
}

function randomOrder(graph: Graph, rng: Rng): unknown {
  const n = graph.vertices.length;
  const base = resolveOrder(graph, 'markowitz');
  switch (rng.int(0, 6)) {
    case 0:
      return [...base, base[0]]; // duplicate
    case 1:
      return base.slice(0, -1); // missing
    case 2:
      return base.map((v, i) => (i === 0 ? n + 5 : v)); // unknown vertex
    case 3:
      return base.map((v, i) => (i === 0 ? 0.5 : v)); // not an integer
    case 4:
      return base.map((v, i) => (i === 0 ? (rng.pick<unknown>(['3', null, Number.NaN, -1]) as number) : v));
    case 5:
      return rng.pick<unknown>([null, 'markowitz', {}, 7, [[1]]]);
    default:
      return [...base].reverse(); // valid, or invalid when an output is listed: either is fine
  }
}

function randomInputs(graph: Graph, rng: Rng, batch: number): unknown {
  const sized = (n: number): Float64Array => {
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++)
      a[i] = rng.pick([0.3, -0.7, 1.1, 0, -0, 1e308, -1e308, Number.NaN, Infinity, 1e-320]);
    return a;
  };
  const good = graph.inputs.map((inp) => sized(batch * inp.shape.reduce((p, d) => p * d, 1)));
  switch (rng.int(0, 7)) {
    case 0:
      return good.slice(0, -1); // one input missing
    case 1:
      return [...good, sized(1)]; // one too many
    case 2:
      return good.map((a, i) => (i === 0 ? sized(a.length + 1) : a)); // wrong length
    case 3:
      return good.map((a, i) =>
        i === 0 ? rng.pick<unknown>(['0.5', null, {}, [[[]]], [Number.NaN, 'a']]) : a,
      );
    case 4:
      return rng.pick<unknown>([null, 42, 'inputs', {}]);
    case 5:
      return Object.fromEntries(good.map((a, i) => [rng.float() < 0.5 ? `x${i}` : `é${i}`, a])); // names
    default:
      return good; // right shapes, values including NaN, ±Infinity, huge and subnormal
  }
}

describe('fuzz: malformed input never crashes the library', { timeout: 60_000 }, () => {
  const rng = new Rng(20261203);
  const graphs = new Map<string, Graph>();
  before(() => {
    for (const t of TASKS) graphs.set(t, importJaxpr(readDataFile(`paper/jaxpr/${t}.jaxpr`)));
  });
  afterEach(noFailures);

  test('mutated and truncated jaxpr text', () => {
    for (let k = 0; k < 400; k++) {
      const task = rng.pick(TASKS);
      const text = mutateText(readDataFile(`paper/jaxpr/${task}.jaxpr`), rng);
      expectClean(`jaxpr ${task} #${k}`, () => {
        const g = importJaxpr(text);
        validateGraph(g);
        countOrder(g, resolveOrder(g, 'markowitz'));
      });
    }
  });

  test('malformed graph JSON, ours and the paper format', () => {
    for (let k = 0; k < 300; k++) {
      const task = rng.pick(TASKS);
      const ours = rng.float() < 0.6;
      const json = ours
        ? graphToJson(graphs.get(task) as Graph)
        : JSON.parse(readDataFile(`paper/graphs/${task}.json`));
      const bad = mutateJson(json, rng);
      expectClean(`graph json ${task} #${k}`, () => {
        // As documented: a graph read from JSON is validated before use (the CLI does the same).
        const g = ours ? validateGraph(graphFromJson(bad)) : importPaperGraph(bad as never);
        countOrder(g, resolveOrder(g, 'reverse'));
      });
    }
  });

  test('invalid orders', () => {
    for (let k = 0; k < 200; k++) {
      const g = graphs.get(rng.pick(TASKS)) as Graph;
      const order = randomOrder(g, rng);
      expectClean(`order #${k}`, () => {
        validateOrder(g, order as number[]);
        countOrder(g, order as number[]);
      });
    }
  });

  test('bad input specs and traced functions', () => {
    const specs: unknown[] = [
      [[-1]],
      [[1.5]],
      [['3']],
      [[2 ** 40]],
      'x',
      null,
      [{ name: 7, shape: [] }],
      [{ shape: null }],
      [[Number.NaN]],
    ];
    for (let k = 0; k < 60; k++) {
      const spec = rng.pick(specs);
      expectClean(`trace spec #${k}`, () => trace((x) => [np.sin(x as never)], spec as never));
      expectClean(`jacobian spec #${k}`, () =>
        jacobian((x) => [np.exp(x as never)], { inputs: spec as never }),
      );
    }
  });

  test('compiled and interpreted calls with wrong shapes, batch sizes and extreme values', () => {
    const compiled = TASKS.map((t) => {
      const g = graphs.get(t) as Graph;
      return {
        g,
        J: compileGraphJacobian(g, 'markowitz', { format: rng.pick(['blocks', 'dense', 'sparse'] as const) }),
      };
    });
    for (let k = 0; k < 200; k++) {
      const { g, J } = rng.pick(compiled);
      const batch = rng.int(1, 3);
      const inputs = randomInputs(g, rng, batch);
      expectClean(`compiled call #${k}`, () => J(inputs as never));
      // A result of another batch size reused as `into`.
      expectClean(`compiled into #${k}`, () =>
        J(inputs as never, J(randomInputs(g, rng, batch + 1) as never) as never),
      );
      const point: Tensor[] = g.inputs.map((inp) => ({
        shape: rng.float() < 0.9 ? inp.shape : [...inp.shape, 2],
        data: Float64Array.from({ length: inp.shape.reduce((p, d) => p * d, 1) }, () =>
          rng.pick([0.5, Number.NaN, 1e308]),
        ),
      }));
      expectClean(`interpreter #${k}`, () => {
        evaluateGraph(g, point);
        jacobianAtPoint(g, point, resolveOrder(g, 'markowitz'));
      });
    }
  });

  after(() => {
    assert.ok(cases >= 1000, `only ${cases} cases ran`);
  });
});

describe('fuzz: the CLI answers malformed files with one line and exit 1', { timeout: 120_000 }, () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'crosscountry-fuzz-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('truncated jaxprs, broken JSON, bad orders and inputs', () => {
    const rng = new Rng(7);
    const text = readDataFile('paper/jaxpr/RoeFlux_1d.jaxpr');
    const runs: string[][] = [];
    for (let k = 0; k < 6; k++) {
      const file = join(dir, `bad-${k}-é.jaxpr`);
      writeFileSync(file, text.slice(0, rng.int(1, text.length - 10)));
      runs.push(['cost', file, '--order', 'markowitz']);
    }
    const json = join(dir, 'broken.json');
    writeFileSync(json, '{"format": "crosscountry-graph", "inputs": [');
    runs.push(['print', json]);
    const mutated = join(dir, 'mutated.json');
    writeFileSync(mutated, JSON.stringify(mutateJson(graphToJson(importJaxpr(text)), rng)));
    runs.push(['cost', mutated, '--order', 'rev']);
    runs.push(['cost', 'RoeFlux_1d', '--order', '1,1,2']);
    runs.push(['cost', 'RoeFlux_1d', '--order', '🙂']);
    const at = join(dir, 'at.json');
    writeFileSync(at, '[[1, 2], "x"]');
    runs.push(['jacobian', 'examples/griewank.ts', '--at', at]);
    runs.push(['jacobian', 'examples/griewank.ts', '--at', join(dir, 'missing.json')]);
    let rejected = 0;
    for (const args of runs) {
      const r = cli(...args);
      // Exit 0 is allowed only when the truncation happened to leave a valid program.
      if (r.status === 0) continue;
      rejected++;
      assert.equal(r.status, 1, `${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(lines[0], /^error: /);
    }
    assert.ok(rejected >= runs.length - 6, `only ${rejected} of ${runs.length} malformed runs were rejected`);
  });
});

/** Option values a user (or a script) might pass: valid, out of range, of the wrong type, or garbage. */
const OPTION_TEXT = [
  '1',
  '2',
  '0',
  '-1',
  '1.5',
  'NaN',
  'inf',
  '1e999',
  '',
  ' ',
  'abc',
  '0x10',
  '1e3',
  '-0',
  '🙂',
];
const OPTION_VALUES: unknown[] = [
  1,
  2,
  0,
  -1,
  1.5,
  NaN,
  Infinity,
  -Infinity,
  '1',
  null,
  {},
  [],
  true,
  2 ** 53,
];
const NAMES = [
  'auto',
  'exact',
  'anneal',
  'greedy',
  'alphazero',
  'ppo',
  'native',
  'alphagrad',
  'alphagrd',
  'mlp',
  'gnn',
  'x',
  '',
];

describe('fuzz: options are checked before work (seeded)', { timeout: 120_000 }, () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'crosscountry-options-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A parsed setting must be in its range whenever parsing accepted it. */
  const inRange = (what: string, x: unknown, min: number, integer: boolean): void => {
    if (x === undefined) return;
    assert.ok(typeof x === 'number' && !Number.isNaN(x) && x >= min, `${what} = ${String(x)}`);
    if (integer) assert.ok(Number.isInteger(x), `${what} = ${String(x)}`);
  };

  test('the CLI option parsers of optimize and of the learning commands', () => {
    const rng = new Rng(16);
    const text = (): string | undefined => (rng.float() < 0.3 ? undefined : rng.pick(OPTION_TEXT));
    const outs = [undefined, join(dir, 'ok.json'), dir, join(dir, 'missing', 'x.json'), ''];
    for (let k = 0; k < 400; k++) {
      const opts: OptimizeCliOptions = {
        method: rng.pick(NAMES),
        costModel: rng.pick(NAMES),
        budget: text(),
        seed: rng.pick(OPTION_TEXT),
        maxMoves: text(),
        maxStates: text(),
        threads: text(),
        out: rng.pick(outs),
      };
      expectClean(`optimize ${JSON.stringify(opts)}`, () => {
        const s = optimizeSettings(opts);
        inRange('budget', s.budgetSeconds, 0, false);
        inRange('threads', s.threads, 1, true);
        inRange('maxStates', s.maxStates, 1, true);
        inRange('maxMoves', s.maxMoves, 0, true);
        assert.ok(opts.out === undefined || opts.out === join(dir, 'ok.json'), `accepted --out ${opts.out}`);
      });
      const rl: RlCliOptions = {
        method: rng.pick(NAMES),
        seed: rng.pick(OPTION_TEXT),
        budget: text(),
        episodes: text(),
        games: text(),
        workers: text(),
        simulations: text(),
        imitate: text(),
        arch: rng.float() < 0.5 ? undefined : rng.pick(NAMES),
        costModel: rng.float() < 0.5 ? undefined : rng.pick(NAMES),
        progressSeconds: text(),
      };
      expectClean(`rl ${JSON.stringify(rl)}`, () => {
        const s = rlSettings(rl);
        inRange('budget', s.limits.budgetSeconds, Number.MIN_VALUE, false);
        inRange('episodes', s.limits.episodes, 1, true);
        for (const key of ['games', 'workers', 'simulations'] as const) inRange(key, s.agent[key], 1, true);
        inRange('imitate', s.agent.imitationSteps, 0, true);
      });
    }
    noFailures();
  });

  test('the library option bags: optimizeOrder, agents, compile', () => {
    const rng = new Rng(61);
    const value = (): unknown => (rng.float() < 0.3 ? undefined : rng.pick(OPTION_VALUES));
    for (let k = 0; k < 400; k++) {
      const search = {
        method: rng.float() < 0.5 ? undefined : rng.pick(NAMES),
        costModel: rng.float() < 0.5 ? undefined : rng.pick(NAMES),
        budgetSeconds: value(),
        maxMoves: value(),
        maxStates: value(),
        seed: value(),
        threads: value(),
      } as OptimizeOptions;
      expectClean(`optimizeOrder ${String(k)}`, () => checkOptimizeOptions(search));
      const agent = {
        method: rng.pick(NAMES),
        games: value(),
        workers: value(),
        simulations: value(),
        imitationSteps: value(),
        learningRate: value(),
      } as AgentOptions;
      expectClean(`agent ${String(k)}`, () => checkAgentOptions(agent));
      expectClean(`compile ${String(k)}`, () =>
        checkCompileOptions({
          format: rng.pick([undefined, ...NAMES, 'dense']),
          searchEffort: value(),
          chunkChars: value(),
          fold: value(),
        }),
      );
    }
    noFailures();
  });

  test('the CLI: unknown names, wrong types and ranges across commands give one error line', () => {
    const rng = new Rng(8);
    const commands: string[][] = [
      ['cost', 'RoeFlux_1d'],
      ['print', 'RoeFlux_1d'],
      ['jacobian', 'RoeFlux_1d', '--at', '[1, 0.5, -1, 0.8, 0.2, -0.5]'],
      ['optimize', 'RoeFlux_1d', '--budget', '0.2'],
      ['train', 'RoeFlux_1d'],
    ];
    // Each value is bad for its option, so no run does real work (train would train for a minute).
    const bad: [string, string][] = [
      ['--budget', rng.pick(['NaN', '-5', 'abc', ''])],
      ['--games', rng.pick(['0', '1.5', '-2'])],
      ['--workers', rng.pick(['0', 'x'])],
      ['--threads', rng.pick(['0', '0.5'])],
      ['--episodes', rng.pick(['0', '-1'])],
      ['--cost-model', rng.pick(['alphagrd', 'NATIVE'])],
      ['--method', rng.pick(['exhaustive', 'alphazro'])],
      ['--source', 'pytorch'],
      ['--order', rng.pick(['sideways', '0,0'])],
      ['--no-such-option', '1'],
      ['--out', dir],
    ];
    const accepts: Record<string, readonly string[]> = {
      cost: ['--cost-model', '--source', '--order', '--out'],
      print: ['--source'],
      jacobian: ['--source', '--order'],
      optimize: ['--budget', '--threads', '--cost-model', '--method', '--source', '--out', '--games'],
      train: ['--budget', '--games', '--workers', '--episodes', '--cost-model', '--method', '--source'],
    };
    let runs = 0;
    for (const command of commands) {
      const options = bad.filter(
        ([name]) => accepts[command[0]].includes(name) || name === '--no-such-option',
      );
      for (let k = 0; k < 2; k++) {
        const [name, v] = rng.pick(options);
        const args = [...command, name, v];
        const r = cli(...args);
        runs++;
        assert.doesNotMatch(r.stderr, /internal error/, args.join(' '));
        assert.equal(r.status, 1, `${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
        const lines = r.stderr.trimEnd().split('\n');
        assert.equal(lines.length, 1, `${args.join(' ')}: ${r.stderr}`);
        assert.match(lines[0], /^error: /);
      }
    }
    assert.equal(runs, 10);
  });
});
