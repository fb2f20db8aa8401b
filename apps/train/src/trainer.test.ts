import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '@rectiflow/core';
import { describe, expect, it } from 'vitest';
import { parseConfig, type TrainConfig } from './config';
import { Trainer } from './trainer';

const quiet = { log: () => {}, stream: { isTTY: false, write: () => true } };

function tinyConfig(out: string, extra: Partial<TrainConfig> = {}): TrainConfig {
  return parseConfig({
    out,
    dataset: 'shapes(count=64)',
    model: 'mmdit(depth=1, patch=8, qkNorm=true)',
    textEncoder: 'small-text(dim=16, depth=1, heads=2, length=12)',
    batchSize: 4,
    maxSteps: 6,
    minutes: 5,
    warmupSteps: 2,
    logEvery: 2,
    checkpointEvery: 3,
    sampleEvery: 1000,
    sampleSteps: 2,
    samplePrompts: ['a large red circle in the center', 'a small blue square at the top left'],
    ...extra,
  });
}

async function modelBytes(runDir: string): Promise<Buffer> {
  const latest = JSON.parse(readFileSync(join(runDir, 'checkpoints', 'latest.json'), 'utf8')) as { dir: string };
  const dir = join(runDir, 'checkpoints', latest.dir);
  return Buffer.concat(['model', 'ema', 'text-encoder', 'optimizer'].map((f) => readFileSync(join(dir, `${f}.safetensors`))));
}

describe('Trainer', () => {
  it('trains, writes metrics, checkpoints, a held-out grid and the report, without leaking tensors', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rectiflow-train-')), 'run');
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    const counts: number[] = [];
    const trainer = await Trainer.create(tinyConfig(out), {
      ...quiet,
      onStep: (_, loss) => {
        losses.push(loss);
        counts.push(tf.memory().numTensors);
      },
    });
    const result = await trainer.run();
    trainer.dispose();
    expect(result.steps).toBe(6);
    expect(result.stoppedBy).toBe('steps');
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(new Set(counts.slice(1)).size).toBe(1); // flat over steps
    expect(tf.memory().numTensors).toBe(before);
    const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(metrics.map((m) => m.step)).toEqual([2, 4, 6]);
    expect(metrics[0].lossByDecile).toHaveLength(10);
    expect(existsSync(join(out, 'samples', 'final.png'))).toBe(true);
    expect(result.colorAdherence).toBeGreaterThanOrEqual(0);
    expect(readFileSync(result.report, 'utf8')).toContain('samples/final.png');
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).batchSize).toBe(4);
    await expect(Trainer.create(tinyConfig(out), quiet)).rejects.toThrow(/already holds a run; pass --resume/);
  });

  it('resumes bit-identically: 3 + 3 steps equal 6 uninterrupted steps', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rectiflow-resume-'));
    const straight = await Trainer.create(tinyConfig(join(root, 'a')), quiet);
    await straight.run();
    straight.dispose();

    const first = await Trainer.create(tinyConfig(join(root, 'b'), { maxSteps: 3 }), quiet);
    await first.run();
    first.dispose();
    const second = await Trainer.create(tinyConfig(join(root, 'b'), { resume: true }), quiet);
    expect(second.currentStep).toBe(3);
    const result = await second.run();
    second.dispose();
    expect(result.steps).toBe(6);
    expect((await modelBytes(join(root, 'b'))).equals(await modelBytes(join(root, 'a')))).toBe(true);
  });

  it('stops on a non-finite loss naming the step and keeps the last good checkpoint; or skips by option', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rectiflow-nan-'));
    const lines: string[] = [];
    const trainer = await Trainer.create(tinyConfig(join(root, 'stop')), { ...quiet, log: (l) => lines.push(l) });
    // Poison the weights after step 4 so step 5 produces NaN.
    let poisoned = false;
    const originalStep = trainer.trainStep.bind(trainer);
    trainer.trainStep = () => {
      if (trainer.currentStep === 4 && !poisoned) {
        poisoned = true;
        const [first] = trainer.parameters().values();
        first.assign(tf.fill(first.shape, Number.NaN));
      }
      return originalStep();
    };
    const result = await trainer.run();
    trainer.dispose();
    expect(result.stoppedBy).toBe('non-finite');
    expect(lines.join('\n')).toMatch(/stopped: .*training step 5/);
    expect(JSON.parse(readFileSync(join(root, 'stop', 'checkpoints', 'latest.json'), 'utf8')).step).toBe(3);
  });
});
