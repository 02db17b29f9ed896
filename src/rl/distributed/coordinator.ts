import type { Job, Queue, QueueEvents } from 'bullmq';

import { graphToJson } from '../../graph/serialize.js';
import { decodeFloats, encodeFloats } from '../agent.js';
import type { EliminationGame } from '../game.js';
import type { PooledEpisode, SelfPlaySetup } from '../self-play-pool.js';
import { assertReachable, loadBullMq, redisConnection, SELF_PLAY_QUEUE } from './bullmq.js';
import { jobSeed, type SelfPlayJob, type SelfPlayJobResult } from './jobs.js';

export interface QueueOptions {
  /** `redis://host:port` of the Redis that BullMQ runs on. */
  readonly url: string;
  /** Games per job: the unit of distribution and of retry (a dead worker loses at most one job). */
  readonly gamesPerJob: number;
  /** How often a job is tried before the episode fails (a worker dying mid-job counts once). */
  readonly attempts: number;
}

/**
 * Self-play through BullMQ: the coordinator (the trainer) splits each episode into jobs of `gamesPerJob`
 * games, any number of `crosscountry worker` processes on any machines play them, and the results are
 * applied in game order, so the episode does not depend on which worker played what. Jobs of a worker
 * that dies are moved back to the queue by BullMQ's stalled-job check and played again by another.
 */
export class QueueSelfPlay {
  private constructor(
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly games: readonly EliminationGame[],
    private readonly setup: SelfPlaySetup,
    private readonly run: string,
    private readonly options: QueueOptions,
  ) {}

  static async start(
    options: QueueOptions,
    games: readonly EliminationGame[],
    setup: Omit<SelfPlaySetup, 'games'>,
    run: string,
  ): Promise<QueueSelfPlay> {
    const { Queue, QueueEvents } = await loadBullMq();
    await assertReachable(options.url);
    const connection = redisConnection(options.url);
    const queue = new Queue(SELF_PLAY_QUEUE, { connection });
    const events = new QueueEvents(SELF_PLAY_QUEUE, { connection });
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    const full: SelfPlaySetup = {
      ...setup,
      games: games.map((g) => ({
        graph: graphToJson(g.problem.graph),
        costModel: g.costModel,
        name: g.name,
      })),
    };
    return new QueueSelfPlay(queue, events, games, full, run, options);
  }

  /** Plays one episode's games (indices); seeds come from (runSeed, episode, first game of each job). */
  async play(
    episode: number,
    games: readonly number[],
    weights: Float32Array[],
    runSeed: number,
  ): Promise<PooledEpisode> {
    const encoded = weights.map(encodeFloats);
    const jobs: Job[] = [];
    for (let start = 0; start < games.length; start += this.options.gamesPerJob) {
      const data: SelfPlayJob = {
        run: this.run,
        setup: this.setup,
        episode,
        games: games.slice(start, start + this.options.gamesPerJob),
        seed: jobSeed(runSeed, episode, start),
        weights: encoded,
      };
      jobs.push(
        await this.queue.add('play', data, {
          jobId: `${this.run}-e${episode}-g${start}`,
          attempts: this.options.attempts,
          // Kept a while: the coordinator reads each result after the job may already have finished.
          removeOnComplete: { age: 3600 },
          removeOnFail: { age: 3600 },
        }),
      );
    }
    // Waited for in job order and applied in that order: the episode is the same whoever finished first.
    const results: SelfPlayJobResult[] = [];
    for (const job of jobs) results.push((await job.waitUntilFinished(this.events)) as SelfPlayJobResult);
    const out: PooledEpisode = { trajectories: [], terminals: [], evaluations: 0 };
    let evaluations = 0;
    for (const r of results) {
      for (const t of r.trajectories) {
        const game = this.games[t.game];
        out.trajectories.push({
          game,
          order: t.order,
          policies: t.policies.map(decodeFloats),
          stepCosts: t.stepCosts,
          cost: t.stepCosts.reduce((s, c) => s + c, 0),
        });
      }
      for (const t of r.terminals) out.terminals.push({ ...t, game: this.games[t.game] });
      evaluations += r.evaluations;
    }
    return { ...out, evaluations };
  }

  async close(): Promise<void> {
    await this.events.close();
    await this.queue.close();
  }
}
