/**
 * A small SVG line chart for the study report: several series over a numeric x axis, the
 * legend on the right (room for the 13 formulations), axis ends labelled.
 */
export interface LineSeries {
  label: string;
  points: Array<[number, number]>;
}

/** Distinct colours, repeated with a dash pattern past the tenth series. */
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** An SVG chart; non-finite points are left out. */
export function lineChart(series: readonly LineSeries[], options: { title: string; xLabel: string; yLabel: string }): string {
  const width = 720;
  const height = 280;
  const plotRight = 500;
  const pad = 48;
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (!all.length) return `<p>${escapeXml(options.title)}: no data</p>`;
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const sx = (x: number) => pad + ((x - x0) / (x1 - x0 || 1)) * (plotRight - pad);
  const sy = (y: number) => height - pad - ((y - y0) / (y1 - y0 || 1)) * (height - 2 * pad);
  const body = series
    .map((s, i) => {
      const color = PALETTE[i % PALETTE.length];
      const dash = i >= PALETTE.length ? ' stroke-dasharray="4 2"' : '';
      const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).map(([x, y]) => [sx(x), sy(y)] as const);
      const line = `<polyline fill="none" stroke="${color}" stroke-width="1.5"${dash} points="${pts.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}"><title>${escapeXml(s.label)}</title></polyline>`;
      const marks = pts.map(([a, b]) => `<circle cx="${a.toFixed(1)}" cy="${b.toFixed(1)}" r="2.5" fill="${color}"/>`).join('');
      const legend = `<text x="${plotRight + 16}" y="${pad + i * 14}" font-size="11" fill="${color}">${escapeXml(s.label)}</text>`;
      return line + marks + legend;
    })
    .join('');
  const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" style="background:#fff;border:1px solid #ddd" font-family="sans-serif" role="img">
<title>${escapeXml(options.title)}</title>
<text x="${pad}" y="16" font-size="12" font-weight="bold">${escapeXml(options.title)}</text>
<line x1="${pad}" y1="${height - pad}" x2="${plotRight}" y2="${height - pad}" stroke="#999"/><line x1="${pad}" y1="${pad}" x2="${pad}" y2="${height - pad}" stroke="#999"/>
<text x="${pad - 4}" y="${sy(y1) + 4}" font-size="10" text-anchor="end">${fmt(y1)}</text><text x="${pad - 4}" y="${sy(y0) + 4}" font-size="10" text-anchor="end">${fmt(y0)}</text>
<text x="${sx(x0)}" y="${height - pad + 14}" font-size="10" text-anchor="middle">${fmt(x0)}</text><text x="${sx(x1)}" y="${height - pad + 14}" font-size="10" text-anchor="middle">${fmt(x1)}</text>
<text x="${(pad + plotRight) / 2}" y="${height - 10}" font-size="11" text-anchor="middle">${escapeXml(options.xLabel)}</text>
<text x="12" y="${height / 2}" font-size="11" transform="rotate(-90 12 ${height / 2})" text-anchor="middle">${escapeXml(options.yLabel)}</text>
${body}</svg>`;
}
