import { readFileSync } from 'node:fs';

export { TASK_NAMES as PAPER_TASKS } from '../src/tasks/index.js';

/** A file of the shipped paper data (data/paper/…), as text. */
export const paperData = (path: string): string =>
  readFileSync(new URL(`../data/paper/${path}`, import.meta.url), 'utf8');
