import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '@rectiflow/core';
import { runSamplingParts, textToImage } from '@rectiflow/pipeline';
import { loadRun } from '@rectiflow/pipeline/node';
import { describe, expect, it } from 'vitest';
import { BrowserTrainer } from './browser-trainer';

describe('the page trainer', () => {
  it('trains with a falling loss and writes a checkpoint folder that rectiflow-sample loads', async () => {
    const trainer = new BrowserTrainer({ steps: 30, batchSize: 4, learningRate: 0.001, seed: 0, sampleEvery: 100 });
    const losses = Array.from({ length: 30 }, () => trainer.trainStep().loss);
    expect(losses.every(Number.isFinite)).toBe(true);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 5)));
    const dir = mkdtempSync(join(tmpdir(), 'rectiflow-page-ckpt-'));
    for (const [name, bytes] of await trainer.checkpointFiles()) writeFileSync(join(dir, name), bytes);
    trainer.dispose();
    const run = await loadRun(dir, true, () => {});
    expect(run.step).toBe(30);
    expect(run.config.formulation).toBe('rf/lognorm(0.50, 0.80)');
    const { images } = textToImage({
      ...runSamplingParts(run),
      prompts: ['a large red circle in the center'],
      seed: 0,
      steps: 2,
      guidance: 3,
      solver: run.config.sampleSolver,
    });
    expect(images.shape).toEqual([1, 3, 32, 32]);
    tf.dispose(images);
    run.dispose();
  });

  it('bounds its sizes before allocating', () => {
    expect(() => new BrowserTrainer({ steps: 0, batchSize: 4, learningRate: 0.001, seed: 0, sampleEvery: 10 })).toThrow(/^steps: got 0/);
    expect(() => new BrowserTrainer({ steps: 10, batchSize: 1e6, learningRate: 0.001, seed: 0, sampleEvery: 10 })).toThrow(
      /^batchSize: got 1000000/,
    );
    expect(() => new BrowserTrainer({ steps: 10, batchSize: 4, learningRate: 5, seed: 0, sampleEvery: 10 })).toThrow(
      /^learningRate: got 5/,
    );
  });
});
