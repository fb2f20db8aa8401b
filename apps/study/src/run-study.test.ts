import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeStudies } from './merge-studies';
import { runStudy } from './run-study';
import { parseStudyConfig, type StudyConfig } from './study-config';
import { readStudyState, writeStudyState } from './study-state';

/** A study of two formulations, one seed, two steps each, evaluated at 1 Euler step with the EMA weights. */
function tinyStudy(out: string, extra: Record<string, unknown> = {}): StudyConfig {
  return parseStudyConfig({
    out,
    formulations: ['rf/lognorm(0.00, 1.00)', 'eps/linear'],
    steps: 2,
    seeds: 1,
    evalSeeds: 1,
    sampleSteps: [1],
    weights: ['ema'],
    gridPrompts: ['a large red circle in the center', 'a small blue square at the top left'],
    train: {
      dataset: 'shapes(count=64)',
      model: 'mmdit(depth=1, patch=8, qkNorm=true)',
      textEncoder: 'small-text(dim=16, depth=1, heads=2, length=12)',
      batchSize: 4,
      warmupSteps: 1,
      logEvery: 1,
      checkpointEvery: 1,
      sampleEvery: 1000,
      sampleSteps: 1,
    },
    ...extra,
  });
}

const quiet = () => {};

describe('runStudy', () => {
  it('is resumable: a stopped study continues its interrupted run and never redoes a finished one', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rectiflow-study-')), 'study');
    const study = tinyStudy(out);
    // Stop while the second run trains: after the first run is recorded, a few stop checks later.
    let checksAfterFirst = 0;
    const first = await runStudy(study, {
      log: quiet,
      executor: 'in-process',
      shouldStop: () => Object.keys(readStudyState(out)?.runs ?? {}).length === 1 && ++checksAfterFirst >= 3,
    });
    expect(first.finishedNow).toEqual(['rf-lognorm-0.00-1.00-seed0']);
    expect(first.stopped).toEqual(['eps-linear-seed0']);
    const firstRun = join(out, 'runs', 'rf-lognorm-0.00-1.00-seed0');
    const interrupted = join(out, 'runs', 'eps-linear-seed0');
    // Each run is an ordinary training-app run folder.
    expect(existsSync(join(firstRun, 'checkpoints', 'latest.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(firstRun, 'config.json'), 'utf8')).formulation).toBe('rf/lognorm(0.00, 1.00)');
    expect(existsSync(join(interrupted, 'checkpoints', 'latest.json'))).toBe(true);
    expect(existsSync(join(interrupted, 'study-result.json'))).toBe(false);
    const firstResult = statSync(join(firstRun, 'study-result.json')).mtimeMs;

    // The interrupted run folder is not continued under other training settings.
    const changed = tinyStudy(out, { formulations: ['eps/linear'], train: { ...study.train, lr: 2e-3 } });
    const refused = await runStudy(changed, { log: quiet, executor: 'in-process' });
    expect(refused.failed).toEqual([
      { id: 'eps-linear-seed0', error: expect.stringMatching(/trained with lr 0.001, this study asks for 0.002/) },
    ]);

    const second = await runStudy(study, { log: quiet, executor: 'in-process' });
    expect(second.alreadyFinished).toBe(1);
    expect(second.finishedNow).toEqual(['eps-linear-seed0']);
    expect(statSync(join(firstRun, 'study-result.json')).mtimeMs).toBe(firstResult);
    expect(readFileSync(join(interrupted, 'study.log'), 'utf8')).toMatch(/resumed .* at step 1/);
    const state = readStudyState(out)!;
    const result = state.runs['eps-linear-seed0'].result;
    expect(result.step).toBe(2);
    expect(result.settings.map((s) => s.sampleSteps)).toEqual([1]);
    for (const s of result.settings) {
      expect(s.validation?.byDecile).toHaveLength(10);
      expect(Number.isFinite(s.fd)).toBe(true);
      expect(s.whole).toBeGreaterThanOrEqual(0);
    }
    const md = readFileSync(second.report.markdown, 'utf8');
    expect(md).toContain('2 of 2 runs finished');
    expect(md).toContain("paper's Table 1 ranks are not bundled");
    expect(md).toMatch(/\| eps\/linear \|/);
    expect(readFileSync(second.report.html, 'utf8')).toContain('data:image/png;base64,');
    expect(existsSync(join(out, 'charts', 'validation-loss-by-t-decile.svg'))).toBe(true);

    // A run trained to the budget whose evaluation was lost is evaluated again, not retrained.
    rmSync(join(interrupted, 'study-result.json'));
    const { 'eps-linear-seed0': _dropped, ...rest } = state.runs;
    writeStudyState(out, { ...state, runs: rest });
    const third = await runStudy(study, { log: quiet, executor: 'in-process' });
    expect(third.finishedNow).toEqual(['eps-linear-seed0']);
    expect(readFileSync(join(interrupted, 'study.log'), 'utf8')).toContain('reaches the budget of 2 steps; not retrained');

    // Changed settings in the same folder are refused rather than mixed in.
    await expect(runStudy(tinyStudy(out, { steps: 3 }), { log: quiet, executor: 'in-process' })).rejects.toThrow(
      /made with other settings/,
    );
  }, 60_000);

  it('splits over shards into separate folders, and merge builds one report from them', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rectiflow-study-shards-'));
    const a = await runStudy(tinyStudy(join(root, 'shard-1'), { shard: '1/2' }), { log: quiet, executor: 'in-process' });
    const b = await runStudy(tinyStudy(join(root, 'shard-2'), { shard: '2/2' }), { log: quiet, executor: 'in-process' });
    expect(a.finishedNow).toEqual(['rf-lognorm-0.00-1.00-seed0']);
    expect(b.finishedNow).toEqual(['eps-linear-seed0']);
    expect(readFileSync(a.report.markdown, 'utf8')).toContain('1 of 2 runs finished');
    const merged = mergeStudies(join(root, 'merged'), [join(root, 'shard-1'), join(root, 'shard-2')]);
    expect(merged).toMatchObject({ runs: 2, planned: 2 });
    const md = readFileSync(merged.report.markdown, 'utf8');
    expect(md).toContain('2 of 2 runs finished');
    expect(md).toMatch(/\| rf\/lognorm\(0\.00, 1\.00\) \| [\d.]+ \| 1 \| 1 \| 0 \|/);
    expect(md).toContain('../shard-2/runs/eps-linear-seed0/study-grid.png');
    expect(Object.keys(readStudyState(join(root, 'merged'))!.runs).sort()).toEqual(['eps-linear-seed0', 'rf-lognorm-0.00-1.00-seed0']);
    // Shards of different studies are not merged.
    const other = join(root, 'other');
    writeStudyState(other, { version: 1, study: tinyStudy(other, { steps: 5 }), runs: {} });
    expect(() => mergeStudies(join(root, 'bad'), [join(root, 'shard-1'), other])).toThrow(/shard of a different study/);
  }, 60_000);

  it('runs the resolution-shift study: base size, target size without and with the shift', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rectiflow-shift-study-')), 'shift');
    const study = tinyStudy(out, { shiftStudy: { baseSize: 32, targetSize: 48 } });
    const outcome = await runStudy(study, { log: quiet, executor: 'in-process' });
    expect(outcome.finishedNow).toEqual(['shift-rf-lognorm-0.00-1.00-32to48-seed0']);
    const result = readStudyState(out)!.runs[outcome.finishedNow[0]].result;
    // alpha = sqrt(m/n) with m/n = (48/32)^2 tokens: 1.5.
    expect(result.settings.map((s) => [s.arm, s.size, s.shift])).toEqual([
      ['base', 32, 1],
      ['target', 48, 1],
      ['target+shift', 48, 1.5],
    ]);
    expect(result.settings.every((s) => s.whole !== undefined && s.whole >= 0 && s.whole <= 1)).toBe(true);
    expect(result.grids.map((g) => g.file)).toEqual(['study-grid-base.png', 'study-grid-target.png', 'study-grid-target-shift.png']);
    const md = readFileSync(outcome.report.markdown, 'utf8');
    expect(md).toContain('resolution-shift study: train at 32 px, sample at 48 px');
    expect(md).toContain('whole prompt % (target+shift, EMA, 1 steps)');
  }, 60_000);
});
