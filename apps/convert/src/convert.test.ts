import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSD3VAE } from '@rectiflow/autoencoders';
import { createRng, tf } from '@rectiflow/core';
import { fixturePath } from '@rectiflow/core/testing';
import { loadMMDiT, type MMDiT } from '@rectiflow/mmdit';
import { readSafetensors, readTensors, writeSafetensors } from '@rectiflow/safetensors';
import { describe, expect, it } from 'vitest';
import { convert } from './convert';

const tmp = () => mkdtempSync(join(tmpdir(), 'rectiflow-convert-'));
const bundledRun = new URL('../../sample/models/shapes-mmdit-d2', import.meta.url).pathname;

function sameWeights(a: MMDiT, b: MMDiT, atol = 0): void {
  const sa = a.stateDict();
  const sb = b.stateDict();
  expect([...sb.keys()].sort()).toEqual([...sa.keys()].sort());
  for (const [k, t] of sa) {
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(t, sb.get(k) as tf.Tensor))).dataSync()[0]);
    expect(diff, k).toBeLessThanOrEqual(
      atol *
        Math.max(
          1,
          tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]),
        ),
    );
  }
  tf.dispose([...sa.values(), ...sb.values()]);
}

/** An SD3-style single file: the tiny MM-DiT and the tiny VAE under their official prefixes. */
async function singleFile(): Promise<string> {
  const path = join(tmp(), 'sd3_tiny.safetensors');
  const all = new Map<string, tf.Tensor>();
  for (const [k, t] of await readTensors(fixturePath('mmdit_tiny.safetensors'))) all.set(`model.diffusion_model.${k}`, t);
  for (const [k, t] of await readTensors(fixturePath('vae_tiny.safetensors'))) all.set(`first_stage_model.${k}`, t);
  await writeSafetensors(path, all);
  tf.dispose([...all.values()]);
  return path;
}

describe('rectiflow-convert', () => {
  it('writes an SD3 single file as a diffusers folder (transformer and VAE) that loads back bit-identically', async () => {
    const input = await singleFile();
    const out = join(tmp(), 'diffusers');
    const before = tf.memory().numTensors;
    const result = await convert({ input, output: out, format: 'diffusers', dtype: 'float32' });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.vae).toBe(true);
    const config = JSON.parse(readFileSync(join(out, 'transformer', 'config.json'), 'utf8'));
    expect(config).toMatchObject({ _class_name: 'SD3Transformer2DModel', num_layers: 2, patch_size: 2, in_channels: 16 });
    const vaeConfig = JSON.parse(readFileSync(join(out, 'vae', 'config.json'), 'utf8'));
    expect(vaeConfig).toMatchObject({ _class_name: 'AutoencoderKL', latent_channels: 16, scaling_factor: 1.5305, shift_factor: 0.0609 });
    const keys = (await readSafetensors(join(out, 'transformer', 'diffusion_pytorch_model.safetensors'))).keys();
    expect(keys).toContain('transformer_blocks.0.attn.to_q.weight');

    const original = await loadMMDiT(input);
    const back = await loadMMDiT(out);
    sameWeights(original, back);
    const vaeA = await loadSD3VAE(input);
    const vaeB = await loadSD3VAE(out);
    const z = createRng(1).normal([1, 16, 4, 4]) as tf.Tensor4D;
    const [da, db] = [vaeA.decode(z), vaeB.decode(z)];
    expect([...db.dataSync()]).toEqual([...da.dataSync()]);
    tf.dispose([z, da, db]);
    for (const m of [original, back, vaeA, vaeB]) m.dispose();

    // And back to the official layout, in bfloat16: one file with both prefixes, within bf16 rounding.
    const official = join(tmp(), 'again.safetensors');
    await convert({ input: out, output: official, format: 'official', dtype: 'bfloat16' });
    const file = await readSafetensors(official);
    expect(file.info('model.diffusion_model.x_embedder.proj.weight').dtype).toBe('BF16');
    expect(file.keys().some((k) => k.startsWith('first_stage_model.decoder.'))).toBe(true);
    await file.close();
    const a = await loadMMDiT(input);
    const b = await loadMMDiT(official);
    sameWeights(a, b, 2 ** -8);
    a.dispose();
    b.dispose();
  });

  it('converts a Rectiflow run folder (its EMA weights) and refuses to overwrite or to guess', async () => {
    const out = join(tmp(), 'run.safetensors');
    const result = await convert({ input: bundledRun, output: out, format: 'official', dtype: 'float16' });
    expect(result.vae).toBe(false);
    const converted = await loadMMDiT(out);
    const ema = await loadMMDiT(join(bundledRun, 'ema.safetensors'));
    sameWeights(ema, converted, 2 ** -10);
    converted.dispose();
    ema.dispose();
    const folder = join(tmp(), 'run-diffusers');
    await convert({ input: bundledRun, output: folder, format: 'diffusers', dtype: 'float32' });
    expect(JSON.parse(readFileSync(join(folder, 'transformer', 'config.json'), 'utf8')).sample_size).toBe(32);
    await expect(convert({ input: bundledRun, output: out, format: 'official', dtype: 'float16' })).rejects.toThrow(
      /output: got ".*run\.safetensors"; expected a path that does not exist yet/,
    );
    await expect(
      convert({ input: bundledRun, output: join(tmp(), 'x.safetensors'), format: 'official', dtype: 'fp8' as never }),
    ).rejects.toThrow(/dtype: got "fp8"; expected float32, float16, bfloat16/);
    await expect(convert({ input: bundledRun, output: join(tmp(), 'x.bin'), format: 'official', dtype: 'float32' })).rejects.toThrow(
      /a \.safetensors file for the official layout/,
    );
  });
});
