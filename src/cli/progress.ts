/**
 * The live progress line of `optimize` on a terminal: best count, proven bound, elapsed and remaining
 * time, redrawn in place four times a second once the search has run for a second. Off a terminal it
 * stays silent (logs get the improvement lines of --verbose instead).
 */

export interface ProgressState {
  readonly multiplications: number;
  readonly lowerBound: number;
  readonly source: string;
}

export interface ProgressLine {
  update(state: ProgressState): void;
  /** Prints a whole line above the live one (the --verbose improvement lines). */
  log(line: string): void;
  stop(): void;
}

const REDRAW_MS = 250;
const FIRST_DRAW_MS = 1000;

export function progressLine(options: {
  readonly stream: NodeJS.WriteStream;
  /** False: no live line (not a terminal, or --quiet); log lines are still written. */
  readonly live: boolean;
  readonly budgetSeconds: number;
}): ProgressLine {
  const { stream, live, budgetSeconds } = options;
  const start = performance.now();
  let state: ProgressState | null = null;
  let drawn = false;
  const render = (): string => {
    const elapsed = (performance.now() - start) / 1000;
    const time = Number.isFinite(budgetSeconds)
      ? `${elapsed.toFixed(1)} s of ${budgetSeconds} s (${Math.max(0, budgetSeconds - elapsed).toFixed(1)} s left)`
      : `${elapsed.toFixed(1)} s`;
    if (!state) return `searching… ${time}`;
    const bound = state.lowerBound >= state.multiplications ? 'optimal' : `bound ${state.lowerBound}`;
    return `best ${state.multiplications} (${bound}; ${state.source}) · ${time} · Ctrl-C keeps the best`;
  };
  const draw = (): void => {
    stream.write(`\r\x1b[K${render()}`);
    drawn = true;
  };
  const clear = (): void => {
    if (drawn) stream.write('\r\x1b[K');
    drawn = false;
  };
  let timer: NodeJS.Timeout | undefined;
  const first = live
    ? setTimeout(() => {
        draw();
        timer = setInterval(draw, REDRAW_MS);
        timer.unref();
      }, FIRST_DRAW_MS)
    : undefined;
  first?.unref();
  return {
    update(s) {
      state = s;
    },
    log(line) {
      clear();
      stream.write(`${line}\n`);
      if (timer) draw();
    },
    stop() {
      clearTimeout(first);
      clearInterval(timer);
      clear();
    },
  };
}
