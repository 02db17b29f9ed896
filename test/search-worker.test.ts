import assert from 'node:assert/strict';
import { test } from 'node:test';

import { exactSearch } from '../src/search/exact.js';
import { portfolioStarts } from '../src/search/portfolio.js';
import { searchProblem } from '../src/search/problem.js';
import type { WorkerMessage, WorkerTask } from '../src/search/search-worker.js';
import { graphToJson } from '../src/graph/serialize.js';
import { randomScalarGraph } from '../src/tasks/random-graphs.js';
import { startModuleWorker } from '../src/util/worker.js';

test('exact worker: when A* runs out of states, the cut relaxation bounds what is left, never above the optimum', async () => {
  const graph = randomScalarGraph({
    numInputs: 4,
    numVertices: 26,
    numOutputs: 3,
    seed: 2,
    window: 8,
    noDeadCode: true,
  });
  const problem = searchProblem(graph, 'native');
  // The independent reference: A* with no state limit proves the optimum.
  const full = exactSearch(problem, {});
  assert.equal(full.certificate, 'optimal');
  const optimum = full.multiplications as number;
  const starts = portfolioStarts(problem, 1).slice(0, 4);
  const shared = new SharedArrayBuffer(8);
  new Float64Array(shared)[0] = starts[0].multiplications;
  const task: WorkerTask = {
    graph: graphToJson(graph),
    costModel: 'native',
    strategy: 'exact',
    seed: 1,
    timeLimitMs: 60_000,
    incumbent: { order: [...starts[0].order], multiplications: starts[0].multiplications },
    starts,
    lowerBound: 0,
    shared,
    exactStates: 50,
  };
  const bounds = await new Promise<Extract<WorkerMessage, { kind: 'bound' }>[]>((resolve, reject) => {
    const seen: Extract<WorkerMessage, { kind: 'bound' }>[] = [];
    const worker = startModuleWorker(
      new URL('../src/search/portfolio.ts', import.meta.url).href,
      'search-worker',
      task,
    );
    worker.on('message', (m: WorkerMessage) => {
      if (m.kind === 'failed') reject(new Error(m.message));
      if (m.kind !== 'bound') return;
      seen.push(m);
      if (seen.length === 2 || m.optimal) void worker.terminate().then(() => resolve(seen));
    });
    worker.on('error', reject);
  });
  const [astar, relaxation] = bounds;
  assert.equal(astar.optimal, false, 'A* with 50 states should not finish here');
  assert.ok(astar.lowerBound < optimum);
  assert.ok(relaxation, 'the relaxation reports its bound');
  assert.ok(relaxation.lowerBound <= optimum, `bound ${relaxation.lowerBound} above the optimum ${optimum}`);
  assert.ok(
    relaxation.lowerBound > astar.lowerBound,
    `relaxation ${relaxation.lowerBound} vs A* ${astar.lowerBound}`,
  );
});
