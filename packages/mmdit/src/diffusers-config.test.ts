import { describe, expect, it } from 'vitest';
import { resolveMMDiTConfig } from './config';
import { fromDiffusersConfig, toDiffusersConfig } from './diffusers-config';

describe('diffusers SD3Transformer2DModel config', () => {
  it("gives SD3-medium's published transformer/config.json for the depth-24 MM-DiT", () => {
    const config = toDiffusersConfig(resolveMMDiTConfig({ depth: 24 }), 128);
    // stabilityai/stable-diffusion-3-medium-diffusers, transformer/config.json (architecture fields).
    expect(config).toEqual({
      _class_name: 'SD3Transformer2DModel',
      sample_size: 128,
      patch_size: 2,
      in_channels: 16,
      num_layers: 24,
      attention_head_dim: 64,
      num_attention_heads: 24,
      joint_attention_dim: 4096,
      caption_projection_dim: 1536,
      pooled_projection_dim: 2048,
      out_channels: 16,
      pos_embed_max_size: 192,
      dual_attention_layers: [],
      qk_norm: null,
    });
  });

  it('round-trips an SD3.5-style architecture and refuses what diffusers cannot express', () => {
    const c = resolveMMDiTConfig({
      depth: 3,
      patchSize: 2,
      inChannels: 4,
      contextDim: 32,
      pooledDim: 16,
      posEmbedMaxSize: 8,
      qkNorm: true,
      dualAttentionLayers: [0, 1],
    });
    expect(resolveMMDiTConfig(fromDiffusersConfig({ ...toDiffusersConfig(c, 8) }))).toEqual(c);
    expect(() => toDiffusersConfig(resolveMMDiTConfig({ depth: 2, registerTokens: 1 }), 8)).toThrow(
      /registerTokens is 1; SD3Transformer2DModel needs none/,
    );
    expect(() => toDiffusersConfig(resolveMMDiTConfig({ depth: 2, mlpRatio: 2 }), 8)).toThrow(
      /mlpHidden is 256; .* needs 4 x hidden = 512/,
    );
    expect(() => fromDiffusersConfig({ num_layers: 2, qk_norm: 'layer_norm' })).toThrow(/config.json num_attention_heads/);
  });
});
