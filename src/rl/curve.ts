import type { LearningCurveRow } from '../plot/learning-curve.js';
import type { CurvePoint } from './agent.js';
import type { EliminationGame } from './game.js';

/** The learning curve as CSV: one row per episode and task. */
export function curveCsv(points: readonly CurvePoint[]): string {
  const header =
    'episode,task,elapsed_seconds,cpu_seconds,best_multiplications,mean_episode_multiplications,loss';
  const rows = points.map((p) =>
    [
      p.episode,
      p.task,
      p.elapsedSeconds.toFixed(2),
      p.cpuSeconds.toFixed(2),
      p.bestCost,
      Number.isFinite(p.meanCost) ? p.meanCost.toFixed(1) : '',
      Number.isFinite(p.loss) ? p.loss.toPrecision(5) : '',
    ].join(','),
  );
  return `${[header, ...rows].join('\n')}\n`;
}

/** Rows for the learning-curve plot: best and mean episode cost, plus the three baselines. */
export function curveRows(
  points: readonly CurvePoint[],
  games: readonly EliminationGame[],
): LearningCurveRow[] {
  const rows: LearningCurveRow[] = [];
  for (const p of points) {
    if (Number.isFinite(p.bestCost))
      rows.push({
        task: p.task,
        series: 'best',
        kind: 'curve',
        cpuSeconds: p.cpuSeconds,
        multiplications: p.bestCost,
      });
    if (Number.isFinite(p.meanCost))
      rows.push({
        task: p.task,
        series: 'mean episode',
        kind: 'curve',
        cpuSeconds: p.cpuSeconds,
        multiplications: p.meanCost,
      });
  }
  for (const g of games) {
    for (const [series, multiplications] of Object.entries(g.baselines)) {
      rows.push({ task: g.name, series, kind: 'baseline', cpuSeconds: 0, multiplications });
    }
  }
  return rows;
}

/**
 * Means of a per-episode series over each tenth of training (fewer parts when there are fewer than ten
 * episodes): part k holds episodes [⌊k·n/10⌋, ⌊(k+1)·n/10⌋).
 */
export function tenthMeans(values: readonly number[]): number[] {
  const n = values.length;
  const parts = Math.min(10, n);
  const out: number[] = [];
  for (let k = 0; k < parts; k++) {
    const part = values.slice(Math.floor((k * n) / parts), Math.floor(((k + 1) * n) / parts));
    out.push(part.reduce((s, x) => s + x, 0) / part.length);
  }
  return out;
}
