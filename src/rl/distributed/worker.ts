import { assertReachable, loadBullMq, redisConnection, SELF_PLAY_QUEUE } from './bullmq.js';
import { playJob, replicaFor, type RunReplica, type SelfPlayJob, type SelfPlayJobResult } from './jobs.js';

export interface QueueWorkerOptions {
  readonly url: string;
  /**
   * How long a job's lock lasts without renewal: a worker that dies holds its job at most this long
   * before the stalled-job check gives it to another worker.
   */
  readonly lockSeconds: number;
  /** Called when a job is taken (progress lines; the distributed test kills a worker here). */
  readonly onJob?: (id: string, data: SelfPlayJob) => void;
}

/** A running queue worker. */
export interface QueueWorker {
  close(): Promise<void>;
}

/** A self-play worker process's loop: takes one job at a time from the queue until closed. */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const { Worker } = await loadBullMq();
  await assertReachable(options.url);
  let replica: RunReplica | undefined;
  const lockDuration = Math.max(1000, Math.round(options.lockSeconds * 1000));
  const worker = new Worker<SelfPlayJob, SelfPlayJobResult>(
    SELF_PLAY_QUEUE,
    async (job) => {
      options.onJob?.(job.id ?? '?', job.data);
      replica = await replicaFor(job.data, replica);
      return playJob(job.data, replica);
    },
    {
      connection: redisConnection(options.url),
      concurrency: 1,
      lockDuration,
      stalledInterval: Math.max(500, lockDuration / 2),
      maxStalledCount: 2,
    },
  );
  await worker.waitUntilReady();
  return worker;
}
