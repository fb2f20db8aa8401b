import { readFileSync } from 'node:fs';
import { tf } from '@rectiflow/core';
import { fixturePath } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { DTYPE_SIZES, type Dtype } from './dtypes';
import { readSafetensors } from './reader';
import { goldenFixtures } from './test-helpers';
import { serializeSafetensors } from './writer';

const files = [...goldenFixtures().keys()];

/** An independent, minimal reader: JSON.parse and DataView, no validation. */
function naiveSums(bytes: Uint8Array): Map<string, number> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  const sums = new Map<string, number>();
  for (const [key, e] of Object.entries<{ dtype: Dtype; data_offsets: [number, number] }>(header)) {
    if (key === '__metadata__') continue;
    let sum = 0;
    const size = DTYPE_SIZES[e.dtype];
    for (let at = 8 + n + e.data_offsets[0]; at < 8 + n + e.data_offsets[1]; at += size) {
      sum += e.dtype === 'F32' ? view.getFloat32(at, true) : Number(view.getBigInt64(at, true));
    }
    sums.set(key, sum);
  }
  return sums;
}

describe('the golden SD3 fixtures', () => {
  it('are all present', () => {
    expect(files.sort()).toEqual([
      'mmdit_tiny.safetensors',
      'mmdit_tiny_intermediates.safetensors',
      'mmdit_tiny_io.safetensors',
      'sample_dpmpp_2m_tiny.safetensors',
      'sample_euler_tiny.safetensors',
      'text_encoders_tiny_clip_g.safetensors',
      'text_encoders_tiny_clip_l.safetensors',
      'text_encoders_tiny_io.safetensors',
      'text_encoders_tiny_t5.safetensors',
      'vae_tiny.safetensors',
      'vae_tiny_io.safetensors',
    ]);
  });

  it.each(files)('%s reads correctly and re-serialises byte for byte', async (name) => {
    const bytes = new Uint8Array(readFileSync(fixturePath(name)));
    const file = await readSafetensors(fixturePath(name));
    try {
      const sums = naiveSums(bytes);
      expect(file.keys().sort()).toEqual([...sums.keys()].sort());
      const raw = new Map<string, { dtype: Dtype; shape: number[]; data: Float32Array | BigInt64Array }>();
      for (const key of file.keys()) {
        const info = file.info(key);
        const data = (await file.read(key)) as Float32Array | BigInt64Array;
        expect(data.length).toBe(info.shape.reduce((a, b) => a * b, 1));
        let sum = 0;
        for (const v of data) sum += Number(v);
        expect(sum).toBe(sums.get(key));
        raw.set(key, { dtype: info.dtype, shape: info.shape, data });
      }
      const again = await serializeSafetensors(raw, Object.keys(file.metadata).length ? { ...file.metadata } : undefined);
      expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
    } finally {
      await file.close();
    }
  });

  it('exposes the values the fixture README documents', async () => {
    const weights = await readSafetensors(fixturePath('mmdit_tiny.safetensors'));
    expect(weights.keys()).toHaveLength(59);
    expect(weights.info('pos_embed')).toMatchObject({ dtype: 'F32', shape: [1, 256, 128] });
    expect(weights.info('joint_blocks.1.context_block.adaLN_modulation.1.weight').shape).toEqual([256, 128]);
    expect(weights.metadata.format).toBe('pt');
    await weights.close();

    const io = await readSafetensors(fixturePath('mmdit_tiny_io.safetensors'));
    const t = await io.tensor('t');
    expect([...t.dataSync()]).toEqual([300, 850]);
    t.dispose();
    await io.close();

    const euler = await readSafetensors(fixturePath('sample_euler_tiny.safetensors'));
    const sigmas = (await euler.read('sigmas')) as Float32Array;
    expect(sigmas).toHaveLength(9);
    expect(sigmas[0]).toBe(1);
    expect(sigmas[7]).toBeCloseTo(0.0089286, 6);
    expect(sigmas[8]).toBe(0);
    await euler.close();

    const text = await readSafetensors(fixturePath('text_encoders_tiny_io.safetensors'));
    expect(text.info('clip_l.tokens').dtype).toBe('I64');
    const tokens = await text.tensor('clip_l.tokens');
    expect(tokens.dtype).toBe('int32');
    expect(tokens.shape).toEqual([2, 77]);
    const ids = tokens.dataSync();
    expect(ids[0]).toBe(998); // start token
    expect(Math.max(...ids)).toBe(999);
    tokens.dispose();
    await text.close();
  });

  it('filters by key prefix and strips it, reading only what is asked for', async () => {
    const file = await readSafetensors(fixturePath('vae_tiny.safetensors'), { prefix: 'decoder.', stripPrefix: true });
    expect(file.keys().every((k) => !k.startsWith('decoder.') && !k.startsWith('encoder.'))).toBe(true);
    expect(file.has('conv_in.weight')).toBe(true);
    expect(file.has('decoder.conv_in.weight')).toBe(false);
    const w = await file.tensor('conv_in.weight');
    expect(w.shape[1]).toBe(16);
    expect(() => file.info('encoder.conv_in.weight')).toThrow(/no tensor "encoder.conv_in.weight"/);
    const before = tf.memory().numTensors;
    const all = await file.tensors();
    expect(all.size).toBe(file.keys().length);
    tf.dispose([...all.values(), w]);
    expect(tf.memory().numTensors).toBe(before - 1);
    await file.close();
  });
});
