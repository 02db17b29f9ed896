import type { ResultFormat } from './result-format.js';

/**
 * The hand-written part of an emitted module: the result type, input and `into` checks, allocation and the
 * two exported entry points around the generated chunks. One template for both languages: `typed` adds the
 * TypeScript annotations, which are all the two differ by.
 */

/** The TypeScript declaration of the result and pattern types of a format (shared by .ts and .d.ts). */
export function resultTypes(format: ResultFormat): string {
  const pattern =
    format === 'sparse'
      ? `/** The Jacobian's sparsity pattern over flattened outputs (rows) and inputs (cols), CSR. */
export interface SparsityPattern {
  readonly rows: number;
  readonly cols: number;
  readonly rowPtr: Int32Array;
  readonly colIdx: Int32Array;
  /** Where output i's rows start (and, last, the row count). */
  readonly rowOffsets: readonly number[];
  /** Where input j's columns start (and, last, the column count). */
  readonly colOffsets: readonly number[];
}
`
      : '';
  const fields = {
    blocks: `  /** Per (output i, input j): [batch, ...outputShapes[i], ...inputShapes[j]]. */
  readonly jacobian: Float64Array[][];`,
    dense: `  /** [batch, rows, cols] over the flattened outputs (rows) and inputs (cols). */
  readonly jacobian: Float64Array;
  readonly rows: number;
  readonly cols: number;`,
    sparse: `  /** [batch, nnz]: entry k of a point is at row r, column pattern.colIdx[k] for rowPtr[r] ≤ k < rowPtr[r + 1]. */
  readonly values: Float64Array;
  readonly pattern: SparsityPattern;`,
  }[format];
  return `${pattern}/** A batch's outputs and Jacobian (format '${format}'). */
export interface JacobianResult {
  /** Per output: [batch, ...outputShapes[i]]. */
  readonly outputs: Float64Array[];
${fields}
  readonly batch: number;
}
`;
}

/** Declarations of the exported functions (a .d.ts, or documentation of the .ts source's functions). */
const JACOBIAN_DOC = `/**
 * Outputs and exact Jacobian for a batch of points. inputs[j] holds input j for every point, flattened:
 * [batch, ...inputShapes[j]]. Pass an earlier result for the same batch size as \`into\` to have its arrays
 * overwritten instead of new ones allocated; only the sparsity pattern's entries are written, so the other
 * entries of an \`into\` must still be zero.
 */`;
const VALUES_DOC = `/** The outputs only (no derivative work), per output [batch, ...outputShapes[i]]; \`into\` as for jacobian. */`;

export function functionDeclarations(): string {
  return `${JACOBIAN_DOC}
export declare function jacobian(
  inputs: readonly Float64Array[],
  batch: number,
  into?: JacobianResult,
): JacobianResult;
${VALUES_DOC}
export declare function values(
  inputs: readonly Float64Array[],
  batch: number,
  into?: Float64Array[],
): Float64Array[];
`;
}

export interface RuntimeLayout {
  readonly format: ResultFormat;
  readonly inputSizes: readonly number[];
  readonly outputSizes: readonly number[];
  readonly rows: number;
  readonly cols: number;
  readonly nnz: number;
  /** Names of the chunk functions of the Jacobian and of the values, in the order they run. */
  readonly jacobianChunks: readonly string[];
  readonly valueChunks: readonly string[];
  /** Scratch values per point and points per tile, for each of the two programs. */
  readonly jacobianScratch: { readonly crossing: number; readonly tile: number };
  readonly valueScratch: { readonly crossing: number; readonly tile: number };
}

/** The source of the type of the generated chunks' J argument (TypeScript only). */
export function jacobianArgumentType(format: ResultFormat): string {
  return format === 'blocks' ? 'readonly (readonly Float64Array[])[]' : 'Float64Array';
}

/** Allocation, the fit check of `into`, and the J argument, per format. */
function formatParts(layout: RuntimeLayout, t: (type: string) => string): string {
  const blockSizes = layout.outputSizes.map((m) => layout.inputSizes.map((n) => m * n));
  switch (layout.format) {
    case 'blocks':
      return `const BLOCK_SIZES${t('readonly (readonly number[])[]')} = ${JSON.stringify(blockSizes)};
function allocate(batch${t('number')})${t('JacobianResult')} {
  return { outputs: newOutputs(batch), jacobian: BLOCK_SIZES.map((row) => row.map((n) => new Float64Array(batch * n))), batch };
}
function fits(into${t('JacobianResult')}, batch${t('number')})${t('boolean')} {
  const j${t('unknown')} = into.jacobian;
  return outputsFit(into.outputs, batch) && Array.isArray(j) && j.length === BLOCK_SIZES.length &&
    BLOCK_SIZES.every((row, i) => {
      const r${t('unknown')} = j[i];
      return Array.isArray(r) && r.length === row.length &&
        row.every((n, k) => r[k] instanceof Float64Array && r[k].length === batch * n);
    });
}
const argumentOf = (r${t('JacobianResult')}) => r.jacobian;`;
    case 'dense':
      return `const ROWS = ${layout.rows};
const COLS = ${layout.cols};
function allocate(batch${t('number')})${t('JacobianResult')} {
  return { outputs: newOutputs(batch), jacobian: new Float64Array(batch * ROWS * COLS), rows: ROWS, cols: COLS, batch };
}
function fits(into${t('JacobianResult')}, batch${t('number')})${t('boolean')} {
  const j${t('unknown')} = into.jacobian;
  return outputsFit(into.outputs, batch) && j instanceof Float64Array && j.length === batch * ROWS * COLS;
}
const argumentOf = (r${t('JacobianResult')}) => r.jacobian;`;
    case 'sparse':
      return `const NNZ = ${layout.nnz};
function allocate(batch${t('number')})${t('JacobianResult')} {
  return { outputs: newOutputs(batch), values: new Float64Array(batch * NNZ), pattern, batch };
}
function fits(into${t('JacobianResult')}, batch${t('number')})${t('boolean')} {
  const v${t('unknown')} = into.values;
  return outputsFit(into.outputs, batch) && v instanceof Float64Array && v.length === batch * NNZ;
}
const argumentOf = (r${t('JacobianResult')}) => r.values;`;
  }
}

/** The batch loop over tiles of points, every chunk over one tile before the next (as in-process). */
function tileLoop(chunks: readonly string[], scratch: string, tile: number, J: string): string {
  const calls = chunks.map((c) => `${c}(${scratch}, inputs, O, ${J}, b0, b1);`).join('\n    ');
  return `const step = Math.min(batch, ${tile});
  if (${scratch}.length < ${scratch}_PER_POINT * step) ${scratch} = new Float64Array(${scratch}_PER_POINT * step);
  for (let b0 = 0; b0 < batch; b0 += step) {
    const b1 = Math.min(batch, b0 + step);
    ${calls}
  }`;
}

/** The runtime: checks (once per call, outside the generated loops), allocation and the entry points. */
export function runtimeSource(layout: RuntimeLayout, typed: boolean): string {
  const t = (type: string): string => (typed ? `: ${type}` : '');
  const { jacobianScratch: js, valueScratch: vs } = layout;
  return `const INPUT_SIZES${t('readonly number[]')} = ${JSON.stringify(layout.inputSizes)};
const OUTPUT_SIZES${t('readonly number[]')} = ${JSON.stringify(layout.outputSizes)};

function describe(v${t('unknown')})${t('string')} {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? (v.constructor ? v.constructor.name : 'an object') : typeof v;
}

function checkInputs(fn${t('string')}, inputs${t('readonly Float64Array[]')}, batch${t('number')})${t('void')} {
  if (typeof batch !== 'number' || !Number.isInteger(batch) || batch < 1)
    throw new RangeError(\`\${fn}: batch must be a positive integer, not \${typeof batch === 'number' ? batch : describe(batch)}\`);
  if (!Array.isArray(inputs) || inputs.length !== INPUT_SIZES.length)
    throw new TypeError(\`\${fn}: inputs must be an array of \${INPUT_SIZES.length} Float64Arrays (\${inputNames.join(', ')}), not \${Array.isArray(inputs) ? \`\${inputs.length} values\` : describe(inputs)}\`);
  for (let j = 0; j < INPUT_SIZES.length; j++) {
    const x${t('unknown')} = inputs[j];
    if (!(x instanceof Float64Array))
      throw new TypeError(\`\${fn}: input \${j + 1} (\${inputNames[j]}) must be a Float64Array, not \${describe(x)}\`);
    if (x.length !== batch * INPUT_SIZES[j])
      throw new RangeError(\`\${fn}: input \${j + 1} (\${inputNames[j]}) has \${x.length} values, expected batch × size = \${batch} × \${INPUT_SIZES[j]}\`);
  }
}

function newOutputs(batch${t('number')})${t('Float64Array[]')} {
  return OUTPUT_SIZES.map((n) => new Float64Array(batch * n));
}

function outputsFit(outs${t('unknown')}, batch${t('number')})${t('boolean')} {
  return Array.isArray(outs) && outs.length === OUTPUT_SIZES.length &&
    OUTPUT_SIZES.every((n, i) => outs[i] instanceof Float64Array && outs[i].length === batch * n);
}

${formatParts(layout, t)}

// Scratch for values that cross chunk boundaries, grown to the largest tile seen.
const JS_PER_POINT = ${js.crossing};
let JS = new Float64Array(JS_PER_POINT);
const VS_PER_POINT = ${vs.crossing};
let VS = new Float64Array(VS_PER_POINT);

${JACOBIAN_DOC}
export function jacobian(inputs${t('readonly Float64Array[]')}, batch${t('number')}, into${typed ? '?: JacobianResult' : ''})${t('JacobianResult')} {
  checkInputs('jacobian', inputs, batch);
  if (into !== undefined && (into === null || typeof into !== 'object' || !fits(into, batch)))
    throw new TypeError(\`jacobian: 'into' does not have the shapes of a ${layout.format} result for a batch of \${batch}\`);
  const out = into === undefined ? allocate(batch) : into;
  const O = out.outputs;
  const J = argumentOf(out);
  ${tileLoop(layout.jacobianChunks, 'JS', js.tile, 'J')}
  return out;
}

${VALUES_DOC}
export function values(inputs${t('readonly Float64Array[]')}, batch${t('number')}, into${typed ? '?: Float64Array[]' : ''})${t('Float64Array[]')} {
  checkInputs('values', inputs, batch);
  if (into !== undefined && !outputsFit(into, batch))
    throw new TypeError(\`values: 'into' is not an array of \${OUTPUT_SIZES.length} outputs for a batch of \${batch}\`);
  const O = into === undefined ? newOutputs(batch) : into;
  ${tileLoop(layout.valueChunks, 'VS', vs.tile, 'null')}
  return O;
}
`;
}
