import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import {
  emitStandaloneModule,
  RESULT_FORMATS,
  type ResultFormat,
  type StandaloneLanguage,
} from '../index.js';
import { CliError, oneLine } from './errors.js';
import { loadGraph } from './load-graph.js';
import { costModelOf, parseSource } from './parse-options.js';
import { parseOrder } from './parse-order.js';

export interface CompileCliOptions {
  readonly out: string;
  readonly order: string;
  readonly costModel: string;
  readonly format: string;
  readonly source?: string;
}

/** The language an output file's extension asks for, and where its declarations go (null: none). */
const OUT_EXTENSIONS: Record<string, { language: StandaloneLanguage; declarations: string | null }> = {
  '.mjs': { language: 'js', declarations: '.d.mts' },
  '.js': { language: 'js', declarations: '.d.ts' },
  '.ts': { language: 'ts', declarations: null },
  '.mts': { language: 'ts', declarations: null },
};

/**
 * `compile`: writes the graph's Jacobian as a standalone ES module. The output path and options are
 * checked before the graph is loaded or an order searched, so a bad --out costs nothing.
 */
export async function compileCommand(graphPath: string, opts: CompileCliOptions): Promise<string> {
  const out = opts.out;
  checkWritable(out);
  const kind = OUT_EXTENSIONS[extname(out).toLowerCase()];
  if (!kind)
    throw new CliError(
      `--out ${out}: the extension must be .mjs or .js (JavaScript + .d.ts) or .ts/.mts (TypeScript)`,
    );
  const declarationsPath = kind.declarations && out.slice(0, -extname(out).length) + kind.declarations;
  if (declarationsPath) checkWritable(declarationsPath);
  const costModel = costModelOf(opts.costModel);
  if (!(RESULT_FORMATS as readonly string[]).includes(opts.format))
    throw new CliError(`unknown format '${opts.format}' (use ${RESULT_FORMATS.join(', ')})`);
  const source = parseSource(opts.source);
  const { graph, name } = await loadGraph(graphPath, source);
  const auto = opts.order.trim().toLowerCase() === 'auto';
  const parsed = auto ? null : parseOrder(graph, opts.order, costModel);
  const emitted = emitStandaloneModule(graph, {
    order: parsed ? parsed.order : 'auto',
    orderLabel: parsed ? parsed.label : 'auto',
    language: kind.language,
    format: opts.format as ResultFormat,
    costModel,
    name: source === 'jaxpr' ? `${name} (paper jaxpr)` : name,
  });
  write(out, emitted.source);
  if (declarationsPath && emitted.declarations) write(declarationsPath, emitted.declarations);
  const bytes = Buffer.byteLength(emitted.source);
  return `${out}: ${bytes} bytes, ${emitted.multiplications} multiplications (cost model ${costModel}; ${emitted.codeMultiplications} in the code per point)${declarationsPath ? `, types in ${declarationsPath}` : ''}`;
}

/** An output path must name a file (new or existing) in an existing directory. */
function checkWritable(path: string): void {
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new CliError(`--out ${path}: directory ${dir} does not exist`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new CliError(`--out ${path}: is a directory`);
}

function write(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (err) {
    throw new CliError(`cannot write ${path}: ${oneLine(err)}`);
  }
}
