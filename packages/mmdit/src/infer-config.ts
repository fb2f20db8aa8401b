import { WeightMismatchError } from '@rectiflow/core';
import type { MMDiTConfig, MMDiTOptions } from './config';
import { resolveMMDiTConfig } from './config';

/** Tensor shapes by official key (no `model.diffusion_model.` prefix). */
export type ShapeMap = ReadonlyMap<string, readonly number[]>;

function need(shapes: ShapeMap, key: string, rank: number): readonly number[] {
  const s = shapes.get(key);
  if (!s)
    throw new WeightMismatchError('MM-DiT checkpoint', [
      { key, problem: 'missing', detail: 'is missing; it is needed to infer the MM-DiT architecture' },
    ]);
  if (s.length !== rank)
    throw new WeightMismatchError('MM-DiT checkpoint', [
      { key, problem: 'shape', found: [...s], detail: `has shape [${s.join(', ')}]; expected rank ${rank}` },
    ]);
  return s;
}

/**
 * Infer an MM-DiT architecture from the tensor shapes of an official checkpoint:
 * hidden size, channels and patch from `x_embedder.proj.weight`, depth from the
 * `joint_blocks.{i}` keys, M from `pos_embed`, heads from the q/k norm (else D/64), the
 * MLP width, the pooled and context widths, the qkv bias, dual-attention layers and
 * register tokens. `overrides` win over what is inferred (e.g. `heads` for a model
 * without q/k norm whose head size is not 64).
 */
export function inferMMDiTConfig(shapes: ShapeMap, overrides: MMDiTOptions = {}): MMDiTConfig {
  const [hidden, inChannels, patchSize] = need(shapes, 'x_embedder.proj.weight', 4);
  let depth = 0;
  const dual: number[] = [];
  for (const key of shapes.keys()) {
    const m = /^joint_blocks\.(\d+)\./.exec(key);
    if (!m) continue;
    const i = Number(m[1]);
    depth = Math.max(depth, i + 1);
    if (key === `joint_blocks.${i}.x_block.attn2.qkv.weight`) dual.push(i);
  }
  if (depth === 0)
    throw new WeightMismatchError('MM-DiT checkpoint', [
      { key: 'joint_blocks.0.x_block.attn.qkv.weight', problem: 'missing', detail: 'the checkpoint has no joint_blocks.{i} tensors' },
    ]);
  const pos = need(shapes, 'pos_embed', 3);
  const posEmbedMaxSize = Math.round(Math.sqrt(pos[1]));
  if (posEmbedMaxSize * posEmbedMaxSize !== pos[1]) {
    throw new WeightMismatchError('MM-DiT checkpoint', [
      { key: 'pos_embed', problem: 'shape', found: [...pos], detail: `has ${pos[1]} positions; expected a square M*M grid` },
    ]);
  }
  const lnQ = shapes.get('joint_blocks.0.x_block.attn.ln_q.weight');
  if (shapes.has('joint_blocks.0.x_block.attn.ln_q.bias')) {
    throw new WeightMismatchError('MM-DiT checkpoint', [
      {
        key: 'joint_blocks.0.x_block.attn.ln_q.bias',
        problem: 'unexpected',
        detail: 'LayerNorm q/k norm ("ln") is not supported; only RMSNorm ("rms")',
      },
    ]);
  }
  const heads = lnQ ? hidden / lnQ[0] : hidden % 64 === 0 ? hidden / 64 : depth;
  const fc1 = need(shapes, 'joint_blocks.0.x_block.mlp.fc1.weight', 2);
  const finalLinear = need(shapes, 'final_layer.linear.weight', 2);
  const tFc1 = need(shapes, 't_embedder.mlp.0.weight', 2);
  const y = shapes.get('y_embedder.mlp.0.weight');
  const ctx = shapes.get('context_embedder.weight');
  const register = shapes.get('register');
  return resolveMMDiTConfig({
    depth,
    hidden,
    heads,
    mlpHidden: fc1[0],
    patchSize,
    inChannels,
    outChannels: finalLinear[0] / (patchSize * patchSize),
    pooledDim: y ? y[1] : null,
    contextDim: ctx ? ctx[1] : null,
    posEmbedMaxSize,
    qkNorm: lnQ !== undefined,
    qkvBias: shapes.has('joint_blocks.0.x_block.attn.qkv.bias'),
    dualAttentionLayers: dual,
    registerTokens: register ? register[1] : 0,
    frequencyDim: tFc1[1],
    ...overrides,
  });
}
