import { readFileSync } from 'node:fs';
import { createRng, tf, ValidationError, WeightMismatchError } from '@rectiflow/core';
import { expectClose, fixturePath } from '@rectiflow/core/testing';
import { addPrefix, readTensors, serializeSafetensors } from '@rectiflow/safetensors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSD3VAE } from './load-sd3-vae';
import { createRandomSD3VAE } from './random-sd3-vae';
import { SD3VAE } from './sd3-vae';
import { SD3_VAE_CONFIG, sd3VaeWeightShapes } from './sd3-vae-config';

const TINY = { ch: 32, chMult: [1, 2], numResBlocks: 1, imageChannels: 3, latentChannels: 16 };
let weights: Map<string, tf.Tensor>;
let io: Map<string, tf.Tensor>;

beforeAll(async () => {
  weights = await readTensors(fixturePath('vae_tiny.safetensors'));
  io = await readTensors(fixturePath('vae_tiny_io.safetensors'));
});
afterAll(() => tf.dispose([...weights.values(), ...io.values()]));

function mismatch(fn: () => unknown): WeightMismatchError {
  try {
    fn();
  } catch (e) {
    if (e instanceof WeightMismatchError) return e;
    throw e;
  }
  throw new Error('expected a WeightMismatchError');
}

describe('the official key layout', () => {
  it('has the 120 tensors of the fixture for the tiny configuration', () => {
    const shapes = sd3VaeWeightShapes(TINY);
    expect(shapes.size).toBe(120);
    for (const [key, shape] of shapes) expect(weights.get(key)?.shape, key).toEqual(shape);
  });

  it('puts the channel-changing shortcuts where the fixture README says', () => {
    const shortcuts = [...sd3VaeWeightShapes(TINY).keys()].filter((k) => k.endsWith('nin_shortcut.weight'));
    expect(shortcuts).toEqual(['encoder.down.1.block.0.nin_shortcut.weight', 'decoder.up.0.block.0.nin_shortcut.weight']);
  });
});

describe('loadSD3VAE', () => {
  it('loads bytes with the first_stage_model. prefix and other model tensors beside it', async () => {
    const extra = tf.zeros([2, 2]);
    const bytes = await serializeSafetensors(
      new Map([...addPrefix(weights, 'first_stage_model.'), ['model.diffusion_model.pos_embed', extra]]),
    );
    extra.dispose();
    const vae = await loadSD3VAE(bytes);
    try {
      expect(vae.config).toEqual(TINY);
      tf.tidy(() => {
        expectClose(vae.decodeRaw(io.get('decoder_in') as tf.Tensor4D), io.get('decoder_out') as tf.Tensor4D, { atol: 1e-4, rtol: 0 });
      });
    } finally {
      vae.dispose();
    }
  });

  it('loads a decoder-only file; encoding then fails with a clear error', async () => {
    const decoderOnly = new Map([...weights].filter(([k]) => k.startsWith('decoder.')));
    const vae = await loadSD3VAE(decoderOnly);
    try {
      expect(vae.parts).toEqual({ encoder: false, decoder: true });
      expect(vae.config.chMult).toEqual([1, 2]);
      tf.tidy(() => {
        expectClose(vae.decodeRaw(io.get('decoder_in') as tf.Tensor4D), io.get('decoder_out') as tf.Tensor4D, { atol: 1e-4, rtol: 0 });
      });
      expect(() => vae.encode(io.get('image') as tf.Tensor4D, createRng(0))).toThrow(/loaded without its encoder, so it cannot encode/);
    } finally {
      vae.dispose();
    }
  });

  it('names a misshaped tensor with the expected and the found shape', () => {
    const bad = new Map(weights);
    const wrong = tf.zeros([32, 16, 1, 1]);
    bad.set('encoder.mid.attn_1.q.weight', wrong);
    const e = mismatch(() => new SD3VAE(TINY, bad));
    wrong.dispose();
    expect(e.problems).toEqual([{ key: 'encoder.mid.attn_1.q.weight', problem: 'shape', expected: [64, 64, 1, 1], found: [32, 16, 1, 1] }]);
    expect(e.message).toMatch(/"encoder\.mid\.attn_1\.q\.weight" has shape \[32, 16, 1, 1\]; expected \[64, 64, 1, 1\]/);
  });

  it('names missing and unexpected tensors, and the configuration it checked against', async () => {
    const bad = new Map(weights);
    bad.delete('decoder.up.1.upsample.conv.bias');
    bad.set('decoder.up.1.attn.0.norm.weight', weights.get('decoder.norm_out.weight') as tf.Tensor);
    const e = mismatch(() => new SD3VAE(TINY, bad));
    expect(e.problems.map((p) => [p.key, p.problem])).toEqual([
      ['decoder.up.1.upsample.conv.bias', 'missing'],
      ['decoder.up.1.attn.0.norm.weight', 'unexpected'],
    ]);
    expect(e.message).toMatch(/^SD3 VAE \(ch=32, chMult=\[1, 2\], numResBlocks=1/);
    // A full-size configuration given explicitly does not fit the tiny weights.
    await expect(loadSD3VAE(weights, { config: SD3_VAE_CONFIG })).rejects.toThrow(
      /"encoder\.conv_in\.weight" has shape \[32, 3, 3, 3\]; expected \[128, 3, 3, 3\]/,
    );
  });

  it('names a tensor that the configuration is read from when it is missing', async () => {
    const truncated = new Map([...weights].filter(([k]) => k !== 'encoder.down.1.block.0.conv1.weight'));
    await expect(loadSD3VAE(truncated)).rejects.toThrow(/"encoder\.down\.1\.block\.0\.conv1\.weight" is missing/);
  });

  it('fails clearly on a file that holds no VAE', async () => {
    const other = tf.zeros([1]);
    const bytes = await serializeSafetensors({ 'model.diffusion_model.x': other });
    other.dispose();
    await expect(loadSD3VAE(bytes)).rejects.toThrow(/"first_stage_model\.decoder\.conv_in\.weight" is missing/);
  });

  it('loads the bytes of a file read by the caller', async () => {
    const fromBytes = await loadSD3VAE(new Uint8Array(readFileSync(fixturePath('vae_tiny.safetensors'))));
    expect(fromBytes.config).toEqual(TINY);
    fromBytes.dispose();
  });
});

describe('bad input', () => {
  let vae: SD3VAE;
  beforeAll(() => {
    vae = createRandomSD3VAE(TINY, { seed: 3 });
  });
  afterAll(() => vae.dispose());

  it('rejects a wrong channel count, with a hint for NHWC tensors', () => {
    const nhwc = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
    expect(() => vae.encode(nhwc, createRng(0))).toThrow(ValidationError);
    expect(() => vae.encode(nhwc, createRng(0))).toThrow(
      /images\.shape: got \[1, 8, 8, 3\]; expected 3 channels in dimension 1.*looks NHWC/,
    );
    const z = tf.zeros([1, 4, 4, 4]) as tf.Tensor4D;
    expect(() => vae.decode(z)).toThrow(/latents\.shape: got \[1, 4, 4, 4\]; expected 16 channels/);
    tf.dispose([nhwc, z]);
  });

  it('rejects odd sizes and other ranks', () => {
    const odd = tf.zeros([1, 3, 9, 8]) as tf.Tensor4D;
    expect(() => vae.encode(odd, createRng(0))).toThrow(/height and width that are positive multiples of 2; got 9x8: crop or pad to 10x8/);
    const rank3 = tf.zeros([3, 8, 8]) as unknown as tf.Tensor4D;
    expect(() => vae.encode(rank3, createRng(0))).toThrow(/images\.shape: got \[3, 8, 8\]; expected a rank-4 NCHW tensor/);
    tf.dispose([odd, rank3]);
  });

  it('rejects a configuration GroupNorm(32) cannot normalise', () => {
    expect(() => createRandomSD3VAE({ ...TINY, ch: 48 })).toThrow(/config\.ch: got 48; expected a multiple of 32/);
  });

  it('a random VAE encodes and decodes with the right shapes', () => {
    tf.tidy(() => {
      const images = tf.zeros([2, 3, 8, 12]) as tf.Tensor4D;
      const { mean, sample } = vae.encode(images, createRng(1));
      expect(mean.shape).toEqual([2, 16, 4, 6]);
      expect(vae.decode(sample).shape).toEqual([2, 3, 8, 12]);
    });
  });
});
