import { existsSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
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
import { CliError, oneLine, parseJson, readTextFile, stripBom } from './errors.js';

const MODULE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);
const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);

/** The graph argument that reads the graph (jaxpr text or graph JSON) from standard input. */
export const STDIN = '-';

/** A graph and the name orders made for it are filed under (`task` in the order JSON). */
export interface LoadedGraph {
  readonly graph: Graph;
  readonly name: string;
}

export const GRAPH_HELP =
  'a built-in task name (see `crosscountry tasks`), a jaxpr text or graph JSON file (crosscountry or paper format; recognised by content), - for either on stdin, or a .ts/.mts/.js/.mjs module exporting fn and inputs';

/**
 * Loads the graph named on the command line: a built-in task (its TypeScript version, or the paper's
 * jaxpr with `source: 'jaxpr'`), a module exporting `fn` and `inputs` (traced here), or a file (or `-`,
 * stdin) holding jaxpr text or graph JSON (crosscountry-graph or the shared paper format). Files are
 * recognised by their content, whatever their extension; a UTF-8 byte order mark is ignored.
 */
export async function loadGraph(path: string, source: TaskSource = 'ts'): Promise<LoadedGraph> {
  const task = findTask(path);
  if (task && !existsSync(path)) return { graph: taskGraph(task, source), name: task.name };
  if (path === STDIN) return { graph: graphFromText(await readStdin(), 'stdin', ''), name: 'stdin' };
  const ext = extname(path).toLowerCase();
  if (!existsSync(path)) {
    const hint =
      MODULE_EXTENSIONS.has(ext) || ext === '.json' || ext === '.jaxpr'
        ? ''
        : ` and not a built-in task (${TASK_NAMES.join(', ')})`;
    throw new CliError(`cannot read graph ${path}: no such file${hint}`);
  }
  if (statSync(path).isDirectory()) throw new CliError(`cannot read graph ${path}: is a directory`);
  const name = basename(path, extname(path));
  if (MODULE_EXTENSIONS.has(ext)) return { graph: await loadGraphModule(path, ext), name };
  return { graph: graphFromText(readTextFile(path, 'graph'), path, ext), name };
}

async function readStdin(): Promise<string> {
  // Reading a terminal would wait for typed input without a word: say what `-` expects instead.
  if (process.stdin.isTTY)
    throw new CliError('graph - reads jaxpr text or graph JSON from stdin, which is a terminal');
  // A stream, not readFileSync(0): a pipe whose writer is still running would fail with EAGAIN.
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    throw new CliError(`cannot read graph from stdin: ${oneLine(err)}`);
  }
}

/** What a graph file holds, from its first characters (the extension only breaks a tie). */
export function detectGraphFormat(text: string, ext: string): 'jaxpr' | 'json' | null {
  const head = stripBom(text).trimStart();
  // A jaxpr prints as `{ lambda ; a:f32[]. let … }`; JSON never has a bare word after its brace.
  if (/^\{\s*lambda\b/.test(head)) return 'jaxpr';
  if (head.startsWith('{') || head.startsWith('[')) return 'json';
  if (ext === '.jaxpr') return 'jaxpr';
  if (ext === '.json') return 'json';
  return null;
}

function graphFromText(text: string, where: string, ext: string): Graph {
  if (stripBom(text).trim() === '') throw new CliError(`cannot load graph ${where}: it is empty`);
  const format = detectGraphFormat(text, ext);
  if (format === 'jaxpr') return loadJaxpr(stripBom(text), where);
  if (format === 'json') return loadGraphJson(parseJson(stripBom(text), where), where);
  throw new CliError(
    `cannot load graph ${where}: neither jaxpr text ('{ lambda …') nor graph JSON${ext === '' ? '' : `, and not a module (.ts, .mts, .js, .mjs)`}`,
  );
}

function loadJaxpr(text: string, where: string): Graph {
  try {
    return importJaxpr(text);
  } catch (err) {
    if (err instanceof CrosscountryError) throw new CliError(`${where}: ${oneLine(err)}`);
    throw err;
  }
}

function loadGraphJson(json: unknown, path: string): Graph {
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
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(resolve(path), TS_EXTENSIONS.has(ext));
  } catch (err) {
    if (err instanceof CliError) throw err;
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

/** True when this CLI itself runs under a TS loader (tsx, from source): TS modules import as they are. */
const underTsx = import.meta.url.endsWith('.ts');

/**
 * Imports a user module. TypeScript goes through tsx's tsImport (tsx is an optional peer dependency),
 * which loads the file as an ES module even in a project without "type": "module"; registering tsx's
 * hooks instead would make such a .ts file CommonJS, and its import of crosscountry (an ES module) a
 * require() cycle. A user module may import another copy of crosscountry: the tracer recognises traced
 * values across copies.
 */
async function importModule(absolute: string, typescript: boolean): Promise<Record<string, unknown>> {
  const url = pathToFileURL(absolute).href;
  if (!typescript || underTsx) return (await import(url)) as Record<string, unknown>;
  let api: typeof import('tsx/esm/api');
  try {
    api = await import('tsx/esm/api');
  } catch {
    throw new CliError(
      'loading a .ts module needs the optional package tsx (npm install tsx), or compile it to .js first',
    );
  }
  return (await api.tsImport(url, import.meta.url)) as Record<string, unknown>;
}
