/**
 * The `config.json` of diffusers' `SD3Transformer2DModel`, to and from an {@link MMDiTConfig}, so
 * a model trained here can be saved as a diffusers folder (`transformer/config.json` +
 * `diffusion_pytorch_model.safetensors`) and a diffusers folder's architecture is read exactly.
 */
import { invalid, RectiflowError } from '@rectiflow/core';
import type { MMDiTConfig, MMDiTOptions } from './config';

/** The fields of diffusers' `SD3Transformer2DModel` configuration that describe the architecture. */
export interface DiffusersTransformerConfig {
  _class_name: 'SD3Transformer2DModel';
  sample_size: number;
  patch_size: number;
  in_channels: number;
  num_layers: number;
  attention_head_dim: number;
  num_attention_heads: number;
  joint_attention_dim: number;
  caption_projection_dim: number;
  pooled_projection_dim: number;
  out_channels: number;
  pos_embed_max_size: number;
  dual_attention_layers: number[];
  qk_norm: 'rms_norm' | null;
}

/**
 * The diffusers configuration of an MM-DiT. `sampleSize` is the latent side the model is used
 * at (diffusers' default height and width divided by the VAE factor). diffusers' transformer has
 * a fixed 4x MLP, qkv biases, a context and a pooled embedder and no register tokens: a model
 * outside that family is refused with the field that does not fit.
 */
export function toDiffusersConfig(config: MMDiTConfig, sampleSize: number): DiffusersTransformerConfig {
  const refuse = (field: string, value: unknown, allowed: string): never => {
    throw new RectiflowError(`diffusers config: ${field} is ${JSON.stringify(value)}; SD3Transformer2DModel needs ${allowed}`);
  };
  if (config.mlpHidden !== 4 * config.hidden) refuse('mlpHidden', config.mlpHidden, `4 x hidden = ${4 * config.hidden}`);
  if (!config.qkvBias) refuse('qkvBias', false, 'qkv biases');
  if (config.registerTokens) refuse('registerTokens', config.registerTokens, 'none');
  if (config.contextDim === null) refuse('contextDim', null, 'a context embedder');
  if (config.pooledDim === null) refuse('pooledDim', null, 'a pooled embedder');
  if (config.outChannels !== config.inChannels) refuse('outChannels', config.outChannels, `in_channels (${config.inChannels})`);
  if (config.frequencyDim !== 256) refuse('frequencyDim', config.frequencyDim, '256');
  if (!Number.isInteger(sampleSize) || sampleSize < config.patchSize)
    invalid('sampleSize', sampleSize, `an integer >= the patch size ${config.patchSize}`);
  return {
    _class_name: 'SD3Transformer2DModel',
    sample_size: sampleSize,
    patch_size: config.patchSize,
    in_channels: config.inChannels,
    num_layers: config.depth,
    attention_head_dim: config.hidden / config.heads,
    num_attention_heads: config.heads,
    joint_attention_dim: config.contextDim as number,
    caption_projection_dim: config.hidden,
    pooled_projection_dim: config.pooledDim as number,
    out_channels: config.outChannels,
    pos_embed_max_size: config.posEmbedMaxSize,
    dual_attention_layers: [...config.dualAttentionLayers],
    qk_norm: config.qkNorm ? 'rms_norm' : null,
  };
}

/** The MM-DiT options of a diffusers `SD3Transformer2DModel` configuration (e.g. to pass as `loadMMDiT`'s `config`). */
export function fromDiffusersConfig(json: Record<string, unknown>): MMDiTOptions {
  const int = (field: string, min = 1): number => {
    const v = json[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) invalid(`config.json ${field}`, v, `an integer >= ${min}`);
    return v as number;
  };
  const heads = int('num_attention_heads');
  const headDim = int('attention_head_dim');
  const qkNorm = json.qk_norm ?? null;
  if (qkNorm !== null && qkNorm !== 'rms_norm')
    invalid('config.json qk_norm', qkNorm, '"rms_norm" or null (LayerNorm q/k norm is not supported)');
  const dual = json.dual_attention_layers ?? [];
  if (!Array.isArray(dual) || !dual.every((d) => Number.isInteger(d) && d >= 0))
    invalid('config.json dual_attention_layers', dual, 'a list of block indices');
  return {
    depth: int('num_layers'),
    hidden: heads * headDim,
    heads,
    patchSize: int('patch_size'),
    inChannels: int('in_channels'),
    contextDim: int('joint_attention_dim'),
    pooledDim: int('pooled_projection_dim'),
    posEmbedMaxSize: int('pos_embed_max_size'),
    qkNorm: qkNorm === 'rms_norm',
    dualAttentionLayers: dual as number[],
  };
}
