import { describe, expect, it } from 'vitest';
import { QUICK_FORMULATIONS, TABLE1_FORMULATIONS } from './formulation-sets';
import { LIMITS, parseStudyArgs, parseStudyConfig, QUICK_DEFAULTS, studyHelpText } from './study-config';
import { formulationSlug, planStudy, shardTasks } from './study-plan';

describe('study configuration', () => {
  it("defaults to the paper's Table 1 set with an equal step budget, EMA and raw weights, 5 and 25 Euler steps", () => {
    const c = parseStudyConfig({});
    expect(c.formulations).toEqual(TABLE1_FORMULATIONS);
    expect(c.formulations).toContain('edm(-1.20, 1.20)');
    expect(c.sampleSteps).toEqual([5, 25]);
    expect(c.weights).toEqual(['ema', 'raw']);
    // Every formulation is one our registry builds.
    const tasks = planStudy({ ...c, seeds: 1 });
    expect(tasks.map((t) => t.train.formulation)).toEqual(TABLE1_FORMULATIONS);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(TABLE1_FORMULATIONS.length);
    expect(tasks.every((t) => t.train.maxSteps === c.steps && t.train.evalEvery === 0)).toBe(true);
  });

  it('reads flags over the --quick preset; training options go to train', () => {
    const { values, command } = parseStudyArgs([
      '--quick',
      '--steps=7',
      '--formulation',
      'rf',
      '--formulations',
      'v/cos',
      '--sample-steps',
      '3',
      '--dataset',
      'shapes(count=64)',
      '--batch-size',
      '4',
      '--jobs',
      '2',
      '--shard',
      '2/3',
    ]);
    expect(command).toBe('run');
    const c = parseStudyConfig(values);
    expect(c.formulations).toEqual(['rf', 'v/cos']);
    expect(c.steps).toBe(7);
    expect(c.seeds).toBe(QUICK_DEFAULTS.seeds);
    expect(c.sampleSteps).toEqual([3]);
    expect(c.train).toEqual({ dataset: 'shapes(count=64)', batchSize: 4 });
    expect(c.jobs).toBe(2);
    expect(parseStudyConfig(parseStudyArgs(['--quick']).values).formulations).toEqual(QUICK_FORMULATIONS);
    expect(parseStudyArgs(['merge', '--out', 'm', 'a', 'b'])).toMatchObject({ command: 'merge', inputs: ['a', 'b'], values: { out: 'm' } });
    expect(studyHelpText()).toContain('--shift-study');
  });

  it('reads the example study files', () => {
    const table1 = parseStudyConfig(parseStudyArgs(['--config', new URL('../examples/table1.yaml', import.meta.url).pathname]).values);
    expect(table1.formulations).toEqual(TABLE1_FORMULATIONS);
    const shift = parseStudyConfig(
      parseStudyArgs(['--config', new URL('../examples/shift.yaml', import.meta.url).pathname, '--jobs', '2']).values,
    );
    expect(shift.shiftStudy).toEqual({ formulation: 'rf/lognorm(0.00, 1.00)', baseSize: 32, targetSize: 64, steps: 1500 });
    expect(shift.jobs).toBe(2);
  });

  it('refuses bad values with the field, the value and what is allowed', () => {
    expect(() => parseStudyConfig({ jobs: LIMITS.jobs + 1 })).toThrow(/jobs: got 33; .*32/);
    expect(() => parseStudyConfig({ steps: 0 })).toThrow(/steps: got 0/);
    expect(() => parseStudyConfig({ seeds: 17 })).toThrow(/seeds: got 17/);
    expect(() => parseStudyConfig({ shard: '3/2' })).toThrow(/shard: got "3\/2"; i\/n with 1 <= i <= n/);
    expect(() => parseStudyConfig({ formulations: ['rf', 'rf'] })).toThrow(/formulations: .*each formulation once/);
    expect(() => parseStudyConfig({ train: { seed: 3 } })).toThrow(/train.seed: got 3; set by the study/);
    expect(() => parseStudyConfig({ shiftStudy: { baseSize: 64, targetSize: 32 } })).toThrow(
      /shiftStudy.targetSize: .*larger than baseSize/,
    );
    expect(() => parseStudyArgs(['--nope', '1'])).toThrow(/unknown option --nope/);
    expect(() => parseStudyArgs(['--steps', 'many'])).toThrow(/--steps: got "many"; a number/);
    expect(() => planStudy(parseStudyConfig({ formulations: ['rf/nope'], seeds: 1 }))).toThrow(/formulations: got "rf\/nope"/);
    expect(() => planStudy(parseStudyConfig({ train: { batchSize: -1 }, seeds: 1 }))).toThrow(/train: .*batchSize: got -1/);
  });

  it('splits the runs over shards, every run in exactly one', () => {
    const c = parseStudyConfig({ formulations: ['rf', 'eps/linear', 'v/cos'], seeds: 2 });
    const all = planStudy(c);
    const parts = [1, 2, 3].map((i) => shardTasks(all, { shard: `${i}/3` }).map((t) => t.id));
    expect(parts.flat().sort()).toEqual(all.map((t) => t.id).sort());
    expect(parts.map((p) => p.length)).toEqual([2, 2, 2]);
  });

  it('plans the shift study: training at the base size, a position grid that covers the target size', () => {
    const c = parseStudyConfig(
      parseStudyArgs(['--shift-study', '--target-size', '64', '--seeds', '2', '--model', 'mmdit(depth=1, patch=8)']).values,
    );
    const tasks = planStudy(c);
    expect(tasks).toHaveLength(2);
    expect(tasks[0].train.dataset).toMatch(/size=32/);
    expect(tasks[0].train.model).toMatch(/posGrid=8/);
    expect(tasks[0].evaluation).toMatchObject({ kind: 'shift', targetSize: 64 });
  });
});

describe('run folder names', () => {
  it('keep the sign of negative arguments, so specs that differ in a sign never share a folder', () => {
    expect(formulationSlug('rf/lognorm(0.00, 1.00)')).toBe('rf-lognorm-0.00-1.00');
    expect(formulationSlug('rf/lognorm(-0.50, 1.00)')).toBe('rf-lognorm-m0.50-1.00');
    expect(formulationSlug('rf/lognorm(0.50, 1.00)')).toBe('rf-lognorm-0.50-1.00');
    expect(formulationSlug('edm(-1.20, 1.20)')).toBe('edm-m1.20-1.20');
    expect(formulationSlug('rf/mode(s=-0.5)')).toBe('rf-mode-s-m0.5');
  });
});
