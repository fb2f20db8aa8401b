import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '@rectiflow/core';
import { expectClose } from '@rectiflow/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { makeGrid } from './grid';
import { readPng, readPngs, writePng } from './png-file';

const dir = mkdtempSync(join(tmpdir(), 'rectiflow-png-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PNG files', () => {
  it('writes a sample sheet and reads it back', async () => {
    const images = tf.tidy(() => tf.sign(tf.linspace(-1, 1, 2 * 3 * 4 * 4).sub(0.001)).reshape([2, 3, 4, 4]) as tf.Tensor4D);
    const sheet = makeGrid(images, { padding: 1 });
    const path = join(dir, 'sheets', 'grid.png');
    await writePng(path, sheet);
    expect([...readFileSync(path).subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
    const back = await readPng(path);
    expectClose(back, sheet, { atol: 1e-6, rtol: 0 });
    const both = await readPngs([path, path], { channels: 1 });
    expect(both.shape).toEqual([2, 1, 6, 11]);
    tf.dispose([images, sheet, back, both]);
  });
});
