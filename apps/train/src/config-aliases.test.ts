import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, helpText, loadConfig, normalizeKeys } from './config';

describe('configuration spellings, diffusers names and the JSON Schema', () => {
  it('accepts kebab-case and snake_case keys in files and flags', () => {
    expect(normalizeKeys({ 'batch-size': 8, warmup_steps: 10, lrDecay: 'constant' }, 'config file x:')).toEqual({
      batchSize: 8,
      warmupSteps: 10,
      lrDecay: 'constant',
    });
    const { config } = loadConfig(['--batch_size', '4', '--max-steps', '7']);
    expect(config).toMatchObject({ batchSize: 4, maxSteps: 7 });
    expect(() => normalizeKeys({ batch_size: 8, batchSize: 4 }, 'config file x:')).toThrow(/batchSize is given twice \(in two spellings\)/);
  });

  it("maps diffusers' training-script flags onto ours", () => {
    const { config } = loadConfig([
      '--learning-rate',
      '2e-4',
      '--train-batch-size',
      '16',
      '--max-train-steps',
      '100',
      '--checkpointing-steps',
      '50',
      '--validation-prompt',
      'a red circle',
      '--validation-prompt',
      'a blue square',
      '--resolution',
      '64',
      '--output-dir',
      'runs/x',
    ]);
    expect(config).toMatchObject({
      lr: 2e-4,
      batchSize: 16,
      maxSteps: 100,
      checkpointEvery: 50,
      samplePrompts: ['a red circle', 'a blue square'],
      dataset: 'shapes(count=50000, size=64)',
      out: 'runs/x',
    });
    expect(loadConfig(['--resume-from-checkpoint', 'latest']).config).toMatchObject({ resume: true, out: 'runs/shapes' });
    expect(loadConfig(['--resume-from-checkpoint', 'runs/other']).config).toMatchObject({ resume: true, out: 'runs/other' });
    expect(loadConfig(['--dataset', 'mnist', '--resolution', '32']).config?.dataset).toBe('mnist(size=32)');
    expect(loadConfig(['--gradient-accumulation-steps', '4']).config?.accumulationSteps).toBe(4);
    expect(loadConfig(['--lr-warmup-steps', '7', '--adam-weight-decay', '0', '--max-grad-norm', '2']).config).toMatchObject({
      warmupSteps: 7,
      weightDecay: 0,
      clipNorm: 2,
    });
    expect(() => loadConfig(['--mixed-precision', 'fp16'])).toThrow(/option --mixed-precision: not supported: training runs in float32/);
    expect(() => normalizeKeys({ gradient_checkpointing: true }, 'config file x:')).toThrow(/raise --accumulation-steps/);
    expect(loadConfig(['--checkpoints-total-limit', '5']).config?.keepCheckpoints).toBe(5);
    expect(normalizeKeys({ checkpoints_total_limit: 4 }, 'config file x:')).toEqual({ keepCheckpoints: 4 });
    expect(() => loadConfig(['--checkpoints-total-limit', '0'])).toThrow(/keepCheckpoints: got 0/);
    expect(() => loadConfig(['--resolution', '5'])).toThrow(/resolution: got 5; expected an integer image side from 8 to 4096/);
    expect(() => loadConfig(['--bach-size', '4'])).toThrow(/unknown option --bach-size \(did you mean --batch-size\?\)/);
  });

  it('lists enum choices and environment variables in --help, and ships the generated JSON Schema', () => {
    const help = helpText();
    expect(help).toMatch(/--lr-decay <constant\|cosine>/);
    expect(help).toMatch(/--on-non-finite <stop\|skip>/);
    expect(help).toMatch(/RECTIFLOW_BACKEND=auto \| tensorflow \| webgpu \| webgl \| wasm \| cpu/);
    expect(help).toMatch(/RECTIFLOW_NATIVE=0 \| false/);
    const committed = JSON.parse(readFileSync(new URL('../config.schema.json', import.meta.url), 'utf8'));
    // Regenerate after a schema change: node apps/train/dist/cli.js --print-schema > apps/train/config.schema.json
    expect(committed).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
    expect(committed.properties.lrDecay.enum).toEqual(['constant', 'cosine']);
  });
});
