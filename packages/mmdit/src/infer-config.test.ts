import { describe, expect, it } from 'vitest';
import { inferMMDiTConfig } from './infer-config';

/** The shapes of an official SD3-family checkpoint (only what the inference reads, plus block keys). */
function checkpointShapes(depth: number, options: { qkNorm: boolean; dual: number[]; grid: number }): Map<string, number[]> {
  const d = 64 * depth;
  const s = new Map<string, number[]>([
    ['x_embedder.proj.weight', [d, 16, 2, 2]],
    ['pos_embed', [1, options.grid * options.grid, d]],
    ['t_embedder.mlp.0.weight', [d, 256]],
    ['y_embedder.mlp.0.weight', [d, 2048]],
    ['context_embedder.weight', [d, 4096]],
    ['final_layer.linear.weight', [64, d]],
  ]);
  for (let i = 0; i < depth; i++) {
    s.set(`joint_blocks.${i}.x_block.attn.qkv.weight`, [3 * d, d]);
    s.set(`joint_blocks.${i}.x_block.attn.qkv.bias`, [3 * d]);
    s.set(`joint_blocks.${i}.x_block.mlp.fc1.weight`, [4 * d, d]);
    if (options.qkNorm) s.set(`joint_blocks.${i}.x_block.attn.ln_q.weight`, [64]);
    if (options.dual.includes(i)) s.set(`joint_blocks.${i}.x_block.attn2.qkv.weight`, [3 * d, d]);
  }
  return s;
}

describe('inferMMDiTConfig', () => {
  it('recognises an SD3-medium-like layout (depth 24, no q/k norm)', () => {
    expect(inferMMDiTConfig(checkpointShapes(24, { qkNorm: false, dual: [], grid: 192 }))).toEqual({
      depth: 24,
      hidden: 1536,
      heads: 24,
      mlpHidden: 6144,
      patchSize: 2,
      inChannels: 16,
      outChannels: 16,
      pooledDim: 2048,
      contextDim: 4096,
      posEmbedMaxSize: 192,
      qkNorm: false,
      qkvBias: true,
      dualAttentionLayers: [],
      registerTokens: 0,
      frequencyDim: 256,
    });
  });

  it('recognises q/k norm and MMDiT-X dual-attention layers (an SD3.5-medium-like layout)', () => {
    const dual = Array.from({ length: 13 }, (_, i) => i);
    const config = inferMMDiTConfig(checkpointShapes(24, { qkNorm: true, dual, grid: 384 }));
    expect(config).toMatchObject({ depth: 24, heads: 24, qkNorm: true, posEmbedMaxSize: 384, dualAttentionLayers: dual });
  });

  it('names what is missing or malformed', () => {
    const shapes = checkpointShapes(2, { qkNorm: false, dual: [], grid: 4 });
    shapes.set('pos_embed', [1, 15, 128]);
    expect(() => inferMMDiTConfig(shapes)).toThrow('"pos_embed": has 15 positions; expected a square M*M grid');
    shapes.delete('x_embedder.proj.weight');
    expect(() => inferMMDiTConfig(shapes)).toThrow('"x_embedder.proj.weight": is missing; it is needed to infer the MM-DiT architecture');
  });
});
