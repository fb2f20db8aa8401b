import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult, SettingResult } from './run-result';
import { parseStudyConfig } from './study-config';
import { writeStudyReport } from './study-report';
import { summarize } from './study-summary';

function setting(sampleSteps: number, validation: number, fd: number, whole: number): SettingResult {
  return {
    weights: 'ema',
    sampleSteps,
    size: 32,
    shift: 1,
    validation: { mean: validation, byDecile: Array(10).fill(validation) },
    fd,
    whole,
    seconds: 1,
  };
}

function run(formulation: string, seed: number, settings: SettingResult[], diverged = false): { runDir: string; result: RunResult } {
  return {
    runDir: `/nowhere/${formulation}-${seed}`,
    result: {
      id: `${formulation}-${seed}`,
      formulation,
      seed,
      fingerprint: '',
      step: 10,
      diverged,
      settings,
      grids: [],
      trainSeconds: 1,
      evalSeconds: 1,
    },
  };
}

// Three formulations, two seeds, settings 5 and 25 Euler steps (EMA). Means over seeds:
//   A: validation 0.5, FD@5 10, whole@5 0.4, FD@25 8,  whole@25 0.6
//   B: validation 0.4, FD@5 20, whole@5 0.2, FD@25 6,  whole@25 0.6
//   C: diverged on both seeds: no values, last everywhere.
// Objectives (validation once, FD and whole per setting) = 5; ranks:
//   validation A 2 B 1 C 3; FD@5 A 1 B 2 C 3; whole@5 A 1 B 2 C 3; FD@25 A 2 B 1 C 3; whole@25 A 1.5 B 1.5 C 3
//   mean ranks: A 7.5/5 = 1.5, B 7.5/5 = 1.5, C 3; fronts: A 1, B 1 (neither dominates), C 2.
const runs = [
  run('A', 0, [setting(5, 0.4, 8, 0.3), setting(25, 0.4, 7, 0.5)]),
  run('A', 1, [setting(5, 0.6, 12, 0.5), setting(25, 0.6, 9, 0.7)]),
  run('B', 0, [setting(5, 0.4, 20, 0.2), setting(25, 0.4, 6, 0.6)]),
  run('B', 1, [setting(5, 0.4, 20, 0.2), setting(25, 0.4, 6, 0.6)]),
  run('C', 0, [], true),
  run('C', 1, [], true),
];

describe('summarize and the study report', () => {
  it('takes means and standard errors over seeds and ranks as the hand-computed table', () => {
    const s = summarize(['A', 'B', 'C'], runs);
    expect(s.settings.map((x) => x.label)).toEqual(['EMA, 5 steps', 'EMA, 25 steps']);
    expect(s.objectives.map((o) => o.name)).toEqual([
      'validation loss (EMA)',
      'FD (EMA, 5 steps)',
      'whole prompt (EMA, 5 steps)',
      'FD (EMA, 25 steps)',
      'whole prompt (EMA, 25 steps)',
    ]);
    const [a, b, c] = s.rows;
    expect(a.metrics['EMA, 5 steps'].fd?.mean).toBe(10);
    // FD@5 of A: 8 and 12, sample sd 2*sqrt(2), stderr 2.
    expect(a.metrics['EMA, 5 steps'].fd?.stderr).toBeCloseTo(2, 12);
    expect(b.metrics['EMA, 5 steps'].fd?.stderr).toBe(0);
    expect(a.meanRank).toBeCloseTo(1.5, 12);
    expect(b.meanRank).toBeCloseTo(1.5, 12);
    expect(c.meanRank).toBe(3);
    expect([a.front, b.front, c.front]).toEqual([1, 1, 2]);
    expect(c.diverged).toBe(2);
    expect(a.lossByDecile?.[0]).toBeCloseTo(0.5, 12);
    // Ranking on FD alone: A 1, B 2 at 5 steps; A 2, B 1 at 25 steps -> tie at 1.5; C 3.
    const fdOnly = summarize(['A', 'B', 'C'], runs, ['fd']);
    expect(fdOnly.objectives).toHaveLength(2);
    expect(fdOnly.rows.map((r) => r.meanRank)).toEqual([1.5, 1.5, 3]);
  });

  it('writes the ranking table, the metrics with standard errors and the curves, in HTML and Markdown', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rectiflow-study-report-'));
    const study = parseStudyConfig({
      out: dir,
      formulations: ['A', 'B', 'C'],
      steps: 10,
      seeds: 2,
      sampleSteps: [5, 25],
      weights: ['ema'],
    });
    const summary = summarize(['A', 'B', 'C'], runs);
    const paths = writeStudyReport(dir, { study, summary, finished: 6, planned: 6, guidance: 3 });
    const md = readFileSync(paths.markdown, 'utf8');
    expect(md).toContain('6 of 6 runs finished; 10 training steps per run; 2 seed(s)');
    expect(md).toContain('| 3 | C | 3.00 | 2 | 2 | 2 | not bundled |');
    expect(md).toMatch(/\| [12] \| A \| 1\.50 \| 1 \| 2 \| 0 \| not bundled \|/);
    // A's FD at 5 steps: 10 ± 2 (four decimals below 100); whole prompt in percent.
    expect(md).toMatch(/\| A \| 0\.5000 ± 0\.1000 \| 10\.0000 ± 2\.0000 \| 40\.0 ± 10\.0 \| 8\.0000 ± 1\.0000 \| 60\.0 ± 10\.0 \|/);
    expect(md).toContain('![charts/fd-ema.svg](charts/fd-ema.svg)');
    const html = readFileSync(paths.html, 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('validation loss per t-decile');
    expect(readFileSync(join(dir, 'charts', 'whole-ema.svg'), 'utf8')).toContain('<polyline');
  });
});
