/**
 * Self-play distributed through BullMQ on a real Redis: a coordinator (the trainer, in this process) and
 * two `crosscountry worker` processes; one worker is SIGKILLed right after it takes a job. Training must
 * finish, the killed job must be played again by the other worker, and the run must equal a second run
 * with the same seed on the surviving worker alone (job seeds depend on run seed, episode and game only).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';

import { AlphaZeroTrainer, DEFAULT_ALPHAZERO, type AlphaZeroConfig } from '../src/rl/alphazero.js';
import { EliminationGame } from '../src/rl/game.js';
import { runAgent } from '../src/rl/run.js';
import { randomScalarGraph } from '../src/tasks/random-graphs.js';

const redisBinary = spawnSync('sh', ['-c', 'command -v redis-server']).stdout.toString().trim();
const skip =
  redisBinary === '' ? 'redis-server not found (apt-get install redis-server; .ci/run does)' : false;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves with the first line of `child`'s output matching `pattern`. */
function waitForLine(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => pattern.test(l));
      if (line !== undefined) {
        child[stream]?.off('data', onData);
        resolve(line);
      }
    };
    child[stream]?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`process exited (${code}) before ${pattern}:\n${buffer}`)));
  });
}

interface WorkerProcess {
  readonly child: ChildProcess;
  /** Every job id it took, from its progress lines. */
  readonly jobs: string[];
}

function startWorker(url: string): WorkerProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'worker', '--queue', url, '--lock-seconds', '2'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const jobs: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => {
    for (const m of chunk.toString().matchAll(/: job (\S+) \(/g)) jobs.push(m[1]);
  });
  return { child, jobs };
}

const game = new EliminationGame(
  randomScalarGraph({ numInputs: 3, numVertices: 10, numOutputs: 2, seed: 4, noDeadCode: true }),
  'native',
  'small',
);

function config(url: string): AlphaZeroConfig {
  return {
    ...DEFAULT_ALPHAZERO,
    seed: 5,
    games: 4,
    search: { ...DEFAULT_ALPHAZERO.search, simulations: 4, maxConsidered: 4 },
    imitationSteps: 4,
    batchSize: 32,
    queue: { url, gamesPerJob: 1, attempts: 3 },
  };
}

async function train(url: string) {
  const trainer = await AlphaZeroTrainer.create([game], config(url));
  try {
    await runAgent(trainer, { episodes: 3 });
    return { trainer, curve: trainer.curve, best: trainer.best.entries(), checkpoint: trainer.checkpoint() };
  } finally {
    trainer.dispose();
  }
}

describe('distributed self-play (BullMQ on Redis)', { skip }, () => {
  let redis: ChildProcess | undefined;
  let url = '';
  const workers: WorkerProcess[] = [];

  before(async () => {
    const port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    redis = spawn(
      redisBinary,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    await waitForLine(redis, 'stdout', /Ready to accept connections/);
  });

  after(() => {
    for (const w of workers) w.child.kill('SIGKILL');
    redis?.kill('SIGTERM');
  });

  test(
    'a worker killed mid-episode loses nothing; the run reproduces with its seed',
    { timeout: 60_000 },
    async () => {
      workers.push(startWorker(url), startWorker(url));
      await Promise.all(workers.map((w) => waitForLine(w.child, 'stderr', /waiting for self-play jobs/)));
      const [victim, survivor] = workers;
      // SIGKILL as soon as the victim has taken its first job: it dies holding that job's lock.
      const killed = waitForLine(victim.child, 'stderr', /: job \S+ \(/).then((line) => {
        victim.child.kill('SIGKILL');
        return /: job (\S+) \(/.exec(line)?.[1] ?? '';
      });
      const first = await train(url);
      const killedJob = await killed;
      assert.equal(victim.child.signalCode, 'SIGKILL');
      // Training finished every episode with all of its games.
      assert.equal(first.trainer.episode, 3);
      const playedPerEpisode = first.curve.map((p) => p.meanCost);
      assert.equal(playedPerEpisode.length, 3);
      for (const c of playedPerEpisode) assert.ok(Number.isFinite(c) && c > 0, `mean cost ${c}`);
      // The job the victim died with was played again by the survivor.
      assert.ok(survivor.jobs.includes(killedJob), `${killedJob} not in ${survivor.jobs.join(', ')}`);

      const second = await train(url);
      assert.deepEqual(
        second.curve.map((p) => [p.episode, p.meanCost, p.bestCost, p.loss]),
        first.curve.map((p) => [p.episode, p.meanCost, p.bestCost, p.loss]),
      );
      assert.deepEqual(second.best, first.best);
      assert.deepEqual(second.checkpoint.network?.weights, first.checkpoint.network?.weights);
    },
  );
});
