/**
 * Recovery paths of a run (issue 15): a torn metrics line, a full disk during a metrics
 * append or a checkpoint, a damaged latest checkpoint, resuming a finished run.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig, type TrainConfig } from './config';
import { Trainer } from './trainer';

const stream = { isTTY: false, write: () => true };

function tinyConfig(out: string, extra: Partial<TrainConfig> = {}): TrainConfig {
  return parseConfig({
    out,
    dataset: 'shapes(count=32)',
    model: 'mmdit(depth=1, patch=8)',
    textEncoder: 'small-text(dim=16, depth=1, heads=2, length=12)',
    batchSize: 2,
    maxSteps: 4,
    warmupSteps: 1,
    logEvery: 1,
    checkpointEvery: 2,
    sampleEvery: 1000,
    sampleSteps: 1,
    samplePrompts: ['a large red circle in the center'],
    evalEvery: 0,
    evalSeeds: 0,
    ...extra,
  });
}

async function train(config: TrainConfig, lines: string[] = [], onStep?: (step: number) => void) {
  const given = config.resume ? { out: config.out, resume: true, maxSteps: config.maxSteps } : undefined;
  const trainer = await Trainer.create(config, { log: (l) => lines.push(l), stream, onStep }, given);
  try {
    return await trainer.run();
  } finally {
    trainer.dispose();
  }
}

function latestBytes(runDir: string): Buffer {
  const { dir } = JSON.parse(readFileSync(join(runDir, 'checkpoints', 'latest.json'), 'utf8')) as { dir: string };
  return Buffer.concat(
    ['model', 'ema', 'text-encoder', 'text-encoder-ema', 'optimizer'].map((f) =>
      readFileSync(join(runDir, 'checkpoints', dir, `${f}.safetensors`)),
    ),
  );
}

describe('recovery', () => {
  it('resumes after a torn metrics.jsonl line (disk full mid-append) and repairs the file', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rectiflow-torn-')), 'run');
    await train(tinyConfig(out));
    appendFileSync(join(out, 'metrics.jsonl'), '{"step":5,"loss":0.3');
    const lines: string[] = [];
    const result = await train(tinyConfig(out, { resume: true, maxSteps: 6 }), lines);
    expect(result.steps).toBe(6);
    expect(lines.join('\n')).toMatch(/metrics.jsonl: dropped 1 unreadable \(torn\) line\(s\); the file is repaired/);
    const steps = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).step);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('falls back from a damaged latest checkpoint and still ends bit-identical to an uninterrupted run', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rectiflow-fallback-'));
    await train(tinyConfig(join(root, 'a'), { maxSteps: 6 }));
    await train(tinyConfig(join(root, 'b'), { maxSteps: 4 }));
    truncateSync(join(root, 'b', 'checkpoints', 'step-0000004', 'optimizer.safetensors'), 64);
    const lines: string[] = [];
    const result = await train(tinyConfig(join(root, 'b'), { resume: true, maxSteps: 6 }), lines);
    expect(lines.join('\n')).toMatch(
      /checkpoint: skipping damaged step-0000004: optimizer.safetensors has 64 bytes.*; using step-0000002 \(step 2\)/,
    );
    expect(lines.join('\n')).toMatch(/resumed .* at step 2/);
    expect(result.steps).toBe(6);
    expect(latestBytes(join(root, 'b')).equals(latestBytes(join(root, 'a')))).toBe(true);
  });

  it('a full disk while appending metrics: one-line error naming the good checkpoint', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rectiflow-enospc-')), 'run');
    const error = await train(tinyConfig(out), [], (step) => {
      if (step === 3) {
        rmSync(join(out, 'metrics.jsonl'));
        symlinkSync('/dev/full', join(out, 'metrics.jsonl'));
      }
    }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(
      /^metrics.jsonl: cannot append the record of step 3 \(ENOSPC: no space left on device.*\); the last good checkpoint is .*step-0000002 \(step 2\)$/,
    );
    expect(existsSync(join(out, 'checkpoints', 'step-0000002', 'manifest.json'))).toBe(true);
  });

  it('a full disk during a checkpoint: one-line error naming the checkpoint that is still good, no debris', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rectiflow-enospc-')), 'run');
    const error = await train(tinyConfig(out), [], (step) => {
      // latest.json is written through a temporary file: make that write hit a full disk.
      if (step === 3) symlinkSync('/dev/full', join(out, 'checkpoints', `latest.json.tmp-${process.pid}`));
    }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(
      /^checkpoint of step 4 could not be written \(ENOSPC: no space left on device.*\); the last good checkpoint is .*step-0000002 \(step 2\)$/,
    );
    expect(existsSync(join(out, 'checkpoints', `latest.json.tmp-${process.pid}`))).toBe(false);
    expect(JSON.parse(readFileSync(join(out, 'checkpoints', 'latest.json'), 'utf8')).step).toBe(2);
  });

  it('resuming a finished run says so and prints no NaN loss', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rectiflow-done-')), 'run');
    await train(tinyConfig(out));
    const lines: string[] = [];
    const result = await train(tinyConfig(out, { resume: true }), lines);
    expect(result.steps).toBe(4);
    expect(lines.join('\n')).toMatch(/the run is already at step 4 \(maxSteps 4\); nothing to train/);
    expect(lines.join('\n')).not.toMatch(/NaN/);
  });
});
