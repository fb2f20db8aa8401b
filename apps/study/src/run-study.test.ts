import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeStudies } from './merge-studies';
import { runStudy } from './run-study';
import { parseStudyConfig, type StudyConfig } from './study-config';
import { readStudyState, writeStudyState } from './study-state';

/** A study of two formulations, one seed, two steps each, evaluated at 1 and 2 Euler steps with the EMA weights. */
function tinyStudy(out: string, extra: Record<string, unknown> = {}): StudyConfig {
  return parseStudyConfig({
    out,
    formulations: ['rf/lognorm(0.00, 1.00)', 'eps/linear'],
    steps: 2,
    seeds: 1,
    evalSeeds: 1,
    sampleSteps: [1, 2],
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

    const second = await runStudy(study, { log: quiet, executor: 'in-process' });
    expect(second.alreadyFinished).toBe(1);
    expect(second.finishedNow).toEqual(['eps-linear-seed0']);
    expect(statSync(join(firstRun, 'study-result.json')).mtimeMs).toBe(firstResult);
    expect(readFileSync(join(interrupted, 'study.log'), 'utf8')).toMatch(/resumed .* at step 1/);
    const state = readStudyState(out)!;
    const result = state.runs['eps-linear-seed0'].result;
    expect(result.step).toBe(2);
    expect(result.settings.map((s) => s.sampleSteps)).toEqual([1, 2]);
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
    const { ['eps-linear-seed0']: _dropped, ...rest } = state.runs;
    writeStudyState(out, { ...state, runs: rest });
    const third = await runStudy(study, { log: quiet, executor: 'in-process' });
    expect(third.finishedNow).toEqual(['eps-linear-seed0']);
    expect(readFileSync(join(interrupted, 'study.log'), 'utf8')).toContain('reaches the budget of 2 steps; not retrained');

    // Changed settings in the same folder are refused rather than mixed in.
    await expect(runStudy(tinyStudy(out, { steps: 3 }), { log: quiet, executor: 'in-process' })).rejects.toThrow(
      /made with other settings/,
    );
  }, 60_000);
});
