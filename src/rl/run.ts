import { OptionError } from '../graph/errors.js';
import { checkFunction, checkNumber, checkSignal } from '../util/options.js';
import type { AgentBase, BestOrder, EpisodeReport } from './agent.js';

export interface RunLimits {
  /** Stop after this many wall-clock seconds of this run (checked between episodes). */
  readonly budgetSeconds?: number;
  /** Stop after this many episodes in total (checkpointed episodes included). */
  readonly episodes?: number;
  /** Called after every episode (progress display, checkpoints). */
  readonly onEpisode?: (report: EpisodeReport, agent: AgentBase) => void | Promise<void>;
  /** Aborting ends the run after the episode being played (the best orders so far are kept). */
  readonly signal?: AbortSignal;
}

export interface RunSummary {
  readonly episodes: number;
  readonly seconds: number;
  readonly evaluations: number;
  readonly best: [string, BestOrder][];
  /** True when limits.signal ended the run. */
  readonly interrupted: boolean;
}

/** Trains an agent until the budget or the episode count runs out; the best orders are kept throughout. */
export async function runAgent(agent: AgentBase, limits: RunLimits): Promise<RunSummary> {
  if (limits.budgetSeconds === undefined && limits.episodes === undefined) {
    throw new OptionError('give a time budget or an episode count');
  }
  checkNumber(limits.budgetSeconds, 'budgetSeconds', { min: 0, exclusive: true });
  checkNumber(limits.episodes, 'episodes', { min: 1, integer: true });
  checkFunction(limits.onEpisode, 'onEpisode');
  checkSignal(limits.signal);
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  let evaluations = 0;
  let played = 0;
  while (
    limits.signal?.aborted !== true &&
    (limits.episodes === undefined || agent.episode < limits.episodes) &&
    (limits.budgetSeconds === undefined || elapsed() < limits.budgetSeconds)
  ) {
    const report = await agent.runEpisode();
    evaluations += report.evaluations;
    played++;
    await limits.onEpisode?.(report, agent);
    // An episode settles only microtasks: yield to the event loop so that a signal (Ctrl-C) is seen.
    if (limits.signal) await new Promise((resolve) => setImmediate(resolve));
  }
  return {
    episodes: played,
    seconds: elapsed(),
    evaluations,
    best: agent.best.entries(),
    interrupted: limits.signal?.aborted === true,
  };
}
