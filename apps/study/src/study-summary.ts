/**
 * The study's table: per formulation and sampler setting, the mean and standard error over
 * seeds of each metric; the objectives the ranking uses; average ranks and Pareto fronts.
 */
import { meanAndStderr, meanRanks, type Objective, paretoFronts } from './ranking';
import type { RunResult, SettingResult } from './run-result';

export type MeanSe = ReturnType<typeof meanAndStderr>;

/** A sampler setting's label: `EMA, 5 steps`, `raw, 25 steps`, `target+shift, EMA, 25 steps`. */
export function settingLabel(s: Pick<SettingResult, 'weights' | 'sampleSteps' | 'arm'>): string {
  return `${s.arm ? `${s.arm}, ` : ''}${s.weights === 'ema' ? 'EMA' : 'raw'}, ${s.sampleSteps} steps`;
}

/** Metrics of the study: name, direction, how to read one from a setting. */
export const METRICS = [
  { key: 'validation', label: 'validation loss', higherIsBetter: false, read: (s: SettingResult) => s.validation?.mean },
  { key: 'fd', label: 'FD', higherIsBetter: false, read: (s: SettingResult) => s.fd },
  { key: 'attributes', label: 'attributes', higherIsBetter: true, read: (s: SettingResult) => s.attributes },
  { key: 'whole', label: 'whole prompt', higherIsBetter: true, read: (s: SettingResult) => s.whole },
  { key: 'digitAccuracy', label: 'digit accuracy', higherIsBetter: true, read: (s: SettingResult) => s.digitAccuracy },
] as const;

export type MetricKey = (typeof METRICS)[number]['key'];

export interface FormulationRow {
  formulation: string;
  /** Finished runs (seeds) and how many of them diverged. */
  runs: number;
  diverged: number;
  /** By setting label, then metric: mean and standard error over seeds. */
  metrics: Record<string, Partial<Record<MetricKey, MeanSe>>>;
  /** Mean validation loss per t-decile over seeds (the first weights evaluated). */
  lossByDecile?: number[];
  /** Sample grids of the lowest seed: run folder (absolute) and grids. */
  grids?: { runDir: string; grids: RunResult['grids'] };
  meanRank: number;
  front: number;
}

export interface StudySummary {
  rows: FormulationRow[];
  /** Setting labels in order (weights, then Euler steps). */
  settings: Array<{ label: string; weights: 'ema' | 'raw'; sampleSteps: number; arm?: SettingResult['arm'] }>;
  objectives: Objective[];
}

/**
 * Summarise finished runs, for `formulations` in the given order. Validation loss depends on
 * the weights only, so it counts once per weights (at the fewest steps); FD and the
 * whole-prompt (or digit) accuracy count per setting. A formulation without a value (all
 * its runs diverged) ranks last on that objective.
 */
export function summarize(
  formulations: readonly string[],
  runs: ReadonlyArray<{ runDir: string; result: RunResult }>,
  rankMetrics: readonly MetricKey[] = METRICS.map((m) => m.key),
): StudySummary {
  const settingsByLabel = new Map<string, StudySummary['settings'][number]>();
  for (const { result } of runs)
    for (const s of result.settings)
      settingsByLabel.set(settingLabel(s), { label: settingLabel(s), weights: s.weights, sampleSteps: s.sampleSteps, arm: s.arm });
  const armOrder = ['base', 'target', 'target+shift'];
  const settings = [...settingsByLabel.values()].sort(
    (a, b) =>
      armOrder.indexOf(a.arm ?? '') - armOrder.indexOf(b.arm ?? '') ||
      (a.weights === b.weights ? 0 : a.weights === 'ema' ? -1 : 1) ||
      a.sampleSteps - b.sampleSteps,
  );
  const rows: FormulationRow[] = formulations.map((formulation) => {
    const mine = runs.filter((r) => r.result.formulation === formulation).sort((a, b) => a.result.seed - b.result.seed);
    const metrics: FormulationRow['metrics'] = {};
    for (const setting of settings) {
      const per: Partial<Record<MetricKey, MeanSe>> = {};
      for (const m of METRICS) {
        const values = mine.map(({ result }) => {
          const s = result.settings.find((x) => settingLabel(x) === setting.label);
          return s ? (m.read(s) ?? Number.NaN) : Number.NaN;
        });
        if (values.some(Number.isFinite)) per[m.key] = meanAndStderr(values);
      }
      metrics[setting.label] = per;
    }
    const deciles = mine
      .map(({ result }) => result.settings.find((s) => s.validation)?.validation?.byDecile)
      .filter((d): d is number[] => d !== undefined);
    const gridRun = mine.find((r) => r.result.grids.length);
    return {
      formulation,
      runs: mine.length,
      diverged: mine.filter((r) => r.result.diverged).length,
      metrics,
      lossByDecile: deciles.length ? deciles[0].map((_, d) => meanAndStderr(deciles.map((x) => x[d])).mean) : undefined,
      grids: gridRun && { runDir: gridRun.runDir, grids: gridRun.result.grids },
      meanRank: Number.NaN,
      front: 0,
    };
  });
  const objectives: Objective[] = [];
  const validationDone = new Set<string>();
  for (const setting of settings) {
    for (const m of METRICS) {
      if (!rankMetrics.includes(m.key) || !rows.some((r) => r.metrics[setting.label][m.key])) continue;
      if (m.key === 'validation') {
        const key = `${setting.arm ?? ''}/${setting.weights}`;
        if (validationDone.has(key)) continue;
        validationDone.add(key);
      }
      objectives.push({
        name: `${m.label} (${m.key === 'validation' ? `${setting.arm ? `${setting.arm}, ` : ''}${setting.weights === 'ema' ? 'EMA' : 'raw'}` : setting.label})`,
        values: rows.map((r) => r.metrics[setting.label][m.key]?.mean ?? Number.NaN),
        higherIsBetter: m.higherIsBetter,
      });
    }
  }
  if (objectives.length) {
    const ranks = meanRanks(objectives);
    const fronts = paretoFronts(objectives);
    rows.forEach((r, i) => {
      r.meanRank = ranks[i];
      r.front = fronts[i];
    });
  }
  return { rows, settings, objectives };
}
