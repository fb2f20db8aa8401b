/**
 * The study report, as HTML (`report.html`, images embedded) and Markdown (`report.md`, with
 * the charts as SVG files under `charts/` and the grids linked): the ranking table beside the
 * paper's Table 1 (or a note that its ranks are not bundled), each metric per sampler
 * setting with standard errors over seeds, metric-vs-Euler-steps curves per formulation,
 * the validation loss per t-decile per formulation and a sample grid per formulation.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { writeTextAtomic } from '@rectiflow/pipeline/node';
import { PAPER_TABLE1_NOTE } from './formulation-sets';
import { lineChart } from './line-chart';
import type { StudyConfig } from './study-config';
import { METRICS, type MeanSe, type StudySummary } from './study-summary';

export interface StudyReportInput {
  study: StudyConfig;
  summary: StudySummary;
  /** Runs finished and planned. */
  finished: number;
  planned: number;
  /** Guidance scale of the evaluations. */
  guidance?: number;
  /** Training configuration of one run (dataset, model, ... shared by all). */
  train?: Record<string, unknown>;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function formatMeanSe(v: MeanSe | undefined, percent: boolean): string {
  if (!v || !Number.isFinite(v.mean)) return '-';
  const k = percent ? 100 : 1;
  const digits = percent ? 1 : Math.abs(v.mean) >= 100 ? 0 : 4;
  return `${(k * v.mean).toFixed(digits)}${v.n > 1 ? ` ± ${(k * v.stderr).toFixed(digits)}` : ''}`;
}

/** Rows sorted by mean rank (then front), for the ranking table. */
function ranked(summary: StudySummary) {
  return [...summary.rows].sort((a, b) => (a.meanRank || Infinity) - (b.meanRank || Infinity) || a.front - b.front);
}

function charts(summary: StudySummary): Array<{ file: string; svg: string }> {
  const out: Array<{ file: string; svg: string }> = [];
  const arms = [...new Set(summary.settings.map((s) => s.arm))];
  for (const arm of arms)
    for (const weights of ['ema', 'raw'] as const) {
      const settings = summary.settings.filter((s) => s.weights === weights && s.arm === arm);
      if (settings.length < 1) continue;
      for (const m of METRICS) {
        if (m.key === 'validation') continue;
        const series = summary.rows.map((r) => ({
          label: r.formulation,
          points: settings.map(
            (s) => [s.sampleSteps, (m.higherIsBetter ? 100 : 1) * (r.metrics[s.label]?.[m.key]?.mean ?? Number.NaN)] as [number, number],
          ),
        }));
        if (!series.some((s) => s.points.some(([, y]) => Number.isFinite(y)))) continue;
        const tag = `${arm ? `${arm.replace('+', '-')}-` : ''}${m.key}-${weights}`;
        out.push({
          file: `charts/${tag}.svg`,
          svg: lineChart(series, {
            title: `${m.label}${m.higherIsBetter ? ' (%)' : ''} vs Euler steps, ${weights === 'ema' ? 'EMA' : 'raw'} weights${arm ? `, ${arm}` : ''}`,
            xLabel: 'Euler steps',
            yLabel: m.label,
          }),
        });
      }
    }
  const deciles = summary.rows
    .filter((r) => r.lossByDecile)
    .map((r) => ({ label: r.formulation, points: (r.lossByDecile as number[]).map((v, d) => [(d + 0.5) / 10, v] as [number, number]) }));
  if (deciles.length)
    out.push({
      file: 'charts/validation-loss-by-t-decile.svg',
      svg: lineChart(deciles, {
        title: 'validation loss per t-decile (held-out split)',
        xLabel: 't (decile centre; 0 data, 1 noise)',
        yLabel: 'loss',
      }),
    });
  return out;
}

/** Write `report.html`, `report.md` and `charts/*.svg` into the study folder; returns their paths. */
export function writeStudyReport(dir: string, input: StudyReportInput): { html: string; markdown: string } {
  const { study, summary } = input;
  const shift = study.shiftStudy;
  const title = shift
    ? `Rectiflow resolution-shift study: train at ${shift.baseSize} px, sample at ${shift.targetSize} px`
    : 'Rectiflow formulation study (SD3 section 5.1, Table 1, at small scale)';
  const trainLine = input.train
    ? `dataset \`${input.train.dataset}\`, model \`${input.train.model}\`, text encoder \`${input.train.textEncoder}\`, batch ${input.train.batchSize}, lr ${input.train.lr}`
    : '';
  const facts = [
    `${input.finished} of ${input.planned} runs finished; ${study.steps} training steps per run${shift?.steps ? ` (shift study: ${shift.steps})` : ''}; ${study.seeds} seed(s) per formulation (± is the standard error over seeds); ${study.evalSeeds} noise seed(s) per evaluation prompt; guidance ${input.guidance ?? study.guidance ?? 'as trained'}; Euler sampler.`,
    trainLine,
    `Ranking over ${input.summary.objectives.length} objectives (${input.summary.objectives.map((o) => o.name).join('; ')}): per objective the formulations are ranked with ties averaged; "mean rank" averages those ranks; "front" is the Pareto front of non-dominated sorting over the same objectives (1: dominated by no other formulation).`,
    input.summary.objectives.some((o) => o.name.startsWith('validation'))
      ? "Caveat: the validation loss is each formulation's own training objective (its forward process, output and weighting), so its scale differs between formulations; exclude it with rankMetrics to rank on sample quality only."
      : '',
  ].filter(Boolean);
  const rows = ranked(summary);
  const rankHeader = ['#', 'formulation', 'mean rank', 'front', 'runs', 'diverged', ...(shift ? [] : ["paper's Table 1 rank"])];
  const rankRows = rows.map((r, i) => [
    String(i + 1),
    r.formulation,
    Number.isFinite(r.meanRank) ? r.meanRank.toFixed(2) : '-',
    r.front ? String(r.front) : '-',
    String(r.runs),
    String(r.diverged),
    ...(shift ? [] : ['not bundled']),
  ]);
  // Validation loss depends on the weights only: one column per weights (at the fewest steps).
  const firstOfWeights = new Set(
    summary.settings.filter((s, i, all) => all.findIndex((t) => t.weights === s.weights && t.arm === s.arm) === i).map((s) => s.label),
  );
  const metricColumns = summary.settings.flatMap((s) =>
    METRICS.filter(
      (m) => summary.rows.some((r) => r.metrics[s.label]?.[m.key]) && (m.key !== 'validation' || firstOfWeights.has(s.label)),
    ).map((m) => ({ setting: m.key === 'validation' ? s.label.replace(/, \d+ steps$/, '') : s.label, label: s.label, metric: m })),
  );
  const metricHeader = [
    'formulation',
    ...metricColumns.map((c) => `${c.metric.label}${c.metric.higherIsBetter ? ' %' : ''} (${c.setting})`),
  ];
  const metricRows = summary.rows.map((r) => [
    r.formulation,
    ...metricColumns.map((c) => formatMeanSe(r.metrics[c.label]?.[c.metric.key], c.metric.higherIsBetter)),
  ]);
  const chartFiles = charts(summary);
  mkdirSync(join(dir, 'charts'), { recursive: true });
  for (const c of chartFiles) writeFileSync(join(dir, c.file), c.svg);
  const grids = summary.rows.flatMap((r) =>
    (r.grids?.grids ?? [])
      .map((g) => ({ formulation: r.formulation, label: g.label, path: join(r.grids!.runDir, g.file) }))
      .filter((g) => existsSync(g.path)),
  );

  const md: string[] = [`# ${title}`, '', ...facts.map((f) => `${f}\n`), '## Ranking', ''];
  if (!shift) md.push(PAPER_TABLE1_NOTE, '');
  md.push(mdTable(rankHeader, rankRows), '', '## Metrics per sampler setting', '', mdTable(metricHeader, metricRows), '', '## Curves', '');
  for (const c of chartFiles) md.push(`![${c.file}](${c.file})`, '');
  md.push('## Sample grids (same prompts and noise for every formulation)', '');
  for (const g of grids) md.push(`**${g.formulation}** (${g.label})`, '', `![${g.formulation}](${relative(dir, g.path)})`, '');

  const html = [
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>`,
    '<style>body{font-family:sans-serif;max-width:1200px;margin:1em auto}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}td:first-child,th:first-child,td:nth-child(2){text-align:left}figure{display:inline-block;margin:6px}figcaption{font-size:12px}</style></head><body>',
    `<h1>${escapeHtml(title)}</h1>`,
    ...facts.map((f) => `<p>${escapeHtml(f).replace(/`([^`]*)`/g, '<code>$1</code>')}</p>`),
    '<h2>Ranking</h2>',
    shift ? '' : `<p>${escapeHtml(PAPER_TABLE1_NOTE)}</p>`,
    htmlTable(rankHeader, rankRows),
    '<h2>Metrics per sampler setting</h2>',
    htmlTable(metricHeader, metricRows),
    '<h2>Curves</h2>',
    ...chartFiles.map((c) => `<div>${c.svg}</div>`),
    '<h2>Sample grids</h2><p>The same prompts and noise for every formulation.</p>',
    ...grids.map(
      (g) =>
        `<figure><img src="data:image/png;base64,${readFileSync(g.path).toString('base64')}" alt="${escapeHtml(g.formulation)}"><figcaption>${escapeHtml(g.formulation)} (${escapeHtml(g.label)})</figcaption></figure>`,
    ),
    '</body></html>',
  ].join('\n');
  const htmlPath = join(dir, 'report.html');
  const mdPath = join(dir, 'report.md');
  writeTextAtomic(htmlPath, html);
  writeTextAtomic(mdPath, `${md.join('\n')}\n`);
  return { html: htmlPath, markdown: mdPath };
}

function mdTable(header: string[], rows: string[][]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `|${header.map(() => ' --- ').join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

function htmlTable(header: string[], rows: string[][]): string {
  return `<table><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('')}</table>`;
}
