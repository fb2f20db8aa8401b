import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, tf } from '@rectiflow/core';
import { fixturePath } from '@rectiflow/core/testing';
import { readTensors, writeSafetensors } from '@rectiflow/safetensors';
import { describe, expect, it } from 'vitest';
import { diffusersVaeToOfficial, isDiffusersVaeLayout, officialVaeToDiffusers } from './diffusers-vae-keys';
import { loadSD3VAE } from './load-sd3-vae';

describe("diffusers' AutoencoderKL layout", () => {
  it('round-trips the SD3 VAE keys, and a diffusers folder decodes bit-identically to the official file', async () => {
    const official = await readTensors(fixturePath('vae_tiny.safetensors'));
    const diffusers = officialVaeToDiffusers(official);
    expect(isDiffusersVaeLayout(diffusers.keys())).toBe(true);
    expect(isDiffusersVaeLayout(official.keys())).toBe(false);
    // The decoder's levels run in reverse; attention projections become linear [C, C].
    expect(diffusers.has('decoder.up_blocks.0.resnets.0.conv1.weight')).toBe(true);
    expect(diffusers.has('decoder.mid_block.attentions.0.to_out.0.weight')).toBe(true);
    expect(diffusers.get('encoder.mid_block.attentions.0.to_q.weight')?.rank).toBe(2);
    const levels = [...official.keys()].filter((k) => /^decoder\.up\.\d+\.block\.0\.conv1\.weight$/.test(k)).length;
    expect(diffusers.get('decoder.up_blocks.0.resnets.0.conv1.weight')?.shape).toEqual(
      official.get(`decoder.up.${levels - 1}.block.0.conv1.weight`)?.shape,
    );
    const back = diffusersVaeToOfficial(diffusers);
    expect([...back.keys()].sort()).toEqual([...official.keys()].sort());
    for (const [k, t] of official) expect(back.get(k)?.shape).toEqual(t.shape);

    const dir = mkdtempSync(join(tmpdir(), 'rectiflow-vae-'));
    mkdirSync(join(dir, 'vae'));
    await writeSafetensors(join(dir, 'vae', 'diffusion_pytorch_model.safetensors'), diffusers);
    const fromFolder = await loadSD3VAE(dir);
    const reference = await loadSD3VAE(official);
    const latents = createRng(3).normal([1, 16, 4, 4]) as tf.Tensor4D;
    const a = reference.decode(latents);
    const b = fromFolder.decode(latents);
    expect(Buffer.from((a.dataSync() as Float32Array).buffer).equals(Buffer.from((b.dataSync() as Float32Array).buffer))).toBe(true);
    tf.dispose([...official.values(), ...diffusers.values(), ...back.values(), latents, a, b]);
    reference.dispose();
    fromFolder.dispose();
    expect(() => diffusersVaeToOfficial(new Map([['quant_conv.weight', tf.zeros([1])]]))).toThrow(/has no SD3 VAE equivalent/);
  });
});
