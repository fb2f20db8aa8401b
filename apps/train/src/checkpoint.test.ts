import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '@rectiflow/core';
import { describe, expect, it } from 'vitest';
import { cleanStaleCheckpoints, openCheckpoint, saveCheckpoint } from './checkpoint';

describe('checkpoints', () => {
  it('save, point latest.json to the newest, keep the last two, and read back exactly', async () => {
    const run = mkdtempSync(join(tmpdir(), 'rectiflow-ckpt-'));
    for (const step of [10, 20, 30]) {
      const w = tf.fill([2, 2], step);
      await saveCheckpoint(run, { step, files: { model: new Map([['w', w]]) }, state: { step, note: 'x' } });
      w.dispose();
    }
    expect(readdirSync(join(run, 'checkpoints')).sort()).toEqual(['latest.json', 'step-0000020', 'step-0000030']);
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
    expect(() => openCheckpoint(join(run, 'nope'))).toThrow(/no state.json/);
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
