export { importJaxpr } from './parse.js';
export { JaxprParseError } from './tokenize.js';
export { importPaperGraph, isPaperGraphJson, type PaperGraphJson } from './paper-graph.js';
