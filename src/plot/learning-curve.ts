import type * as vegaLite from 'vega-lite';

export interface LearningCurveRow {
  readonly task: string;
  /** 'best', 'mean episode' (curves) or a baseline name (horizontal lines). */
  readonly series: string;
  readonly kind: 'curve' | 'baseline';
  readonly cpuSeconds: number;
  readonly multiplications: number;
}

/** Best and mean episode cost against CPU time, one panel per task, baselines as dashed lines. */
export function learningCurveSpec(title: string, rows: readonly LearningCurveRow[]): vegaLite.TopLevelSpec {
  const y = {
    field: 'multiplications',
    type: 'quantitative',
    title: 'multiplications',
    scale: { zero: false },
  };
  const color = { field: 'series', type: 'nominal', title: null };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: rows },
    facet: { field: 'task', type: 'nominal', title: null },
    columns: 4,
    spec: {
      width: 220,
      height: 160,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'curve'" }],
          mark: { type: 'line', interpolate: 'step-after' },
          encoding: { x: { field: 'cpuSeconds', type: 'quantitative', title: 'CPU seconds' }, y, color },
        },
        {
          transform: [{ filter: "datum.kind === 'baseline'" }],
          mark: { type: 'rule', strokeDash: [4, 4] },
          encoding: { y, color },
        },
      ],
    },
    resolve: { scale: { y: 'independent', x: 'independent' } },
  } as vegaLite.TopLevelSpec;
}
