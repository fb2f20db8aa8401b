/**
 * The run report: one self-contained HTML file (images embedded) with the loss on a log
 * scale beside the learning rate and gradient norm, the loss per t-decile over time, the
 * evaluations (per-attribute bars, the position confusion table, whole-prompt accuracy and
 * validation loss over training) and the sample grids by step.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { POSITIONS } from '@rectiflow/data';
import type { AttributeRates } from '@rectiflow/eval';
import { writeTextAtomic } from '@rectiflow/pipeline/node';
import type { EvalRecord } from './evaluation';

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

/** A series of {@link svgChart}. */
export interface ChartSeries {
  label: string;
  color: string;
  points: Array<[number, number]>;
}

/**
 * An SVG polyline chart of one or more series over steps. `log`: a log10 y axis (points
 * <= 0 are left out).
 */
export function svgChart(series: ChartSeries[], width = 640, height = 240, options: { log?: boolean; title?: string } = {}): string {
  const ok = (y: number) => Number.isFinite(y) && (!options.log || y > 0);
  const fy = (y: number) => (options.log ? Math.log10(y) : y);
  const all = series.flatMap((s) => s.points).filter(([, y]) => ok(y));
  if (!all.length) return '<p>(no data yet)</p>';
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => fy(y));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const pad = 40;
  const sx = (x: number) => pad + ((x - x0) / (x1 - x0 || 1)) * (width - 2 * pad);
  const sy = (y: number) => height - pad - ((y - y0) / (y1 - y0 || 1)) * (height - 2 * pad);
  const lines = series
    .map((s) => {
      const pts = s.points.filter(([, y]) => ok(y)).map(([x, y]) => `${sx(x).toFixed(1)},${sy(fy(y)).toFixed(1)}`);
      const marks = pts.length === 1 ? `<circle cx="${pts[0].split(',')[0]}" cy="${pts[0].split(',')[1]}" r="3" fill="${s.color}"/>` : '';
      return `<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${pts.join(' ')}"><title>${escapeHtml(s.label)}</title></polyline>${marks}`;
    })
    .join('');
  const legend = series
    .map((s, i) => `<text x="${pad + i * 90}" y="14" fill="${s.color}" font-size="11">${escapeHtml(s.label)}</text>`)
    .join('');
  const label = (v: number) => (options.log ? 10 ** v : v).toPrecision(3);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" style="background:#fff;border:1px solid #ddd">${
    options.title ? `<text x="${width - pad}" y="14" font-size="11" text-anchor="end">${escapeHtml(options.title)}</text>` : ''
  }
<text x="4" y="${sy(y1) + 4}" font-size="10">${label(y1)}</text><text x="4" y="${sy(y0)}" font-size="10">${label(y0)}</text>
<text x="${pad}" y="${height - 8}" font-size="10">step ${x0}</text><text x="${width - pad - 60}" y="${height - 8}" font-size="10">step ${x1}</text>
${legend}${lines}</svg>`;
}

/** Horizontal bars of rates in [0, 1], one per label. */
function bars(rows: Array<[string, number | undefined]>): string {
  const shown = rows.filter((r): r is [string, number] => r[1] !== undefined);
  const h = 18;
  const body = shown
    .map(
      ([name, v], i) =>
        `<text x="0" y="${i * h + 13}" font-size="11">${escapeHtml(name)}</text><rect x="120" y="${i * h + 3}" width="${(200 * v).toFixed(1)}" height="${h - 6}" fill="${v >= 0.9 ? '#2ca02c' : v >= 0.5 ? '#ff7f0e' : '#d62728'}"/><text x="${126 + 200 * v}" y="${i * h + 13}" font-size="11">${(100 * v).toFixed(1)}%</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="380" height="${shown.length * h + 4}">${body}</svg>`;
}

const ATTRIBUTE_NAMES: Array<[string, string]> = [
  ['color', 'colour'],
  ['kind', 'kind'],
  ['size', 'size'],
  ['position', 'position (3x3)'],
  ['relation', 'relation'],
  ['count', 'object count'],
];

function attributeBars(r: AttributeRates): string {
  return bars([
    ...ATTRIBUTE_NAMES.map(([k, name]) => [name, r.attributes[k as keyof AttributeRates['attributes']]] as [string, number | undefined]),
    ['whole prompt', r.whole],
  ]);
}

/** The evaluation section: latest bars and confusion table, then curves over training. */
function evaluationHtml(evals: readonly EvalRecord[]): string {
  if (!evals.length) return '';
  const last = evals[evals.length - 1];
  const parts = [
    `<h2>Evaluation</h2><p>step ${last.step} · ${last.seeds} seed(s) per prompt · ${escapeHtml(JSON.stringify(last.sampling))}</p>`,
  ];
  const a = last.adherence;
  if (a) {
    parts.push(
      `<div style="display:flex;gap:32px"><div><h3>one-shape prompts (${a.one.images} images)</h3>${attributeBars(a.one)}</div><div><h3>two-shape prompts (${a.two.images} images)</h3>${attributeBars(a.two)}</div></div>`,
    );
    if (a.seen && a.unseen) {
      parts.push(
        `<p>whole prompt, seen colour-kind combinations ${(100 * a.seen.whole).toFixed(1)}% · unseen ${(100 * a.unseen.whole).toFixed(1)}%</p>`,
      );
    }
    const head = POSITIONS.map((p) => `<th>${escapeHtml(p)}</th>`).join('');
    const rows = POSITIONS.map((asked) => {
      const row = a.positions[asked];
      const total = Object.values(row).reduce((s, v) => s + v, 0) || 1;
      const cells = [...POSITIONS, 'none' as const]
        .map((found) => {
          const v = row[found];
          const shade = Math.round(255 - 200 * (v / total));
          return `<td style="background:rgb(${shade},${found === asked ? 255 : shade},${shade})">${v}</td>`;
        })
        .join('');
      return `<tr><th>${escapeHtml(asked)}</th>${cells}</tr>`;
    }).join('');
    parts.push(
      `<h3>Position confusion (one-shape prompts; rows: asked, columns: found)</h3><table style="border-collapse:collapse;font-size:12px" border="1"><tr><th></th>${head}<th>none</th></tr>${rows}</table>`,
    );
    parts.push(
      `<h3>Whole prompt right over training</h3>${svgChart(
        [
          { label: 'one-shape', color: '#1f77b4', points: evals.filter((e) => e.adherence).map((e) => [e.step, e.adherence!.one.whole]) },
          { label: 'two-shape', color: '#d62728', points: evals.filter((e) => e.adherence).map((e) => [e.step, e.adherence!.two.whole]) },
        ],
        640,
        200,
      )}`,
    );
  }
  if (last.digitAccuracy !== undefined) {
    parts.push(`<p>digit accuracy (the shipped classifier on samples of "the digit N"): ${(100 * last.digitAccuracy).toFixed(1)}%</p>`);
  }
  if (evals.some((e) => e.fd)) {
    parts.push(
      `<h3>Frechet distance to real held-out images over training (shipped feature net; lower is better)</h3>${svgChart(
        [{ label: 'FD', color: '#8c564b', points: evals.filter((e) => e.fd).map((e) => [e.step, e.fd!.value]) }],
        640,
        200,
        { log: true },
      )}`,
    );
  }
  if (evals.some((e) => e.validation)) {
    parts.push(
      `<h3>Validation loss (held-out split, mean over t-deciles)</h3>${svgChart(
        [
          {
            label: 'validation loss',
            color: '#9467bd',
            points: evals.filter((e) => e.validation).map((e) => [e.step, e.validation!.mean]),
          },
        ],
        640,
        200,
        { log: true },
      )}`,
    );
  }
  return parts.join('\n');
}

/** An image file of the run folder as a data URI (so the report is one file), or its path if missing. */
function embed(runDir: string, file: string): string {
  const path = join(runDir, file);
  return existsSync(path) ? `data:image/png;base64,${readFileSync(path).toString('base64')}` : file;
}

const DECILE_COLORS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];

/** Write `report.html` in the run folder. */
export function writeReport(
  runDir: string,
  title: string,
  config: unknown,
  metrics: MetricRecord[],
  samples: SampleRecord[],
  evals: readonly EvalRecord[] = [],
): string {
  const loss = svgChart([{ label: 'loss', color: '#1f77b4', points: metrics.map((m) => [m.step, m.loss]) }], 640, 240, {
    log: true,
    title: 'log scale',
  });
  const lr = svgChart([{ label: 'learning rate', color: '#2ca02c', points: metrics.map((m) => [m.step, m.lr]) }], 320, 160);
  const gradNorm = svgChart([{ label: 'gradient norm', color: '#ff7f0e', points: metrics.map((m) => [m.step, m.gradNorm]) }], 320, 160, {
    log: true,
  });
  const deciles = svgChart(
    DECILE_COLORS.map((color, d) => ({
      label: `t ${d / 10}-${(d + 1) / 10}`,
      color,
      points: metrics.filter((m) => m.lossByDecile).map((m) => [m.step, m.lossByDecile?.[d] ?? Number.NaN] as [number, number]),
    })),
    900,
    280,
    { log: true },
  );
  const grids = [...samples]
    .reverse()
    .map(
      (s) => `<figure><img src="${embed(runDir, s.file)}" alt="samples at step ${s.step}" style="image-rendering:pixelated;max-width:900px">
<figcaption>${escapeHtml(s.file)} · step ${s.step}${s.colorAdherence === undefined ? '' : ` · colour adherence ${(100 * s.colorAdherence).toFixed(0)}%`}</figcaption></figure>`,
    )
    .join('\n');
  const last = metrics[metrics.length - 1];
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;max-width:1000px}figure{display:block;margin:8px 0}pre{background:#f6f6f6;padding:8px;overflow:auto}td,th{padding:2px 6px;text-align:center}</style></head>
<body><h1>${escapeHtml(title)}</h1>
<p>${last ? `step ${last.step} · loss ${last.loss.toFixed(4)} · ${last.itPerSec.toFixed(2)} it/s · ${(last.elapsedSeconds / 60).toFixed(1)} min` : 'no steps yet'}</p>
<h2>Loss</h2>${loss}<div>${lr} ${gradNorm}</div>
<h2>Loss by noise level (t-decile)</h2>${deciles}
${evaluationHtml(evals)}
<h2>Samples</h2><p>Newest first; each prompt is written under its image.</p>${grids}
<h2>Configuration</h2><pre>${escapeHtml(JSON.stringify(config, null, 2))}</pre>
</body></html>`;
  const path = `${runDir}/report.html`;
  writeTextAtomic(path, html);
  return path;
}
