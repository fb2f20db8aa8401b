import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '@rectiflow/core';
import { readSafetensors } from '@rectiflow/safetensors';
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
    evalEvery: 0,
    evalSeeds: 0,
    ...extra,
  });
}

/** Train `config` to its end, recording each step's loss and the live tensor count. */
async function trainRecording(config: TrainConfig) {
  const losses: number[] = [];
  const counts: number[] = [];
  const trainer = await Trainer.create(config, {
    ...quiet,
    onStep: (_, loss) => {
      losses.push(loss);
      counts.push(tf.memory().numTensors);
    },
  });
  const result = await trainer.run();
  trainer.dispose();
  return { result, losses, counts };
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
    const { result, losses, counts } = await trainRecording(tinyConfig(out, { evalEvery: 4, evalSeeds: 1 }));
    expect(result.steps).toBe(6);
    expect(result.stoppedBy).toBe('steps');
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(new Set(counts.slice(1)).size).toBe(1); // flat over steps
    expect(tf.memory().numTensors).toBe(before);
    const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(metrics.filter((m) => !m.type).map((m) => m.step)).toEqual([2, 4, 6]);
    expect(metrics[0].lossByDecile).toHaveLength(10);
    // Scheduled evaluations (every 4 steps, one seed) and the final one, in metrics.jsonl and the report.
    const evals = metrics.filter((m) => m.type === 'eval');
    expect(evals.map((m) => m.step)).toEqual([4, 6]);
    for (const e of evals) {
      expect(e.adherence.one.images).toBe(54);
      expect(e.adherence.two.images).toBe(72);
      expect(e.validation.byDecile).toHaveLength(10);
      expect(e.validation.byDecile.every(Number.isFinite)).toBe(true);
    }
    expect(result.evaluation?.step).toBe(6);
    expect(readFileSync(result.report, 'utf8')).toContain('Position confusion');
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

  it('resumes with the saved configuration, refusing changes to options fixed at the start', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rectiflow-resume-cfg-'));
    const out = join(root, 'run');
    const first = await Trainer.create(tinyConfig(out, { maxSteps: 2, lr: 1e-3 }), quiet);
    await first.run();
    first.dispose();
    // Only --out and --resume given: everything else comes from the run (model, lr, batch...).
    const given = { out, resume: true, maxSteps: 4 };
    const second = await Trainer.create(parseConfig(given), quiet, given);
    expect(second.config.lr).toBe(1e-3);
    expect(second.config.model).toBe('mmdit(depth=1, patch=8, qkNorm=true)');
    expect((await second.run()).steps).toBe(4);
    second.dispose();
    const changed = { out, resume: true, batchSize: 8 };
    await expect(Trainer.create(parseConfig(changed), quiet, changed)).rejects.toThrow(
      /resume: batchSize was 4 in this run and cannot change to 8/,
    );
  });

  it('keeps keepCheckpoints (--checkpoints-total-limit) checkpoints, deleting the oldest, never the latest', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rectiflow-keep-')), 'run');
    const trainer = await Trainer.create(tinyConfig(out, { maxSteps: 12, checkpointEvery: 3, keepCheckpoints: 3 }), quiet);
    await trainer.run();
    trainer.dispose();
    const dirs = readdirSync(join(out, 'checkpoints')).filter((d) => d.startsWith('step-'));
    expect(dirs.sort()).toEqual(['step-0000006', 'step-0000009', 'step-0000012']);
    expect(JSON.parse(readFileSync(join(out, 'checkpoints', 'latest.json'), 'utf8')).dir).toBe('step-0000012');
  });

  it('shows a progress percentage that never goes backwards, and not 100% after a stop by signal', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rectiflow-progress-')), 'run');
    const lines: string[] = [];
    let steps = 0;
    const trainer = await Trainer.create(tinyConfig(out, { maxSteps: 100, logEvery: 1, checkpointEvery: 100 }), {
      log: (l) => lines.push(l),
      stream: { isTTY: false, write: (s: string) => lines.push(s) },
      onStep: () => steps++,
      shouldStop: () => steps >= 4,
    });
    const result = await trainer.run();
    trainer.dispose();
    expect(result.stoppedBy).toBe('signal');
    expect(result.steps).toBe(4);
    const percents = lines.flatMap((l) => [...l.matchAll(/(\d+)% \| step/g)].map((m) => Number(m[1])));
    expect(percents.length).toBeGreaterThanOrEqual(5); // one line per step and the final line
    expect(percents.every((p, i) => i === 0 || p >= percents[i - 1])).toBe(true);
    // 4 of 100 steps in a 5-minute budget: the final line reports what was used, not 100%.
    expect(percents[percents.length - 1]).toBeLessThan(100);
    expect(percents[percents.length - 1]).toBeGreaterThanOrEqual(4);
  });

  it('accumulates the gradients of accumulationSteps micro-batches into one optimizer step, without leaking tensors', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rectiflow-accumulate-'));
    const loaderAt = async (k: number) => {
      const out = join(root, `k${k}`);
      const before = tf.memory().numTensors;
      const { result, losses, counts } = await trainRecording(tinyConfig(out, { maxSteps: 3, checkpointEvery: 3, accumulationSteps: k }));
      expect(result.steps).toBe(3);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(new Set(counts).size).toBe(1);
      expect(tf.memory().numTensors).toBe(before);
      const state = JSON.parse(readFileSync(join(out, 'checkpoints', 'step-0000003', 'state.json'), 'utf8'));
      return state.optimizerStep === 3 ? state.loader.position : Number.NaN;
    };
    // Three optimizer steps either way; with k = 3 each reads three batches of 4 images.
    expect(await loaderAt(3)).toBe(3 * (await loaderAt(1)));
  });

  it('an accumulated step sees the same micro-batches, noise and loss as that many plain steps (loss = their mean)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rectiflow-accumulate-mean-'));
    // A learning rate too small to move float32 weights, so the plain steps share the weights.
    const base = { lr: 1e-30, weightDecay: 0, maxSteps: 10 };
    const plain = await Trainer.create(tinyConfig(join(root, 'plain'), base), quiet);
    const accumulated = await Trainer.create(tinyConfig(join(root, 'acc'), { ...base, accumulationSteps: 2 }), quiet);
    const a = plain.trainStep().loss;
    const b = plain.trainStep().loss;
    const both = accumulated.trainStep().loss;
    plain.dispose();
    accumulated.dispose();
    expect(a).not.toBeCloseTo(b, 6);
    expect(both).toBeCloseTo((a + b) / 2, 6);
  });

  it('refuses a shift the formulation cannot take, and cosine decay without maxSteps', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rectiflow-shift-')), 'run');
    await expect(Trainer.create(tinyConfig(out, { formulation: 'eps/linear', shift: 3 }), quiet)).rejects.toThrow(
      /shift: got 3; the formulation eps\/linear has no shift parameter/,
    );
    expect(() => parseConfig({ lrDecay: 'cosine' })).toThrow(/lrDecay: .*cosine decay needs maxSteps/);
  });

  it('skip restores the last finite weights after a divergence, so no broken weights reach a checkpoint', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rectiflow-skip-'));
    const lines: string[] = [];
    const trainer = await Trainer.create(tinyConfig(join(root, 'skip'), { onNonFinite: 'skip', maxSteps: 9, checkpointEvery: 3 }), {
      ...quiet,
      log: (l) => lines.push(l),
    });
    const originalStep = trainer.trainStep.bind(trainer);
    let poisoned = false;
    trainer.trainStep = () => {
      if (trainer.currentStep === 4 && !poisoned) {
        // Diverged weights: huge but finite, so only the loss shows it.
        poisoned = true;
        for (const p of trainer.parameters().values()) p.assign(tf.fill(p.shape, 1e30));
      }
      return originalStep();
    };
    const result = await trainer.run();
    trainer.dispose();
    expect(result.stoppedBy).toBe('steps');
    expect(lines.join('\n')).toMatch(
      /step 5: non-finite .*step skipped \(1 so far\), weights, optimizer state and EMA restored from step 3/,
    );
    // Every checkpoint kept holds the restored (good) weights, none of the diverged ones.
    for (const step of ['0000006', '0000009']) {
      const file = await readSafetensors(join(root, 'skip', 'checkpoints', `step-${step}`, 'model.safetensors'));
      for (const name of file.keys()) {
        const values = (await file.read(name)) as Float32Array;
        expect(values.every((v) => Number.isFinite(v) && Math.abs(v) < 1e10)).toBe(true);
      }
      await file.close();
    }
  });

  it('skip stops when non-finite steps persist, never saving broken weights', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rectiflow-skip-'));
    const lines: string[] = [];
    const trainer = await Trainer.create(tinyConfig(join(root, 'skip'), { onNonFinite: 'skip', maxSteps: 40, checkpointEvery: 3 }), {
      ...quiet,
      log: (l) => lines.push(l),
    });
    const originalStep = trainer.trainStep.bind(trainer);
    trainer.trainStep = () => {
      if (trainer.currentStep >= 4) {
        const [first] = trainer.parameters().values();
        first.assign(tf.fill(first.shape, Number.NaN));
      }
      return originalStep();
    };
    const result = await trainer.run();
    trainer.dispose();
    expect(result.stoppedBy).toBe('non-finite');
    expect(lines.filter((l) => /step skipped/.test(l)).length).toBe(19);
    expect(result.stopMessage).toMatch(
      /^stopped at step 24: non-finite .*20 steps in a row; the last good checkpoint is .*step-0000003 \(step 3\)$/,
    );
    expect(JSON.parse(readFileSync(join(root, 'skip', 'checkpoints', 'latest.json'), 'utf8')).step).toBe(3);
    expect(result.checkpoint).toBe(join(root, 'skip', 'checkpoints', 'step-0000003'));
  });

  it('stops on a non-finite loss naming the step and keeps the last good checkpoint', async () => {
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
    expect(result.stopMessage).toMatch(
      /^stopped at step 5: non-finite loss or gradient \(.*NaN.*\); the last good checkpoint is .*step-0000003 \(step 3\)$/,
    );
    expect(existsSync(result.checkpoint)).toBe(true);
    expect(JSON.parse(readFileSync(join(root, 'stop', 'checkpoints', 'latest.json'), 'utf8')).step).toBe(3);
  });
});
