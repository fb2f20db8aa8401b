import { tf } from '@rectiflow/core';
import { fixturePath } from '@rectiflow/core/testing';
import { readTensors, serializeSafetensors } from '@rectiflow/safetensors';
import { describe, expect, it } from 'vitest';
import { diffusersToOfficial, officialToDiffusers } from './diffusers-keys';
import { loadMMDiT } from './load-mmdit';
import { MMDiT } from './mmdit';
import { bitEqual, TINY } from './test-helpers';

function expectSame(a: Map<string, tf.Tensor>, b: Map<string, tf.Tensor>): void {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [k, t] of a) {
    expect(b.get(k)!.shape, k).toEqual(t.shape);
    expect(bitEqual(b.get(k)!, t), k).toBe(true);
  }
}

describe('diffusers key conversion', () => {
  it('splits qkv, swaps the final and pre-only modulations, and round-trips the tiny checkpoint', async () => {
    const official = await readTensors(fixturePath('mmdit_tiny.safetensors'));
    const diffusers = officialToDiffusers(official);
    expect(diffusers.size).toBe(official.size + 2 * (2 * 2 * 2)); // each of the 8 qkv weights and biases becomes three
    const qkv = official.get('joint_blocks.0.x_block.attn.qkv.weight')!;
    const [q, k, v] = tf.split(qkv, 3, 0);
    expect(bitEqual(diffusers.get('transformer_blocks.0.attn.to_q.weight')!, q)).toBe(true);
    expect(bitEqual(diffusers.get('transformer_blocks.0.attn.to_k.weight')!, k)).toBe(true);
    expect(bitEqual(diffusers.get('transformer_blocks.0.attn.to_v.weight')!, v)).toBe(true);
    const ctxBias = official.get('joint_blocks.1.context_block.attn.qkv.bias')!.dataSync();
    expect(Array.from(diffusers.get('transformer_blocks.1.attn.add_v_proj.bias')!.dataSync())).toEqual(Array.from(ctxBias.slice(256)));
    // (shift, scale) -> (scale, shift) for the final layer and the pre-only last context block only.
    const swapped = (key: string, dkey: string) => {
      const o = official.get(key)!.dataSync();
      const d = diffusers.get(dkey)!.dataSync();
      const half = o.length / 2;
      return Array.from(d.slice(0, half)).every((x, i) => x === o[half + i]) && Array.from(d.slice(half)).every((x, i) => x === o[i]);
    };
    expect(swapped('final_layer.adaLN_modulation.1.bias', 'norm_out.linear.bias')).toBe(true);
    expect(swapped('joint_blocks.1.context_block.adaLN_modulation.1.weight', 'transformer_blocks.1.norm1_context.linear.weight')).toBe(
      true,
    );
    expect(Array.from(diffusers.get('transformer_blocks.0.norm1_context.linear.bias')!.dataSync())).toEqual(
      Array.from(official.get('joint_blocks.0.context_block.adaLN_modulation.1.bias')!.dataSync()),
    );
    for (const key of [
      'pos_embed.pos_embed',
      'transformer_blocks.0.attn.norm_added_q.weight',
      'transformer_blocks.0.ff_context.net.0.proj.weight',
      'proj_out.bias',
    ]) {
      expect(diffusers.has(key), key).toBe(true);
    }
    const back = diffusersToOfficial(diffusers);
    expectSame(official, back);
    expectSame(diffusers, officialToDiffusers(back));

    // A diffusers-named checkpoint (here with a `transformer.` prefix) loads to the same model.
    const fromDiffusers = await loadMMDiT(await serializeSafetensors(new Map([...diffusers].map(([key, t]) => [`transformer.${key}`, t]))));
    const fromDiffusersMap = await loadMMDiT(diffusers);
    expect(fromDiffusersMap.config).toEqual(fromDiffusers.config);
    fromDiffusersMap.dispose();
    const state = fromDiffusers.stateDict();
    expectSame(official, state);
    tf.dispose([...official.values(), ...diffusers.values(), ...back.values(), ...state.values(), q, k, v]);
    fromDiffusers.dispose();
  });

  it('round-trips dual attention (attn2) layers and rejects register tokens', () => {
    const model = new MMDiT({ ...TINY, registerTokens: 0 }, { seed: 12 });
    const official = model.stateDict();
    const diffusers = officialToDiffusers(official);
    expect(diffusers.has('transformer_blocks.0.attn2.to_q.weight')).toBe(true);
    expect(diffusers.has('transformer_blocks.0.attn2.norm_k.weight')).toBe(true);
    expect(diffusers.has('transformer_blocks.0.attn2.to_out.0.bias')).toBe(true);
    const back = diffusersToOfficial(diffusers);
    expectSame(official, back);
    const withRegister = new MMDiT(TINY, { seed: 12 });
    const state = withRegister.stateDict();
    expect(() => officialToDiffusers(state)).toThrow('official key "register" has no diffusers equivalent');
    tf.dispose([...official.values(), ...diffusers.values(), ...back.values(), ...state.values()]);
    model.dispose();
    withRegister.dispose();
  });
});
