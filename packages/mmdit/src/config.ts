import { checkNumber, invalid } from '@rectiflow/core';

/** A fully resolved MM-DiT architecture. */
export interface MMDiTConfig {
  /** Number of joint blocks. */
  depth: number;
  /** Hidden size D. */
  hidden: number;
  /** Attention heads (head size D / heads). */
  heads: number;
  /** MLP hidden size. */
  mlpHidden: number;
  /** Patch size p. */
  patchSize: number;
  /** Latent channels in. */
  inChannels: number;
  /** Latent channels out. */
  outChannels: number;
  /** Width of the pooled vector y, or null for a model without a y embedder. */
  pooledDim: number | null;
  /** Width of the context tokens, or null for no context embedder (tokens must be D wide). */
  contextDim: number | null;
  /** Side M of the M x M position-embedding grid. */
  posEmbedMaxSize: number;
  /** Per-head RMSNorm on q and k (SD3.5). */
  qkNorm: boolean;
  /** Bias on the qkv projections. */
  qkvBias: boolean;
  /** Blocks whose image half has a second self-attention (SD3.5 MMDiT-X). */
  dualAttentionLayers: number[];
  /** Learned register tokens prepended to the context. */
  registerTokens: number;
  /** Size of the sinusoidal timestep features. */
  frequencyDim: number;
}

/**
 * What {@link resolveMMDiTConfig} accepts: a depth (hidden 64 d, heads d, MLP 4x, as the
 * official code derives them) and/or explicit sizes. Defaults are those of SD3: patch 2,
 * 16 channels, pooled 2048, context 4096, a 192 x 192 position grid.
 */
export interface MMDiTOptions {
  depth?: number;
  hidden?: number;
  heads?: number;
  /** MLP hidden size as a multiple of `hidden`. Default 4. */
  mlpRatio?: number;
  /** Explicit MLP hidden size (overrides `mlpRatio`). */
  mlpHidden?: number;
  patchSize?: number;
  inChannels?: number;
  outChannels?: number;
  pooledDim?: number | null;
  contextDim?: number | null;
  posEmbedMaxSize?: number;
  qkNorm?: boolean;
  qkvBias?: boolean;
  dualAttentionLayers?: readonly number[];
  registerTokens?: number;
  frequencyDim?: number;
}

const positive = { integer: true, min: 1 } as const;

/** Resolve and validate an architecture. @throws ValidationError naming the field. */
export function resolveMMDiTConfig(options: MMDiTOptions): MMDiTConfig {
  if (options.depth === undefined) invalid('config.depth', undefined, 'an integer >= 1 (the number of joint blocks)');
  const depth = checkNumber('config.depth', options.depth, positive);
  const hidden = checkNumber('config.hidden', options.hidden ?? 64 * depth, positive);
  const defaultHeads = options.hidden === undefined ? depth : hidden % 64 === 0 ? hidden / 64 : undefined;
  if (options.heads === undefined && defaultHeads === undefined) {
    invalid('config.heads', undefined, `an integer dividing hidden ${hidden} (no default: hidden is not a multiple of 64)`);
  }
  const heads = checkNumber('config.heads', options.heads ?? defaultHeads, positive);
  if (hidden % heads !== 0) invalid('config.heads', heads, `a divisor of hidden ${hidden}`);
  const mlpRatio = checkNumber('config.mlpRatio', options.mlpRatio ?? 4, { greaterThan: 0 });
  const mlpHidden = checkNumber('config.mlpHidden', options.mlpHidden ?? Math.floor(hidden * mlpRatio), positive);
  const patchSize = checkNumber('config.patchSize', options.patchSize ?? 2, positive);
  const inChannels = checkNumber('config.inChannels', options.inChannels ?? 16, positive);
  const outChannels = checkNumber('config.outChannels', options.outChannels ?? inChannels, positive);
  const pooled = options.pooledDim === undefined ? 2048 : options.pooledDim;
  const pooledDim = pooled === null ? null : checkNumber('config.pooledDim', pooled, positive);
  const ctx = options.contextDim === undefined ? 4096 : options.contextDim;
  const contextDim = ctx === null ? null : checkNumber('config.contextDim', ctx, positive);
  const posEmbedMaxSize = checkNumber('config.posEmbedMaxSize', options.posEmbedMaxSize ?? 192, positive);
  const dualAttentionLayers = [...(options.dualAttentionLayers ?? [])];
  dualAttentionLayers.forEach((i) => {
    if (!Number.isInteger(i) || i < 0 || i >= depth)
      invalid('config.dualAttentionLayers', dualAttentionLayers, `block indices in [0, ${depth - 1}]`);
  });
  const registerTokens = checkNumber('config.registerTokens', options.registerTokens ?? 0, { integer: true, min: 0 });
  const frequencyDim = checkNumber('config.frequencyDim', options.frequencyDim ?? 256, { integer: true, min: 2 });
  return {
    depth,
    hidden,
    heads,
    mlpHidden,
    patchSize,
    inChannels,
    outChannels,
    pooledDim,
    contextDim,
    posEmbedMaxSize,
    qkNorm: options.qkNorm ?? false,
    qkvBias: options.qkvBias ?? true,
    dualAttentionLayers: [...new Set(dualAttentionLayers)].sort((a, b) => a - b),
    registerTokens,
    frequencyDim,
  };
}
