#!/usr/bin/env bash
# The package as a user gets it: `npm pack`, install the tarball into an empty ESM project, import the
# core and the subpath entry points from plain Node and from strict TypeScript (node16 and bundler
# resolution), compute one Jacobian, run the bin, and check the size of what the install brought; then
# install from a git URL (the committed HEAD; npm builds it through `prepare`) and import and run again.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$repo"
tarball="$(npm pack --silent --pack-destination "$work" | tail -n 1)"
echo "packed $tarball"

mkdir "$work/consumer"
cd "$work/consumer"
printf '{ "name": "consumer", "version": "1.0.0", "type": "module", "private": true }\n' > package.json
npm install --no-audit --no-fund --silent "$work/$tarball"

cat > check.mjs <<'JS'
import { trace, np, jacobian } from 'crosscountry';
import { optimizeOrder } from 'crosscountry/search';
import { importJaxpr } from 'crosscountry/jaxpr';
import { TASKS, taskGraph } from 'crosscountry/tasks';

// f(x, y) = [sin(x)·y, x + y²]: the Jacobian is [[cos(x)·y, sin(x)], [1, 2y]].
const f = (x, y) => [np.mul(np.sin(x), y), np.add(x, np.mul(y, y))];
const J = jacobian(f, { inputs: [[], []] });
const x = 0.7, y = -1.3;
const r = J([Float64Array.of(x), Float64Array.of(y)]);
const got = r.jacobian.map((row) => row.map((a) => a[0]));
const want = [[Math.cos(x) * y, Math.sin(x)], [1, 2 * y]];
for (let i = 0; i < 2; i++)
  for (let j = 0; j < 2; j++)
    if (Math.abs(got[i][j] - want[i][j]) > 1e-12) throw new Error(`J[${i}][${j}] = ${got[i][j]}, expected ${want[i][j]}`);
const task = TASKS.find((t) => t.name === 'RoeFlux_1d');
const best = await optimizeOrder(taskGraph(task), { method: 'anneal', maxMoves: 2000, seed: 1 });
if (!(best.multiplications > 0)) throw new Error('optimizeOrder returned no count');
if (typeof importJaxpr !== 'function') throw new Error('crosscountry/jaxpr has no importJaxpr');
console.log(`core, search, jaxpr and tasks import; Jacobian correct; RoeFlux_1d anneal: ${best.multiplications}`);
JS
node check.mjs

cat > check.ts <<'TS'
import { trace, np, jacobian, type CompiledJacobian } from 'crosscountry';
import { optimizeOrder, type OptimizeResult } from 'crosscountry/search';
import { TASKS } from 'crosscountry/tasks';

const J: CompiledJacobian = jacobian((x) => [np.tanh(x)], { inputs: [[3]] });
const graph = trace((x) => [np.sin(x)], [[]]);
const count: number = graph.vertices.length + TASKS.length;
export const checks: [CompiledJacobian, number, (g: typeof graph) => Promise<OptimizeResult>] = [
  J,
  count,
  (g) => optimizeOrder(g, { method: 'greedy', maxMoves: 10 }),
];
TS
for resolution in node16 bundler; do
  module=$([ "$resolution" = node16 ] && echo node16 || echo esnext)
  "$repo/node_modules/.bin/tsc" --noEmit --strict --skipLibCheck false --target es2022 \
    --module "$module" --moduleResolution "$resolution" --types node --typeRoots "$repo/node_modules/@types" check.ts
  echo "TypeScript ($resolution resolution): types resolve"
done

npx --no-install crosscountry --help > help.txt
grep -q 'Usage: crosscountry' help.txt
npx --no-install crosscountry cost RoeFlux_1d --order markowitz > /dev/null
# The shipped generalist is plain JavaScript: the default train (alphazero from the generalist) runs
# without tfjs. A network of the user's own needs the optional tfjs packages: without them, one line
# naming them and exit 1.
npx --no-install crosscountry train RoeFlux_1d --episodes 1 --quiet > /dev/null 2> train-default.err
if npx --no-install crosscountry train RoeFlux_1d --episodes 1 --arch mlp --checkpoint mlp-checkpoint 2> train.err; then
  echo "error: train --arch mlp ran without @tensorflow/tfjs installed" >&2
  exit 1
fi
grep -q '^error: the networks need the optional packages @tensorflow/tfjs' train.err
[ "$(wc -l < train.err)" -eq 1 ]
echo "bin: --help, cost and train (generalist) run without tfjs; train --arch mlp gives one line"

size_kb="$(du -sk node_modules | cut -f1)"
echo "node_modules of a core-only install: $((size_kb / 1024)) MB"
if [ "$size_kb" -gt $((60 * 1024)) ]; then
  echo "error: the core install is larger than 60 MB" >&2
  exit 1
fi

# A CommonJS project (no "type": "module") with tsx: the bin loads a .ts graph module that imports
# crosscountry, and reads a graph from stdin.
mkdir "$work/commonjs"
cd "$work/commonjs"
printf '{ "name": "commonjs", "version": "1.0.0", "private": true }\n' > package.json
npm install --no-audit --no-fund --silent "$work/$tarball"
ln -s "$repo/node_modules/tsx" node_modules/tsx
cat > model.ts <<'TS'
import { np, type Traced } from 'crosscountry';
export const inputs = [[3]];
export const fn = (x: Traced) => np.sum(np.sin(x));
TS
npx --no-install crosscountry cost model.ts --order rev | grep -q '^3 multiplications'
npx --no-install crosscountry print RoeFlux_1d --json | npx --no-install crosscountry cost - --order rev | grep -q '^364 multiplications'
echo "const c = require('crosscountry'); if (typeof c.jacobian !== 'function') process.exit(1);" > require.cjs
node require.cjs
echo "CommonJS project: a .ts graph module loads; a graph reads from stdin; require() works"

# From a git URL: npm clones the committed HEAD, installs its dev dependencies and runs `prepare`.
mkdir "$work/from-git"
cd "$work/from-git"
printf '{ "name": "from-git", "version": "1.0.0", "type": "module", "private": true }\n' > package.json
npm install --no-audit --no-fund --silent "git+file://$repo"
cp "$work/consumer/check.mjs" .
node check.mjs
npx --no-install crosscountry --help | grep -q 'Usage: crosscountry'
echo "git URL install: imports, Jacobian and bin work"
