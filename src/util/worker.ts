import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on the module `name` (without extension) next to `callerUrl`. In the build the
 * worker is a .js file. Running from source (tsx) it is a .ts file, and Node 20 does not apply an inherited
 * TS loader to a worker's entry module, so a tiny bootstrap registers tsx inside the worker first and then
 * imports it.
 */
export function startModuleWorker(callerUrl: string, name: string, workerData: unknown): Worker {
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, callerUrl), { workerData });
  const entry = new URL(`./${name}.ts`, callerUrl).href;
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}
