import type { AgentBase, BestOrder, EpisodeReport } from './agent.js';

export interface RunLimits {
  /** Stop after this many wall-clock seconds of this run (checked between episodes). */
  readonly budgetSeconds?: number;
  /** Stop after this many episodes in total (checkpointed episodes included). */
  readonly episodes?: number;
  /** Called after every episode (progress display, checkpoints). */
  readonly onEpisode?: (report: EpisodeReport, agent: AgentBase) => void | Promise<void>;
}

export interface RunSummary {
  readonly episodes: number;
  readonly seconds: number;
  readonly evaluations: number;
  readonly best: [string, BestOrder][];
}

/** Trains an agent until the budget or the episode count runs out; the best orders are kept throughout. */
export async function runAgent(agent: AgentBase, limits: RunLimits): Promise<RunSummary> {
  if (limits.budgetSeconds === undefined && limits.episodes === undefined) {
    throw new Error('give a time budget or an episode count');
  }
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  let evaluations = 0;
  let played = 0;
  while (
    (limits.episodes === undefined || agent.episode < limits.episodes) &&
    (limits.budgetSeconds === undefined || elapsed() < limits.budgetSeconds)
  ) {
    const report = await agent.runEpisode();
    evaluations += report.evaluations;
    played++;
    await limits.onEpisode?.(report, agent);
  }
  return { episodes: played, seconds: elapsed(), evaluations, best: agent.best.entries() };
}
