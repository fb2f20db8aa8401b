import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '@rectiflow/core';
import { describe, expect, it } from 'vitest';
import { cleanStaleCheckpoints, listCheckpoints, openCheckpoint, saveCheckpoint } from './checkpoint-folder';
import { verifyCheckpoint } from './checkpoint-manifest';

describe('checkpoints', () => {
  it('save, point latest.json to the newest, keep the last two, and read back exactly', async () => {
    const run = mkdtempSync(join(tmpdir(), 'rectiflow-ckpt-'));
    for (const step of [10, 20, 30]) {
      const w = tf.fill([2, 2], step);
      await saveCheckpoint(run, { step, files: { model: new Map([['w', w]]) }, state: { step, note: 'x' } });
      w.dispose();
    }
    expect(readdirSync(join(run, 'checkpoints')).sort()).toEqual(['latest.json', 'step-0000020', 'step-0000030']);
    expect(readdirSync(join(run, 'checkpoints', 'step-0000030')).sort()).toEqual(['manifest.json', 'model.safetensors', 'state.json']);
    const ckpt = openCheckpoint<{ step: number; note: string }>(run);
    expect(ckpt.step).toBe(30);
    expect(ckpt.state.note).toBe('x');
    const file = await ckpt.open('model');
    expect([...((await file.read('w')) as Float32Array)]).toEqual([30, 30, 30, 30]);
    await file.close();
  });

  it('keeps the last good checkpoint when a save fails midway, and cleans the debris', async () => {
    const run = mkdtempSync(join(tmpdir(), 'rectiflow-ckpt-'));
    const w = tf.ones([3]);
    await saveCheckpoint(run, { step: 5, files: { model: new Map([['w', w]]) }, state: { step: 5 } });
    const disposed = tf.ones([1]);
    disposed.dispose();
    await expect(
      saveCheckpoint(run, { step: 6, files: { model: new Map([['w', w]]), ema: new Map([['w', disposed]]) }, state: { step: 6 } }),
    ).rejects.toThrow(/disposed/);
    expect(JSON.parse(readFileSync(join(run, 'checkpoints', 'latest.json'), 'utf8')).step).toBe(5);
    expect(openCheckpoint(run).step).toBe(5);
    expect(readdirSync(join(run, 'checkpoints')).some((d) => d.startsWith('.tmp-'))).toBe(true);
    cleanStaleCheckpoints(run);
    expect(readdirSync(join(run, 'checkpoints')).some((d) => d.startsWith('.tmp-'))).toBe(false);
    expect(existsSync(join(run, 'checkpoints', 'step-0000006'))).toBe(false);
    expect(() => openCheckpoint(join(run, 'nope'))).toThrow(/nope does not exist/);
    w.dispose();
  });

  it('replaces a checkpoint of the same step without leaving latest.json pointing at nothing', async () => {
    const run = mkdtempSync(join(tmpdir(), 'rectiflow-ckpt-'));
    for (const value of [1, 2]) {
      const w = tf.fill([2], value);
      await saveCheckpoint(run, { step: 7, files: { model: new Map([['w', w]]) }, state: { step: 7, value } });
      w.dispose();
    }
    expect(readdirSync(join(run, 'checkpoints')).sort()).toEqual(['latest.json', 'step-0000007']);
    expect(openCheckpoint<{ value: number }>(run).state.value).toBe(2);
  });
});

async function saveSteps(run: string, steps: number[]): Promise<void> {
  for (const step of steps) {
    const w = tf.fill([64], step);
    await saveCheckpoint(run, { step, files: { model: new Map([['w', w]]) }, state: { step } });
    w.dispose();
  }
}

describe('checkpoint order, pruning and verification', () => {
  it('orders by the step recorded inside, not by folder name (step 10,000,000 and later)', async () => {
    const run = mkdtempSync(join(tmpdir(), 'rectiflow-ckpt-'));
    await saveSteps(run, [9_999_990, 9_999_999, 10_000_000]);
    // Sorting names would keep step-9999999 and delete the new step-10000000.
    expect(readdirSync(join(run, 'checkpoints')).sort()).toEqual(['latest.json', 'step-10000000', 'step-9999999']);
    expect(listCheckpoints(join(run, 'checkpoints')).map((c) => c.step)).toEqual([10_000_000, 9_999_999]);
    expect(openCheckpoint(run).step).toBe(10_000_000);
  });

  it('never deletes the checkpoint it just wrote when older-named folders of later steps exist', async () => {
    const run = mkdtempSync(join(tmpdir(), 'rectiflow-ckpt-'));
    await saveSteps(run, [250, 300]);
    rmSync(join(run, 'checkpoints', 'latest.json'));
    await saveSteps(run, [50, 60]);
    expect(readdirSync(join(run, 'checkpoints')).sort()).toEqual(['latest.json', 'step-0000050', 'step-0000060']);
  });

  it('prunes by renaming away first and reports every save phase in order', async () => {
    const run = mkdtempSync(join(tmpdir(), 'rectiflow-ckpt-'));
    await saveSteps(run, [1, 2]);
    const phases: string[] = [];
    const w = tf.ones([2]);
    await saveCheckpoint(run, { step: 3, files: { model: new Map([['w', w]]), ema: new Map([['w', w]]) }, state: { step: 3 } }, 2, (p) =>
      phases.push(p),
    );
    w.dispose();
    expect(phases).toEqual(['tmp-file', 'tmp-file', 'manifest', 'renamed', 'latest', 'prune-renamed', 'pruned']);
    // A kill between the two leaves a .del- folder, which the next start removes.
    mkdirSync(join(run, 'checkpoints', `.del-step-0000001-1`));
    cleanStaleCheckpoints(run);
    expect(readdirSync(join(run, 'checkpoints')).sort()).toEqual(['latest.json', 'step-0000002', 'step-0000003']);
  });

  const damage: Array<[string, (dir: string) => void, RegExp]> = [
    ['truncated', (d) => truncateSync(join(d, 'model.safetensors'), 100), /model.safetensors has 100 bytes, the manifest says \d+/],
    [
      'zero-filled',
      (d) => writeFileSync(join(d, 'model.safetensors'), Buffer.alloc(statSync(join(d, 'model.safetensors')).size)),
      /model.safetensors does not match its checksum/,
    ],
    ['partly deleted', (d) => rmSync(join(d, 'model.safetensors')), /model.safetensors is missing/],
    ['manifest deleted, state.json gone', (d) => rmSync(join(d, 'state.json')), /state.json is missing/],
    ['bad state.json', (d) => writeFileSync(join(d, 'state.json'), '{"step": 4'), /state.json (is missing|does not match|has)/],
  ];
  for (const [what, harm, reason] of damage) {
    it(`falls back from a ${what} latest checkpoint to the previous one, saying why`, async () => {
      const run = mkdtempSync(join(tmpdir(), 'rectiflow-ckpt-'));
      await saveSteps(run, [4, 6]);
      harm(join(run, 'checkpoints', 'step-0000006'));
      const lines: string[] = [];
      const ckpt = openCheckpoint(run, {}, (l) => lines.push(l));
      expect(ckpt.step).toBe(4);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^checkpoint: skipping damaged step-0000006: .*; using step-0000004 \(step 4\)$/);
      expect(lines[0]).toMatch(reason);
      // Given directly, a damaged checkpoint is refused with the reason, in one line.
      expect(() => openCheckpoint(join(run, 'checkpoints', 'step-0000006'))).toThrow(/^checkpoint: .*step-0000006 is damaged: /);
    });
  }

  it('state.json of {} and a bad latest.json: a one-line error or the newest valid checkpoint', async () => {
    const run = mkdtempSync(join(tmpdir(), 'rectiflow-ckpt-'));
    await saveSteps(run, [4]);
    writeFileSync(join(run, 'checkpoints', 'latest.json'), '{not json');
    const lines: string[] = [];
    expect(openCheckpoint(run, {}, (l) => lines.push(l)).step).toBe(4);
    expect(lines[0]).toMatch(/latest.json is not valid JSON .*; using the newest valid checkpoint step-0000004/);
    const dir = join(run, 'checkpoints', 'step-0000004');
    writeFileSync(join(dir, 'state.json'), '{}');
    rmSync(join(dir, 'manifest.json'));
    expect(verifyCheckpoint(dir)).toBe('state.json has no step');
    expect(() => openCheckpoint(run)).toThrow(/^checkpoint: no valid checkpoint in .* \(step-0000004: state.json has no step\)$/);
  });
});
