import { tf, WeightMismatchError } from '@rectiflow/core';
import { serializeSafetensors } from '@rectiflow/safetensors';
import { describe, expect, it } from 'vitest';
import { countLayers, openWeights } from './weight-reader';

describe('openWeights', () => {
  it('reads bytes, ArrayBuffers and tensors by key, with a prefix chosen by probe', async () => {
    const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const bytes = await serializeSafetensors({ 'te.layers.0.w': a, 'te.layers.1.w': a, 'te.layers.3.w': a });
    for (const input of [bytes, bytes.slice().buffer, { 'te.layers.0.w': a, 'te.layers.1.w': a, 'te.layers.3.w': a }]) {
      const r = await openWeights(input as Uint8Array, ['', 'te.'], 'layers.0.w');
      expect(r.prefix).toBe('te.');
      expect(r.shape('layers.1.w')).toEqual([2, 3]);
      expect(countLayers(r, 'layers.')).toBe(2);
      const t = await r.tensor('layers.0.w', [2, null]);
      expect(t.arraySync()).toEqual(a.arraySync());
      t.dispose();
      await r.close();
    }
    a.dispose();
  });

  it('names the key and the expected and found shapes', async () => {
    const a = tf.zeros([2, 3]);
    const r = await openWeights(new Map([['model.w', a]]), 'model.');
    await expect(r.tensor('w', [3, 2])).rejects.toThrow(WeightMismatchError);
    await expect(r.tensor('w', [3, 2])).rejects.toThrow('<tensors>: 1 weight problem(s): "model.w" has shape [2, 3]; expected [3, 2]');
    await expect(r.tensor('w', [null, 2])).rejects.toThrow('"model.w" has shape [2, 3]; expected [*, 2]');
    expect(() => r.shape('v')).toThrow(/"model\.v": is missing/);
    const bare = await openWeights({ w: a });
    expect(() => bare.shape('x.w')).toThrow(/"x\.w": is missing/);
    await expect(openWeights({ w: a }, ['a.', 'b.'], 'w')).rejects.toThrow(/not under any of the prefixes \["a\.", "b\."\]/);
    await expect(openWeights(42 as never)).rejects.toThrow(/weights: got 42/);
    a.dispose();
  });
});
