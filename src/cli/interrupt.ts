/** Ctrl-C (SIGINT) and SIGTERM as an AbortSignal for long commands, which then keep their best result. */

/** The exit code of a command that was interrupted and wrote its best result so far (128 + SIGINT). */
export const INTERRUPTED_EXIT_CODE = 130;

export interface Interruption {
  readonly signal: AbortSignal;
  /** Removes the handlers: later signals act as usual again. */
  dispose(): void;
}

/**
 * Aborts on the first SIGINT or SIGTERM; a second one (the user insisting) is left to Node's default
 * handling and ends the process at once.
 */
export function interruptOnSignals(): Interruption {
  const controller = new AbortController();
  const onSignal = (): void => {
    dispose();
    controller.abort();
  };
  const dispose = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { signal: controller.signal, dispose };
}

/** Makes the process exit with INTERRUPTED_EXIT_CODE once its output is written. */
export function exitAsInterrupted(): void {
  process.exitCode = INTERRUPTED_EXIT_CODE;
}
