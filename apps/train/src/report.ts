/**
 * The run report: one self-contained HTML file with the loss curve, the loss per
 * t-decile over time, and the sample grids (PNG files beside it) by step.
 */
import { writeTextAtomic } from './checkpoint';

/** One metrics line (metrics.jsonl). */
export interface MetricRecord {
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
  itPerSec: number;
  elapsedSeconds: number;
  /** Mean loss per t-decile since the last record (NaN where no sample fell). */
  lossByDecile?: number[];
}

/** A sample grid written during training. */
export interface SampleRecord {
  step: number;
  file: string;
  prompts: string[];
  /** Fraction of samples whose colours match their prompts (shapes dataset). */
  colorAdherence?: number;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** An SVG polyline chart of one or more series over steps. */
export function svgChart(
  series: Array<{ label: string; color: string; points: Array<[number, number]> }>,
  width = 640,
  height = 240,
): string {
  const all = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y));
  if (!all.length) return '<p>(no data yet)</p>';
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const pad = 36;
  const sx = (x: number) => pad + ((x - x0) / (x1 - x0 || 1)) * (width - 2 * pad);
  const sy = (y: number) => height - pad - ((y - y0) / (y1 - y0 || 1)) * (height - 2 * pad);
  const lines = series
    .map((s) => {
      const pts = s.points.filter(([, y]) => Number.isFinite(y)).map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`);
      return `<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${pts.join(' ')}"><title>${escapeHtml(s.label)}</title></polyline>`;
    })
    .join('');
  const legend = series
    .map((s, i) => `<text x="${pad + i * 90}" y="14" fill="${s.color}" font-size="11">${escapeHtml(s.label)}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" style="background:#fff;border:1px solid #ddd">
<text x="4" y="${sy(y1) + 4}" font-size="10">${y1.toPrecision(3)}</text><text x="4" y="${sy(y0)}" font-size="10">${y0.toPrecision(3)}</text>
<text x="${pad}" y="${height - 8}" font-size="10">step ${x0}</text><text x="${width - pad - 60}" y="${height - 8}" font-size="10">step ${x1}</text>
${legend}${lines}</svg>`;
}

const DECILE_COLORS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];

/** Write `report.html` in the run folder. */
export function writeReport(runDir: string, title: string, config: unknown, metrics: MetricRecord[], samples: SampleRecord[]): string {
  const loss = svgChart([{ label: 'loss', color: '#1f77b4', points: metrics.map((m) => [m.step, m.loss]) }]);
  const deciles = svgChart(
    DECILE_COLORS.map((color, d) => ({
      label: `t ${d / 10}-${(d + 1) / 10}`,
      color,
      points: metrics.filter((m) => m.lossByDecile).map((m) => [m.step, m.lossByDecile?.[d] ?? Number.NaN] as [number, number]),
    })),
    900,
    280,
  );
  const grids = samples
    .map(
      (s) => `<figure><img src="${escapeHtml(s.file)}" alt="samples at step ${s.step}" style="image-rendering:pixelated;width:512px">
<figcaption>step ${s.step}${s.colorAdherence === undefined ? '' : ` · colour adherence ${(100 * s.colorAdherence).toFixed(0)}%`}</figcaption></figure>`,
    )
    .join('\n');
  const prompts = samples.length ? `<ol>${samples[samples.length - 1].prompts.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ol>` : '';
  const last = metrics[metrics.length - 1];
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;max-width:1000px}figure{display:inline-block;margin:8px}pre{background:#f6f6f6;padding:8px;overflow:auto}</style></head>
<body><h1>${escapeHtml(title)}</h1>
<p>${last ? `step ${last.step} · loss ${last.loss.toFixed(4)} · ${last.itPerSec.toFixed(2)} it/s · ${(last.elapsedSeconds / 60).toFixed(1)} min` : 'no steps yet'}</p>
<h2>Loss</h2>${loss}
<h2>Loss by noise level (t-decile)</h2>${deciles}
<h2>Samples</h2><p>Prompts, in grid order (row by row):</p>${prompts}${grids}
<h2>Configuration</h2><pre>${escapeHtml(JSON.stringify(config, null, 2))}</pre>
</body></html>`;
  const path = `${runDir}/report.html`;
  writeTextAtomic(path, html);
  return path;
}
