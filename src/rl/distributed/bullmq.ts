import { connect } from 'node:net';

import { CrosscountryError } from '../../graph/errors.js';

export type BullMq = typeof import('bullmq');

/** The queue name every coordinator and worker of crosscountry self-play uses. */
export const SELF_PLAY_QUEUE = 'crosscountry-self-play';

/**
 * BullMQ, imported only when a queue is used: it is an optional peer dependency, so the embedded default
 * (worker threads) needs neither it nor Redis.
 */
export async function loadBullMq(): Promise<BullMq> {
  try {
    return await import('bullmq');
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND')
      throw new CrosscountryError('--queue needs the optional package bullmq: npm install bullmq');
    throw e;
  }
}

/** Host and port of a `redis://host:port` address. */
export function redisConnection(url: string): { host: string; port: number } {
  const match = /^redis:\/\/([^:/]+)(?::(\d+))?\/?$/.exec(url);
  if (!match) throw new CrosscountryError(`queue address '${url}' is not redis://host:port`);
  const port = match[2] === undefined ? 6379 : Number(match[2]);
  if (port < 1 || port > 65535) throw new CrosscountryError(`queue address '${url}' has an invalid port`);
  return { host: match[1], port };
}

/**
 * Fails with one clear error when nothing listens at the address: BullMQ's client would otherwise retry
 * forever, and a mistyped address would look like a hang.
 */
export function assertReachable(url: string, timeoutMs = 3000): Promise<void> {
  const { host, port } = redisConnection(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const fail = (why: string) => {
      socket.destroy();
      reject(new CrosscountryError(`cannot reach Redis at ${url} (${why})`));
    };
    socket.setTimeout(timeoutMs, () => fail('timed out'));
    socket.once('error', (e: NodeJS.ErrnoException) => fail(e.code ?? e.message));
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
  });
}
