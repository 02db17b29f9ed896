import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  ALL_PRIMITIVES,
  CrosscountryError,
  graphFromJson,
  trace,
  validateGraph,
  type Graph,
  type InputSpec,
  type TracedFunction,
} from '../index.js';
import { importJaxpr, importPaperGraph, isPaperGraphJson } from '../jaxpr/index.js';
import { findTask, taskGraph, TASK_NAMES, type TaskSource } from '../tasks/index.js';
import { CliError, oneLine, readJsonFile } from './errors.js';

const MODULE_EXTENSIONS = new Set(['.ts', '.mts', '.js', '.mjs']);
const TS_EXTENSIONS = new Set(['.ts', '.mts']);

/** A graph and the name orders made for it are filed under (`task` in the order JSON). */
export interface LoadedGraph {
  readonly graph: Graph;
  readonly name: string;
}

export const GRAPH_HELP =
  'a built-in task name (see `crosscountry tasks`), a .jaxpr file, a graph JSON (crosscountry or paper format), or a .ts/.mts/.js/.mjs module exporting fn and inputs';

/**
 * Loads the graph named on the command line: a built-in task (its TypeScript version, or the paper's
 * jaxpr with `source: 'jaxpr'`), a `.jaxpr` file, a `.json` graph (crosscountry-graph or the shared
 * paper format), or a module exporting `fn` and `inputs`, traced here.
 */
export async function loadGraph(path: string, source: TaskSource = 'ts'): Promise<LoadedGraph> {
  const task = findTask(path);
  if (task && !existsSync(path)) return { graph: taskGraph(task, source), name: task.name };
  const ext = extname(path).toLowerCase();
  if (ext !== '.json' && ext !== '.jaxpr' && !MODULE_EXTENSIONS.has(ext)) {
    throw new CliError(
      `cannot load graph ${path}: not a built-in task (${TASK_NAMES.join(', ')}) nor a .jaxpr, .json or .ts/.mts/.js/.mjs file`,
    );
  }
  if (!existsSync(path)) throw new CliError(`cannot read graph ${path}: no such file`);
  if (statSync(path).isDirectory()) throw new CliError(`cannot read graph ${path}: is a directory`);
  const name = basename(path, extname(path));
  if (ext === '.jaxpr') return { graph: loadJaxpr(path), name };
  return { graph: ext === '.json' ? loadGraphJson(path) : await loadGraphModule(path, ext), name };
}

function loadJaxpr(path: string): Graph {
  try {
    return importJaxpr(readFileSync(path, 'utf8'));
  } catch (err) {
    if (err instanceof CrosscountryError) throw new CliError(`${path}: ${oneLine(err)}`);
    throw err;
  }
}

function loadGraphJson(path: string): Graph {
  const json = readJsonFile(path, 'graph');
  if (isPaperGraphJson(json)) {
    try {
      return importPaperGraph(json);
    } catch (err) {
      throw new CliError(`${path}: ${oneLine(err)}`);
    }
  }
  // Name the vertex of an unknown primitive (validateGraph only names the primitive).
  const vertices = (json as { vertices?: unknown } | null)?.vertices;
  if (Array.isArray(vertices)) {
    const known = new Set<string>(ALL_PRIMITIVES);
    vertices.forEach((v: unknown, k) => {
      const primitive = (v as { primitive?: unknown } | null)?.primitive;
      if (typeof primitive === 'string' && !known.has(primitive)) {
        const id = (v as { id?: unknown }).id ?? k + 1;
        throw new CliError(`${path}: vertex ${String(id)} has unsupported primitive '${primitive}'`);
      }
    });
  }
  try {
    return validateGraph(graphFromJson(json));
  } catch (err) {
    // Malformed fields can surface as plain TypeErrors from the shape rules: still the file's fault.
    throw new CliError(`${path}: ${oneLine(err)}`);
  }
}

async function loadGraphModule(path: string, ext: string): Promise<Graph> {
  await prepareModuleLoading(TS_EXTENSIONS.has(ext));
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (err) {
    throw new CliError(`cannot load module ${path}: ${oneLine(err)}`);
  }
  const { fn, inputs } = mod;
  if (typeof fn !== 'function' || !Array.isArray(inputs)) {
    const missing = [
      typeof fn !== 'function' ? '`fn` (a function)' : '',
      !Array.isArray(inputs) ? '`inputs` (an array of input shapes)' : '',
    ]
      .filter(Boolean)
      .join(' and ');
    throw new CliError(`module ${path} must export ${missing}`);
  }
  try {
    return trace(fn as TracedFunction, inputs as InputSpec[]);
  } catch (err) {
    if (err instanceof CrosscountryError) throw new CliError(`${path}: ${oneLine(err)}`);
    throw new CliError(`${path}: fn threw while tracing: ${oneLine(err)}`);
  }
}

/** Whether TypeScript modules can be imported: true when this CLI itself runs under a TS loader (tsx). */
let tsxRegistered = import.meta.url.endsWith('.ts');

/**
 * Registers tsx for TypeScript user modules (only when needed). A user module may import another copy of
 * crosscountry (its src/, or an installed one): the tracer recognises traced values across copies.
 */
async function prepareModuleLoading(needTs: boolean): Promise<void> {
  if (needTs && !tsxRegistered) {
    // tsx is an optional peer dependency: only TypeScript user modules need it.
    let api: typeof import('tsx/esm/api');
    try {
      api = await import('tsx/esm/api');
    } catch {
      throw new CliError(
        'loading a .ts module needs the optional package tsx (npm install tsx), or compile it to .js first',
      );
    }
    api.register();
    tsxRegistered = true;
  }
}
