import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import {
  compileGraphJacobian,
  countOrder,
  countOrderWith,
  InvalidOrderError,
  np,
  OptionError,
  ShapeError,
  trace,
  resolveOrder,
  type CostModelName,
  type Graph,
} from '../src/index.js';
import { checkAgentOptions, runAgent, type AgentBase, type AgentOptions } from '../src/rl/index.js';
import { optimizeOrder, type OptimizeOptions } from '../src/search/index.js';
import { findTask, taskGraph } from '../src/tasks/index.js';
import { readDataFile } from '../src/util/data.js';
import { importJaxpr } from '../src/jaxpr/index.js';
import { parseNumberOption } from '../src/util/options.js';
import { detectGraphFormat } from '../src/cli/load-graph.js';
import { outputDir, RESULTS_DIR, SCRATCH_DIR, writeResult, BenchError } from '../bench/output.js';
import { parseSearchArgs } from '../bench/search.js';
import { fails, ok, ROOT, type Run } from './cli-helpers.js';

/** Issue 16: validate before work, keep the best on Ctrl-C, never clobber results, inputs as users have them. */

const dir = mkdtempSync(join(tmpdir(), 'crosscountry-workflows-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const roe = (): Graph => taskGraph(findTask('RoeFlux_1d')!, 'ts');

describe('library options are checked before any work', () => {
  const g = roe();
  test('optimizeOrder: unknown method or cost model, NaN or negative budget, zero threads', async () => {
    const bad: OptimizeOptions[] = [
      { method: 'exhaustive' as OptimizeOptions['method'] },
      { costModel: 'alphagrd' as CostModelName },
      { budgetSeconds: NaN },
      { budgetSeconds: -5 },
      { threads: 0 },
      { maxStates: 0 },
      { maxMoves: 1.5 },
      { seed: 0.5 },
      { onProgress: 'print' as unknown as OptimizeOptions['onProgress'] },
    ];
    for (const options of bad)
      await assert.rejects(optimizeOrder(g, options), OptionError, JSON.stringify(options));
    await assert.rejects(optimizeOrder(g, { method: 'exhaustive' as 'auto' }), /unknown method 'exhaustive'/);
  });

  test('countOrder: a typed-array order is checked like an array, never NaN', () => {
    const order = resolveOrder(g, 'markowitz');
    assert.throws(() => countOrder(g, Int32Array.of(2, 1) as unknown as number[]), InvalidOrderError);
    assert.equal(
      countOrder(g, Int32Array.from(order) as unknown as number[]).multiplications,
      countOrder(g, order).multiplications,
    );
    assert.throws(() => countOrderWith(g, order, 'alphagrd' as CostModelName), OptionError);
  });

  test('compile and training options: types and ranges', async () => {
    assert.throws(() => compileGraphJacobian(g, 'markowitz', { format: 'csr' as 'dense' }), OptionError);
    assert.throws(() => compileGraphJacobian(g, 'markowitz', { layout: 'rows' as 'point' }), OptionError);
    assert.throws(() => compileGraphJacobian(g, 'auto', { searchEffort: 0 }), OptionError);
    const agent = (o: Partial<AgentOptions>): AgentOptions => ({ method: 'alphazero', ...o });
    for (const o of [{ games: 0 }, { workers: 0 }, { simulations: 2.5 }, { imitationSteps: -1 }])
      assert.throws(() => checkAgentOptions(agent(o)), OptionError, JSON.stringify(o));
    assert.throws(() => checkAgentOptions({ method: 'ppx' as 'ppo' }), /unknown RL method 'ppx'/);
    checkAgentOptions(agent({ games: 2, workers: 1, imitationSteps: 0 }));
    // The limits are checked before the agent is touched (this one has nothing to train).
    const none = {} as AgentBase;
    await assert.rejects(runAgent(none, { episodes: 0 }), OptionError);
    await assert.rejects(runAgent(none, { budgetSeconds: NaN }), OptionError);
  });

  test('command-line numbers: decimal only, ranges named', () => {
    assert.equal(parseNumberOption('1e3', '--budget', { min: 0 }), 1000);
    assert.equal(parseNumberOption(' 2 ', '--games', { min: 1, integer: true }), 2);
    assert.equal(parseNumberOption('inf', '--budget', { min: 0 }), Infinity);
    for (const bad of ['', '0x10', 'abc', 'NaN', '1.5'])
      assert.throws(
        () => parseNumberOption(bad, '--games', { min: 1, integer: true }),
        /--games must be a whole number ≥ 1/,
      );
    assert.throws(() => parseNumberOption('inf', '--games', { min: 1, integer: true }), OptionError);
  });

  test('sizes that cannot be allocated: one-line ShapeErrors, from jaxpr text and from tracing', () => {
    const huge = '{ lambda ; a:f32[1000000,1000000]. let b:f32[1000000,1000000] = sin a in (b) }';
    assert.throws(
      () => importJaxpr(huge),
      (e: Error) => e instanceof ShapeError && /2\^30/.test(e.message),
    );
    const rank40 = Array<number>(40).fill(2);
    assert.throws(() => trace((x) => np.sin(x), [rank40]), ShapeError);
    // Rank 40 itself is fine when the size is.
    assert.equal(trace((x) => np.sin(x), [Array<number>(40).fill(1)]).inputs[0].shape.length, 40);
  });

  test('an abort keeps the best order found so far, marked interrupted', async () => {
    const controller = new AbortController();
    // Aborted at the first report (a baseline): the single-thread annealing must not start.
    const r = await optimizeOrder(g, {
      method: 'anneal',
      maxMoves: 1e12,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    assert.equal(r.interrupted, true);
    assert.equal(countOrder(g, r.order ?? []).multiplications, r.multiplications);
    // The portfolio's workers stop waiting on an abort long before the budget.
    const portfolio = await optimizeOrder(g, { budgetSeconds: 600, signal: AbortSignal.timeout(200) });
    assert.equal(portfolio.interrupted, true);
    assert.equal(countOrder(g, portfolio.order ?? []).multiplications, portfolio.multiplications);
  });
});

describe('the CLI refuses bad options and paths before it starts working', () => {
  test('optimize: --out in a missing directory or a directory; NaN budget; zero threads', () => {
    // A 600 s budget: the test would time out if any of these were found only after the search.
    const long = ['optimize', 'RoeFlux_1d', '--budget', '600'];
    assert.match(fails(...long, '--out', join(dir, 'missing', 'x.json')), /--out .*does not exist/);
    assert.match(fails(...long, '--out', dir), /--out .*is a directory/);
    assert.match(fails('optimize', 'RoeFlux_1d', '--budget', 'NaN'), /--budget must be a number ≥ 0/);
    assert.match(fails(...long, '--threads', '0'), /--threads must be a whole number ≥ 1, got 0/);
    assert.match(fails(...long, '--cost-model', 'alphagrd'), /unknown cost model 'alphagrd'/);
  });

  test('train: a checkpoint path that is a file, or already holds a checkpoint; zero games or episodes', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    assert.match(fails('train', 'RoeFlux_1d', '--checkpoint', file), /--checkpoint .*is a file/);
    const used = join(dir, 'used');
    mkdirSync(used);
    writeFileSync(join(used, 'checkpoint.json'), '{}');
    assert.match(
      fails('train', 'RoeFlux_1d', '--checkpoint', used),
      /already holds a checkpoint: pass --resume .* or --overwrite/,
    );
    assert.match(fails('train', 'RoeFlux_1d', '--games', '0'), /--games must be a whole number ≥ 1/);
    assert.match(
      fails('optimize', 'RoeFlux_1d', '--method', 'ppo', '--episodes', '0'),
      /--episodes must be a whole number ≥ 1/,
    );
    assert.match(
      fails('optimize', 'RoeFlux_1d', '--method', 'alphazero', '--workers', '0'),
      /--workers must be a whole number ≥ 1/,
    );
  });
});

/** Starts the CLI, sends `signal` once stderr has shown `ready`, and collects the outcome. */
function interruptWhen(args: readonly string[], ready: RegExp, signal: NodeJS.Signals): Promise<Run> {
  return new Promise((resolve, reject) => {
    // The kill after 100 s only guards the suite against a child that ignores the signal.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: ROOT,
      timeout: 100_000,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!sent && ready.test(stderr)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

interface OrderRecord {
  task: string;
  costModel: CostModelName;
  multiplications: number;
  order: number[];
  interrupted?: boolean;
}

describe('Ctrl-C and SIGTERM keep the best result', { timeout: 120_000 }, () => {
  const verify = (record: OrderRecord): void => {
    assert.equal(record.task, 'RoeFlux_1d');
    assert.equal(record.interrupted, true);
    assert.equal(
      countOrderWith(roe(), record.order, record.costModel).multiplications,
      record.multiplications,
    );
  };

  test('SIGINT during a 60 s optimize: exit 130, the best order printed and written', async () => {
    const out = join(dir, 'interrupted.json');
    // --verbose: the first improvement line says the search has started (the only wait there is).
    const r = await interruptWhen(
      ['optimize', 'RoeFlux_1d', '--budget', '60', '--json', '--verbose', '--out', out],
      /\] \d+ \(/,
      'SIGINT',
    );
    assert.equal(r.status, 130, r.stderr);
    assert.match(r.stderr, /interrupted after .*written to/);
    const written = JSON.parse(readFileSync(out, 'utf8')) as OrderRecord;
    verify(written);
    assert.deepEqual(JSON.parse(r.stdout), written);
  });

  test('SIGTERM during a single-thread annealing run (a work limit, no time limit)', async () => {
    const r = await interruptWhen(
      ['optimize', 'RoeFlux_1d', '--method', 'anneal', '--max-moves', '1000000000000', '--json', '--verbose'],
      /\] \d+ \(/,
      'SIGTERM',
    );
    assert.equal(r.status, 130, r.stderr);
    verify(JSON.parse(r.stdout) as OrderRecord);
  });

  test('SIGINT during train: the checkpoint and the best orders are saved', async () => {
    const checkpoint = join(dir, 'train-interrupted');
    const r = await interruptWhen(
      [
        'train',
        'RoeFlux_1d',
        '--method',
        'ppo',
        '--games',
        '2',
        '--imitate',
        '0',
        '--budget',
        '60',
        '--checkpoint',
        checkpoint,
        '--progress-seconds',
        '0.001',
        '--json',
      ],
      /episode \d+/,
      'SIGINT',
    );
    assert.equal(r.status, 130, r.stderr);
    assert.ok(existsSync(join(checkpoint, 'checkpoint.json')));
    const [record] = JSON.parse(readFileSync(join(checkpoint, 'orders.json'), 'utf8')) as OrderRecord[];
    assert.equal(record.costModel, 'alphagrad');
    verify(record);
  });
});

describe('inputs as users have them', () => {
  const jaxpr = readDataFile('paper/jaxpr/RoeFlux_1d.jaxpr');
  const reverseCost = (graph: string, ...more: string[]): unknown =>
    (JSON.parse(ok('cost', graph, '--order', 'rev', '--json', ...more)) as { multiplications: number })
      .multiplications;

  test('jaxpr text and graph JSON are recognised by content, with or without a BOM', () => {
    const expected = reverseCost('RoeFlux_1d', '--source', 'jaxpr');
    const txt = join(dir, 'roe.txt');
    writeFileSync(txt, `\uFEFF${jaxpr}`);
    assert.equal(reverseCost(txt), expected);
    const paper = join(dir, 'roe.graph');
    writeFileSync(paper, `\uFEFF${readDataFile('paper/graphs/RoeFlux_1d.json')}`);
    assert.equal(reverseCost(paper), expected);
    assert.equal(detectGraphFormat('  { lambda ; a:f32[]. let  in (a) }', '.json'), 'jaxpr');
    assert.equal(detectGraphFormat('\uFEFF{"format": "crosscountry-graph"}', ''), 'json');
    assert.equal(detectGraphFormat('# notes', '.md'), null);
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'hello');
    assert.match(fails('cost', notes), /neither jaxpr text .* nor graph JSON/);
  });

  test('- reads the graph from stdin', () => {
    const json = ok('print', 'RoeFlux_1d', '--json');
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'cost', '-', '--order', 'rev', '--json'],
      { cwd: ROOT, input: json, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      (JSON.parse(r.stdout) as { multiplications: number }).multiplications,
      reverseCost('RoeFlux_1d'),
    );
  });

  test('a .ts module loads in a project without "type": "module"', () => {
    const project = join(dir, 'cjs-project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{ "name": "cjs-project", "version": "1.0.0" }\n');
    const lib = JSON.stringify(join(ROOT, 'src', 'index.ts'));
    writeFileSync(
      join(project, 'model.ts'),
      `import { np, type Traced } from ${lib};\nexport const inputs = [[3]];\nexport const fn = (x: Traced) => np.sum(np.sin(x));\n`,
    );
    assert.match(ok('cost', join(project, 'model.ts'), '--order', 'rev'), /^3 multiplications/);
  });

  test('every example in --help runs from an empty directory', () => {
    const examples = ok('--help')
      .split('\n')
      .filter((l) => l.startsWith('  crosscountry '))
      .map((l) => l.trim());
    assert.ok(examples.length >= 6);
    const cwd = join(dir, 'empty');
    mkdirSync(cwd);
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const tsx = import.meta.resolve('tsx');
    writeFileSync(
      join(bin, 'crosscountry'),
      `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} --import ${tsx} ${JSON.stringify(join(ROOT, 'src/cli/main.ts'))} "$@"\n`,
      { mode: 0o755 },
    );
    for (const example of examples) {
      const r = spawnSync('sh', ['-c', `set -e; ${example}`], {
        cwd,
        encoding: 'utf8',
        env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
        timeout: 120_000,
      });
      assert.equal(r.status, 0, `${example}: ${r.stderr}`);
      assert.ok(r.stdout.trim().length > 0, `${example} printed nothing`);
    }
  });
});

describe('benchmarks never clobber the committed results', () => {
  test('quick and partial runs go to the scratch directory unless --write', () => {
    assert.equal(parseSearchArgs([]).dir, RESULTS_DIR);
    assert.equal(parseSearchArgs(['--quick']).dir, SCRATCH_DIR);
    assert.equal(parseSearchArgs(['--part', 'native']).dir, SCRATCH_DIR);
    assert.deepEqual(parseSearchArgs(['--part', 'native,random', '--write']), {
      quick: false,
      fresh: false,
      parts: ['native', 'random'],
      tasks: null,
      dir: RESULTS_DIR,
    });
    assert.equal(parseSearchArgs(['--task', 'RobotArm_6DOF']).dir, SCRATCH_DIR);
    assert.deepEqual(parseSearchArgs(['--task', 'RobotArm_6DOF', '--write']).tasks, ['RobotArm_6DOF']);
    assert.throws(() => parseSearchArgs(['--task', 'bogus']), BenchError);
    assert.equal(outputDir({ partial: true, write: false }), SCRATCH_DIR);
    assert.ok(readFileSync(join(ROOT, '.gitignore'), 'utf8').includes(`${SCRATCH_DIR}/`));
  });

  test('an empty or unknown selection or option is an error before any work', () => {
    assert.throws(() => parseSearchArgs(['--part', 'bogus']), BenchError);
    assert.throws(() => parseSearchArgs(['--part', ',']), /empty part selection/);
    assert.throws(() => parseSearchArgs(['--quik']), /unknown option --quik/);
    for (const [script, args] of [
      ['bench/runtime.ts', ['--tasks', 'bogus']],
      ['bench/scale/index.ts', ['--family', 'nope']],
    ] as const) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      assert.equal(r.status, 1, `${script}: ${r.stderr}`);
      assert.match(r.stderr.trim(), /^error: unknown (task|family) /);
    }
  });

  test('result files are replaced whole, through a temporary file', () => {
    const out = join(dir, 'results');
    writeResult(join(out, 'r.json'), '{"a": 1}\n');
    writeResult(join(out, 'r.json'), '{"a": 2}\n');
    assert.deepEqual(readdirSync(out), ['r.json']);
    assert.equal(readFileSync(join(out, 'r.json'), 'utf8'), '{"a": 2}\n');
  });
});
