import { CrosscountryError } from '../graph/errors.js';

/** Malformed jaxpr text; the message names the line. */
export class JaxprParseError extends CrosscountryError {
  override name = 'JaxprParseError';
}

export type TokenKind = 'name' | 'number' | 'punct' | 'end';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** 1-based line and column of the first character. */
  readonly line: number;
  readonly column: number;
}

const PUNCT = new Set(['{', '}', '(', ')', '[', ']', ',', '=', ':', ';', '.']);

/** A number from its first character; matched in place (sticky), never on a copy of the rest. */
const NUMBER = /[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/y;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isNameStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isNamePart = (c: number): boolean => isNameStart(c) || isDigit(c);

/**
 * Splits jaxpr text into names (`a`, `dot_general`, `f32`, `None`, `inf`, `-inf`), numbers (`1.0`, `-2`,
 * `1e-06`) and punctuation, each with its line and column, one token per `next()` call, so the parser
 * holds only the few tokens it looks ahead at. Names are never keywords here: the parser decides what a
 * name means from where it stands. A `.` is punctuation only where it cannot be part of a number
 * (`... d:f32[]. let`).
 */
export class Lexer {
  private i = 0;
  private line = 1;
  private lineStart = 0;
  constructor(private readonly text: string) {}

  /** The next token; at the end of the text, the end token (again on every later call). */
  next(): Token {
    const text = this.text;
    const n = text.length;
    let i = this.i;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 /* \n */) {
        this.line++;
        this.lineStart = i + 1;
      } else if (c !== 32 && c !== 9 && c !== 13) break;
    }
    const line = this.line;
    const column = i - this.lineStart + 1;
    if (i >= n) {
      this.i = i;
      return { kind: 'end', text: '<end of text>', line, column };
    }
    const c = text.charCodeAt(i);
    const next = i + 1 < n ? text.charCodeAt(i + 1) : -1;
    let kind: TokenKind;
    let end: number;
    if (
      isDigit(c) ||
      ((c === 45 /* - */ || c === 43) /* + */ && (isDigit(next) || next === 46)) ||
      (c === 46 /* . */ && isDigit(next))
    ) {
      NUMBER.lastIndex = i;
      if (!NUMBER.test(text)) throw new JaxprParseError(`jaxpr line ${line}: bad number`);
      kind = 'number';
      end = NUMBER.lastIndex;
    } else if (isNameStart(c) || (c === 45 && isNameStart(next))) {
      // A leading '-' makes negative named constants such as -inf one token.
      kind = 'name';
      end = i + 1;
      while (end < n && isNamePart(text.charCodeAt(end))) end++;
    } else if (PUNCT.has(text[i])) {
      kind = 'punct';
      end = i + 1;
    } else {
      throw new JaxprParseError(`jaxpr line ${line}: unexpected character '${text[i]}'`);
    }
    this.i = end;
    return { kind, text: text.slice(i, end), line, column };
  }
}
