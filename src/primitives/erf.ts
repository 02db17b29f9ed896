import stdlibErf from '@stdlib/math-base-special-erf';

/** The error function to full double precision (stdlib's implementation of the FreeBSD msun algorithm). */
export const erf: (x: number) => number = stdlibErf;
