import { COST_MODELS, countOrderWith, type CostModelName } from '../elimination/cost-model.js';
import { resolveOrder, type OrderSpec } from '../elimination/resolve.js';
import { CrosscountryError } from '../graph/errors.js';
import { operandShape, type Graph, type Operand, type VertexId } from '../graph/graph.js';
import { crosscountryVersion } from '../util/version.js';
import { buildEliminationProgram } from './build.js';
import { autoOrder } from './choose.js';
import { pointLayoutSource, type PointLayoutSource } from './emit.js';
import {
  eliminateDeadCode,
  FULL_FOLDING,
  NO_FOLDING,
  numberLiteral,
  programStats,
  type Program,
} from './program.js';
import { RESULT_FORMATS, resultLayout, type ResultFormat, type SparsityPattern } from './result-format.js';
import { functionSource } from './standalone-math.js';
import {
  functionDeclarations,
  jacobianArgumentType,
  resultTypes,
  runtimeSource,
} from './standalone-runtime.js';

/**
 * Standalone Jacobian code: the compiled program of an order written out as one ES module with no imports
 * (Math only), to run in a browser or a bundle without crosscountry. It is the in-process `point` layout's
 * generated code, the same statements and chunks, so it computes the same numbers.
 */

export type StandaloneLanguage = 'js' | 'ts';
export const STANDALONE_LANGUAGES: readonly StandaloneLanguage[] = ['js', 'ts'];

/**
 * Programs beyond this many instructions are refused: their source (about 30 characters an instruction)
 * would approach V8's string limit. In-process such programs run as bytecode; a standalone module always
 * holds generated code, which is correct at any size but optimised late by V8 above BYTECODE_INSTRUCTIONS.
 */
export const STANDALONE_MAX_INSTRUCTIONS = 4_000_000;

export interface StandaloneOptions {
  /** An order name, a vertex list, or `auto` (default: the order `jacobian()` compiles, chosen by work budget). */
  readonly order?: OrderSpec | 'auto';
  /** `js` (default; pair it with `declarations`) or `ts` (typed source that typechecks under strict). */
  readonly language?: StandaloneLanguage;
  /** The result layout, as CompileOptions.format (default `blocks`). */
  readonly format?: ResultFormat;
  /** The cost model the reported multiplications (and `markowitz`) use; default `native`. */
  readonly costModel?: CostModelName;
  /** The graph's name for the header (a task or file name); default `graph`. */
  readonly name?: string;
  /** How the order was given, for the header (default: the order name, or `explicit`). */
  readonly orderLabel?: string;
  /** Constant-fold ±1 and 0 products (default true), as CompileOptions.fold. */
  readonly fold?: boolean;
  /** Work multiple for `auto`, as CompileOptions.searchEffort (default 1). */
  readonly searchEffort?: number;
}

export interface StandaloneModule {
  readonly language: StandaloneLanguage;
  /** The module's source (.mjs/.js, or .ts). */
  readonly source: string;
  /** For `js`: the sibling .d.ts with the typed exports; null for `ts`. */
  readonly declarations: string | null;
  readonly order: readonly VertexId[];
  /** The order's multiplications in the cost model. */
  readonly multiplications: number;
  readonly costModel: CostModelName;
  /** Derivative multiplications the emitted code performs per point (after folding and dead-code removal). */
  readonly codeMultiplications: number;
  readonly instructions: number;
}

/** Emits a standalone module for `graph`'s Jacobian (see StandaloneOptions); bad options throw CrosscountryError. */
export function emitStandaloneModule(graph: Graph, options: StandaloneOptions = {}): StandaloneModule {
  const language = options.language ?? 'js';
  const format = options.format ?? 'blocks';
  const costModel = options.costModel ?? 'native';
  if (!STANDALONE_LANGUAGES.includes(language))
    throw new CrosscountryError(`unknown language '${String(language)}' (use js or ts)`);
  if (!RESULT_FORMATS.includes(format))
    throw new CrosscountryError(`unknown format '${String(format)}' (use ${RESULT_FORMATS.join(', ')})`);
  if (!(COST_MODELS as readonly string[]).includes(costModel))
    throw new CrosscountryError(
      `unknown cost model '${String(costModel)}' (use ${COST_MODELS.join(' or ')})`,
    );
  const effort = options.searchEffort ?? 1;
  if (typeof effort !== 'number' || !(effort >= 0 && Number.isFinite(effort)))
    throw new CrosscountryError(`searchEffort must be a finite number ≥ 0, not ${String(effort)}`);
  const spec = options.order ?? 'auto';
  const order = spec === 'auto' ? autoOrder(graph, { effort }) : resolveOrder(graph, spec, costModel);
  const multiplications = countOrderWith(graph, order, costModel).multiplications;
  const program = buildEliminationProgram(graph, order, options.fold === false ? NO_FOLDING : FULL_FOLDING);
  if (program.instrs.length > STANDALONE_MAX_INSTRUCTIONS)
    throw new CrosscountryError(
      `the compiled program has ${program.instrs.length} instructions, more than a standalone module holds (${STANDALONE_MAX_INSTRUCTIONS})`,
    );
  const typed = language === 'ts';
  const literal = typed ? typedLiteral : numberLiteral;
  const inputSizes = program.inputs.map((x) => x.length);
  const outputSizes = program.outputs.map((x) => x.length);
  const result = resultLayout(format, program.jacobian, outputSizes, inputSizes);
  const jac = pointLayoutSource(program, result, undefined, literal);
  // The outputs alone: the same program without Jacobian entries, dead code removed (no derivative work).
  const primal = eliminateDeadCode({ ...program, jacobian: [] });
  const val = pointLayoutSource(primal, result, undefined, literal);
  const stats = programStats(program);
  const label = options.orderLabel ?? (typeof spec === 'string' ? spec : 'explicit');
  const sparse = format === 'sparse' ? result.allocate(1) : null;
  const pattern = sparse && 'pattern' in sparse ? sparse.pattern : null;
  const rows = outputSizes.reduce((s, n) => s + n, 0);
  const cols = inputSizes.reduce((s, n) => s + n, 0);
  const meta = metadata(graph, { format, order, label, multiplications, costModel, pattern });
  const parts = [
    header(graph, options.name ?? 'graph', {
      label,
      order,
      multiplications,
      costModel,
      format,
      stats,
      language,
    }),
    typed ? resultTypes(format) : '',
    renderMetadata(meta, language),
    mathFunctions(program, [jac, val], typed),
    chunkFunctions('c', jac, typed ? jacobianArgumentType(format) : null),
    chunkFunctions('p', val, typed ? 'unknown' : null),
    runtimeSource(
      {
        format,
        inputSizes,
        outputSizes,
        rows,
        cols,
        nnz: pattern ? pattern.colIdx.length : 0,
        jacobianChunks: jac.bodies.map((_b, k) => `c${k}`),
        valueChunks: val.bodies.map((_b, k) => `p${k}`),
        jacobianScratch: jac,
        valueScratch: val,
      },
      typed,
    ),
  ];
  return {
    language,
    source: parts.filter((p) => p !== '').join('\n'),
    declarations: typed ? null : declarations(meta, format),
    order,
    multiplications,
    costModel,
    codeMultiplications: stats.derivativeMultiplications,
    instructions: stats.instructions,
  };
}

/** A constant in TypeScript source: typed `number`, so strict mode accepts comparisons of two literals. */
function typedLiteral(v: number): string {
  return `(${Object.is(v, -0) ? '-0' : String(v)} as number)`;
}

/** What an output is called: v<id> as in the print listing, or the input or constant it is. */
function operandName(graph: Graph, op: Operand): string {
  if (op.kind === 'vertex') return `v${op.id}`;
  if (op.kind === 'input') return graph.inputs[op.index].name;
  return 'constant';
}

const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

function header(
  graph: Graph,
  name: string,
  info: {
    label: string;
    order: readonly VertexId[];
    multiplications: number;
    costModel: CostModelName;
    format: ResultFormat;
    stats: ReturnType<typeof programStats>;
    language: StandaloneLanguage;
  },
): string {
  const shapes = (list: readonly { name: string; shape: readonly number[] }[]): string =>
    list.map((x) => `${oneLine(x.name)}[${x.shape.join(',')}]`).join(', ');
  const outputs = graph.outputs.map((op) => ({
    name: operandName(graph, op),
    shape: operandShape(graph, op),
  }));
  const shownOrder =
    info.order.length <= 40 ? info.order.join(',') : `${info.order.slice(0, 40).join(',')},… (see \`order\`)`;
  return [
    `// Generated by crosscountry ${crosscountryVersion()}: do not edit; regenerate with \`crosscountry compile\`.`,
    `// Exact Jacobian of ${oneLine(name)} by cross-country (vertex) elimination, as a standalone ES module:`,
    `// no imports, Math only (${info.language === 'ts' ? 'TypeScript, strict' : 'types in the sibling .d.ts'}).`,
    `// Graph: ${oneLine(name)}, ${graph.vertices.length} vertices; inputs ${shapes(graph.inputs)}; outputs ${shapes(outputs)}.`,
    `// Order: ${oneLine(info.label)}, ${info.order.length} eliminations: ${shownOrder}.`,
    `// Multiplications: ${info.multiplications} (cost model ${info.costModel}); the code performs ${info.stats.derivativeMultiplications} derivative`,
    `// multiplications per point after constant folding (${info.stats.instructions} instructions, ${info.stats.jacobianEntries} Jacobian entries).`,
    `// Result format: ${info.format}. Exports: jacobian(inputs, batch, into?), values(inputs, batch, into?) and metadata.`,
    '',
  ].join('\n');
}

/** An exported constant of the module: its name, TypeScript type, value source and documentation. */
interface MetadataConstant {
  readonly name: string;
  readonly type: string;
  readonly value: string;
  readonly doc?: string;
}

function metadata(
  graph: Graph,
  info: {
    format: ResultFormat;
    order: readonly VertexId[];
    label: string;
    multiplications: number;
    costModel: CostModelName;
    pattern: SparsityPattern | null;
  },
): MetadataConstant[] {
  const json = (v: unknown): string => JSON.stringify(v);
  const strings = 'readonly string[]';
  const shapes = 'readonly (readonly number[])[]';
  const p = info.pattern;
  return [
    { name: 'inputNames', type: strings, value: json(graph.inputs.map((x) => x.name)) },
    { name: 'inputShapes', type: shapes, value: json(graph.inputs.map((x) => x.shape)) },
    { name: 'outputNames', type: strings, value: json(graph.outputs.map((op) => operandName(graph, op))) },
    { name: 'outputShapes', type: shapes, value: json(graph.outputs.map((op) => operandShape(graph, op))) },
    {
      name: 'format',
      type: 'string',
      value: json(info.format),
      doc: 'How jacobian() returns the Jacobian: blocks, dense or sparse (see JacobianResult).',
    },
    {
      name: 'order',
      type: 'readonly number[]',
      value: json(info.order),
      doc: 'The elimination order (vertex ids, as `crosscountry print` numbers them) and how it was chosen.',
    },
    { name: 'orderMethod', type: 'string', value: json(info.label) },
    {
      name: 'multiplications',
      type: 'number',
      value: String(info.multiplications),
      doc: "The order's multiplications in the cost model (the code may perform fewer: ±1 products are folded).",
    },
    { name: 'costModel', type: 'string', value: json(info.costModel) },
    { name: 'generator', type: 'string', value: json(`crosscountry ${crosscountryVersion()}`) },
    ...(p
      ? [
          {
            name: 'pattern',
            type: 'SparsityPattern',
            value: `{\n  rows: ${p.rows},\n  cols: ${p.cols},\n  rowPtr: new Int32Array(${json([...p.rowPtr])}),\n  colIdx: new Int32Array(${json([...p.colIdx])}),\n  rowOffsets: ${json(p.rowOffsets)},\n  colOffsets: ${json(p.colOffsets)},\n}`,
            doc: "The sparsity pattern of every point's values (CSR over flattened outputs and inputs).",
          },
        ]
      : []),
  ];
}

/** The constants as source (`typed`: annotated) or, with `declare`, as .d.ts declarations. */
function renderMetadata(constants: readonly MetadataConstant[], mode: 'js' | 'ts' | 'declare'): string {
  return constants
    .map((c) => {
      const doc = c.doc ? `/** ${c.doc} */\n` : '';
      if (mode === 'declare') return `${doc}export declare const ${c.name}: ${c.type};\n`;
      return `${doc}export const ${c.name}${mode === 'ts' ? `: ${c.type}` : ''} = ${c.value};\n`;
    })
    .join('');
}

/** The math-table functions the chunks call (f<k> is program.fns[k]), written out. */
function mathFunctions(program: Program, sources: readonly PointLayoutSource[], typed: boolean): string {
  const used = new Set<number>();
  for (const s of sources)
    for (const body of s.bodies) for (const m of body.matchAll(/\bf(\d+)\(/g)) used.add(Number(m[1]));
  return [...used]
    .sort((a, b) => a - b)
    .map((k) => `${functionSource(program.fns[k], `f${k}`, typed)}\n`)
    .join('');
}

function chunkFunctions(prefix: string, source: PointLayoutSource, jType: string | null): string {
  const params =
    jType === null
      ? 'S, I, O, J, b0, b1'
      : `S: Float64Array, I: readonly Float64Array[], O: readonly Float64Array[], J: ${jType}, b0: number, b1: number`;
  return source.bodies
    .map((body, k) => `function ${prefix}${k}(${params})${jType === null ? '' : ': void'} {\n${body}\n}\n`)
    .join('');
}

/** The .d.ts of a JavaScript module: the result type, the metadata constants' types and the functions. */
function declarations(constants: readonly MetadataConstant[], format: ResultFormat): string {
  return `// Types of the generated module next to this file (crosscountry ${crosscountryVersion()}).\n${resultTypes(format)}${renderMetadata(constants, 'declare')}${functionDeclarations()}`;
}
