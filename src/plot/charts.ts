import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

/** Renders a Vega-Lite spec to PNG without a browser: Vega → SVG → resvg (system DejaVu fonts). */
export async function renderPng(spec: vegaLite.TopLevelSpec): Promise<Buffer> {
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG(2);
  view.finalize();
  const png = new Resvg(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: 'white',
  })
    .render()
    .asPng();
  return Buffer.from(png);
}

/** A dot plot on a log scale (bars cannot start at zero on a log axis): one column per group, one colour per series. */
export function groupedBarSpec(
  title: string,
  rows: { group: string; series: string; value: number }[],
  yTitle: string,
): vegaLite.TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: rows },
    width: 900,
    height: 300,
    mark: { type: 'point', filled: true, size: 70 },
    encoding: {
      x: { field: 'group', type: 'nominal', title: null, axis: { labelAngle: -30 } },
      xOffset: { field: 'series', type: 'nominal' },
      shape: { field: 'series', type: 'nominal', title: 'variant' },
      y: { field: 'value', type: 'quantitative', title: yTitle, scale: { type: 'log' } },
      color: { field: 'series', type: 'nominal', title: 'variant' },
    },
  } as vegaLite.TopLevelSpec;
}

/** Lines over a log-scale x, one per series, faceted by `facet`. */
export function facetedLineSpec(
  title: string,
  rows: { facet: string; series: string; x: number; y: number }[],
  xTitle: string,
  yTitle: string,
): vegaLite.TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: rows },
    facet: { field: 'facet', type: 'nominal', title: null },
    columns: 5,
    spec: {
      width: 150,
      height: 120,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: xTitle, scale: { type: 'log' } },
        y: { field: 'y', type: 'quantitative', title: yTitle, scale: { type: 'log' } },
        color: { field: 'series', type: 'nominal', title: 'variant' },
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as vegaLite.TopLevelSpec;
}
