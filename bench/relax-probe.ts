import { cutRelaxationBound } from '../src/search/cut-relaxation.js';
import { searchProblem } from '../src/search/problem.js';
import { findTask, taskGraph } from '../src/tasks/index.js';
const [secs, names] = [Number(process.argv[2] ?? 20), process.argv[3] ?? 'HumanHeartDipole,RoeFlux_1d,g'];
for (const name of names.split(',')) {
  const t0 = performance.now();
  const r = await cutRelaxationBound(searchProblem(taskGraph(findTask(name)!, 'jaxpr'), 'native'), { timeLimitMs: secs * 1000, onRound: (k, b) => console.log(name, k, b, ((performance.now() - t0) / 1000).toFixed(1)) });
  console.log(name, JSON.stringify(r));
}
