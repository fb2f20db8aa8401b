import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, WeightMismatchError } from '@rectiflow/core';
import { fixturePath } from '@rectiflow/core/testing';
import { readSafetensors, readTensors, serializeSafetensors } from '@rectiflow/safetensors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMMDiT, saveMMDiT } from './load-mmdit';
import { MMDiT } from './mmdit';
import { bitEqual, TINY, tinyInputs } from './test-helpers';

describe('loadMMDiT and saveMMDiT', () => {
  let official: Map<string, tf.Tensor>;
  beforeAll(async () => {
    official = await readTensors(fixturePath('mmdit_tiny.safetensors'));
  });
  afterAll(() => tf.dispose([...official.values()]));

  const withPrefix = (prefix: string, extra: Record<string, tf.Tensor> = {}) =>
    new Map([...[...official.entries()].map(([k, t]) => [prefix + k, t] as const), ...Object.entries(extra)]);

  it('loads bytes, a path and tensor maps, with or without model.diffusion_model.', async () => {
    const vae = tf.zeros([2]);
    const bytes = await serializeSafetensors(withPrefix('model.diffusion_model.', { 'first_stage_model.decoder.conv_in.bias': vae }));
    const fromBytes = await loadMMDiT(bytes);
    const fromPath = await loadMMDiT(fixturePath('mmdit_tiny.safetensors'));
    const fromMap = await loadMMDiT(official);
    for (const m of [fromBytes, fromPath, fromMap]) expect(m.config).toEqual(fromPath.config);
    const a = fromBytes.stateDict();
    for (const [k, t] of a) expect(bitEqual(t, official.get(k)!), k).toBe(true);
    tf.dispose([...a.values(), vae]);
    for (const m of [fromBytes, fromPath, fromMap]) m.dispose();
  });

  it('saves the official layout exactly (file round trip)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmdit-'));
    try {
      const model = await loadMMDiT(official);
      const path = join(dir, 'out.safetensors');
      await saveMMDiT(model, path);
      // Same tensors, same bytes per tensor, as the official file.
      const file = await readSafetensors(path);
      const ref = await readSafetensors(fixturePath('mmdit_tiny.safetensors'));
      expect(file.keys().sort()).toEqual(ref.keys().sort());
      for (const k of ref.keys()) expect(Buffer.from(await file.readBytes(k)).equals(Buffer.from(await ref.readBytes(k))), k).toBe(true);
      await file.close();
      await ref.close();
      model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the key and the expected and found shapes of a bad tensor', async () => {
    const bad = new Map(official);
    const wrong = tf.zeros([383, 128]);
    bad.set('joint_blocks.1.x_block.attn.qkv.weight', wrong);
    await expect(loadMMDiT(bad)).rejects.toThrow('"joint_blocks.1.x_block.attn.qkv.weight" has shape [383, 128]; expected [384, 128]');
    const missing = new Map(official);
    missing.delete('joint_blocks.0.context_block.mlp.fc2.bias');
    const before = tf.memory().numTensors;
    const err = await loadMMDiT(missing).catch((e) => e);
    expect(err).toBeInstanceOf(WeightMismatchError);
    expect(err.message).toBe(
      'MM-DiT (depth 2, hidden 128): 1 weight problem(s): "joint_blocks.0.context_block.mlp.fc2.bias" is missing (expected shape [128])',
    );
    expect(err.problems).toEqual([{ key: 'joint_blocks.0.context_block.mlp.fc2.bias', problem: 'missing', expected: [128] }]);
    // Every problem at once: a missing, a misshaped and an unexpected tensor in one error.
    const three = new Map([...missing, ['joint_blocks.1.x_block.attn.qkv.weight', wrong] as const, ['extra.weight', wrong] as const]);
    const all = await loadMMDiT(three).catch((e) => e);
    expect(all.keys('missing')).toEqual(['joint_blocks.0.context_block.mlp.fc2.bias']);
    expect(all.keys('shape')).toEqual(['joint_blocks.1.x_block.attn.qkv.weight']);
    expect(all.keys('unexpected')).toEqual(['extra.weight']);
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numTensors).toBe(before);
    const extra = new Map([...official, ['joint_blocks.0.x_block.attn.extra', wrong] as const]);
    await expect(loadMMDiT(extra)).rejects.toThrow(
      /strict: false.*1 weight problem\(s\): "joint_blocks.0.x_block.attn.extra" is not part of the architecture/,
    );
    (await loadMMDiT(extra, { strict: false })).dispose();
    await expect(loadMMDiT(new Uint8Array(readFileSync(fixturePath('mmdit_tiny_io.safetensors'))))).rejects.toThrow(
      /not an MM-DiT checkpoint/,
    );
    wrong.dispose();
  });

  it('infers dual attention, registers and q/k norm from a new model and round-trips it', async () => {
    const model = new MMDiT(TINY, { seed: 11 });
    const state = model.stateDict();
    const loaded = await loadMMDiT(state);
    expect(loaded.config).toEqual(model.config);
    const { x, t, y, context } = tinyInputs();
    const b = loaded.stateDict();
    for (const [k, v] of state) expect(bitEqual(b.get(k)!, v), k).toBe(true);
    tf.dispose([...state.values(), ...b.values(), x, t, y, context]);
    model.dispose();
    loaded.dispose();
  });
});
