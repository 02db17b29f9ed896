import { CrosscountryError } from '../graph/errors.js';

/** Malformed jaxpr text; the message names the line. */
export class JaxprParseError extends CrosscountryError {
  override name = 'JaxprParseError';
}

export type TokenKind = 'name' | 'number' | 'punct' | 'end';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly line: number;
}

const PUNCT = new Set(['{', '}', '(', ')', '[', ']', ',', '=', ':', ';', '.']);

/**
 * Splits jaxpr text into names (`a`, `dot_general`, `f32`, `None`, `inf`), numbers (`1.0`, `-2`,
 * `1e-06`) and punctuation, each with its 1-based line. A `.` is punctuation only where it cannot be
 * part of a number (`... d:f32[]. let`).
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (
      /[0-9]/.test(c) ||
      ((c === '-' || c === '+') && /[0-9.]/.test(text[i + 1] ?? '')) ||
      (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))
    ) {
      const m = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(text.slice(i));
      if (!m) throw new JaxprParseError(`jaxpr line ${line}: bad number`);
      tokens.push({ kind: 'number', text: m[0], line });
      i += m[0].length;
    } else if (c === '-' && /[a-zA-Z]/.test(text[i + 1] ?? '')) {
      // Negative named constants such as -inf.
      const m = /^-[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'name', text: m[0], line });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'name', text: m[0], line });
      i += m[0].length;
    } else if (PUNCT.has(c)) {
      tokens.push({ kind: 'punct', text: c, line });
      i++;
    } else {
      throw new JaxprParseError(`jaxpr line ${line}: unexpected character '${c}'`);
    }
  }
  tokens.push({ kind: 'end', text: '<end of text>', line });
  return tokens;
}
