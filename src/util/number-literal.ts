/** A number as a JavaScript expression that binds tighter than any operator around it. */
export function numberLiteral(v: number): string {
  if (Object.is(v, -0)) return '(-0)';
  return v < 0 ? `(${String(v)})` : String(v);
}
