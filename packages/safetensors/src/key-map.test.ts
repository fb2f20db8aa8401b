import { describe, expect, it } from 'vitest';
import { addPrefix, filterKeys, findPrefix, KeyCollisionError, mapKeys, renameKeys, stripPrefix } from './key-map';

const ckpt = new Map([
  ['model.diffusion_model.x_embedder.proj.weight', 1],
  ['model.diffusion_model.joint_blocks.0.x_block.attn.qkv.weight', 2],
  ['first_stage_model.decoder.conv_in.weight', 3],
]);

describe('key mapping', () => {
  it('strips, adds and filters prefixes', () => {
    const mmdit = stripPrefix(ckpt, 'model.diffusion_model.');
    expect([...mmdit.keys()]).toEqual(['x_embedder.proj.weight', 'joint_blocks.0.x_block.attn.qkv.weight']);
    expect(stripPrefix(ckpt, 'model.diffusion_model.', { keepOthers: true }).size).toBe(3);
    expect([...addPrefix({ a: 1 }, 'p.').keys()]).toEqual(['p.a']);
    expect([...filterKeys(ckpt, 'first_stage_model.').values()]).toEqual([3]);
    expect(findPrefix(ckpt.keys(), ['model.diffusion_model.', ''], 'x_embedder.proj.weight')).toBe('model.diffusion_model.');
    expect(findPrefix(['x_embedder.proj.weight'], ['model.diffusion_model.', ''], 'x_embedder.proj.weight')).toBe('');
    expect(findPrefix(['other'], ['model.diffusion_model.', ''], 'x_embedder.proj.weight')).toBeUndefined();
  });

  it('renames with ordered rules and capture groups', () => {
    const out = renameKeys(stripPrefix(ckpt, 'model.diffusion_model.'), [
      { from: /^joint_blocks\.(\d+)\.x_block\.attn\.qkv\./, to: 'transformer_blocks.$1.attn.qkv.' },
      { from: 'x_embedder.proj.weight', to: 'pos_embed.proj.weight' },
    ]);
    expect([...out.keys()]).toEqual(['pos_embed.proj.weight', 'transformer_blocks.0.attn.qkv.weight']);
    expect(() => renameKeys({ a: 1 }, [], { strict: true })).toThrow(/key "a" matches no rename rule/);
  });

  it('refuses collisions, naming both keys', () => {
    expect(() => mapKeys({ 'a.x': 1, 'b.x': 2 }, (k) => k.slice(2))).toThrow(KeyCollisionError);
    expect(() => mapKeys({ 'a.x': 1, 'b.x': 2 }, (k) => k.slice(2))).toThrow('keys "a.x" and "b.x" both map to "x"');
  });
});
