/**
 * Registers the `mmdit` model plugin: `create('model', 'mmdit(depth=2, contextDim=64, pooledDim=32, posGrid=16)')`.
 */
import { definePlugin, formatSpec, type ParamDef, registerBuiltin } from '@rectiflow/core';
import { MMDiT } from './mmdit';
import { MMDiTVelocityModel } from './velocity-model';

/** The parameters of the `mmdit` plugin. `hidden=0`/`heads=0` mean "derive from depth". */
export const MMDIT_PLUGIN_PARAMS = [
  { name: 'depth', type: 'integer', default: 2, min: 1, description: 'joint blocks; hidden 64*depth, heads depth' },
  { name: 'patch', type: 'integer', default: 2, min: 1, description: 'patch size' },
  { name: 'channels', type: 'integer', default: 16, min: 1, description: 'latent channels' },
  { name: 'contextDim', type: 'integer', default: 4096, min: 1, description: 'width of the context tokens' },
  { name: 'pooledDim', type: 'integer', default: 2048, min: 1, description: 'width of the pooled vector' },
  { name: 'posGrid', type: 'integer', default: 192, min: 1, description: 'side of the position-embedding grid' },
  { name: 'hidden', type: 'integer', default: 0, min: 0, description: 'hidden size (0: 64*depth)' },
  { name: 'heads', type: 'integer', default: 0, min: 0, description: 'attention heads (0: from depth or hidden/64)' },
  { name: 'mlpRatio', type: 'number', default: 4, greaterThan: 0, description: 'MLP width / hidden' },
  { name: 'qkNorm', type: 'boolean', default: false, description: 'RMSNorm on q and k (SD3.5)' },
  { name: 'dualAttention', type: 'number[]', default: [], min: 0, description: 'blocks with MMDiT-X dual attention' },
  { name: 'registers', type: 'integer', default: 0, min: 0, description: 'register tokens' },
  { name: 'seed', type: 'integer', default: 0, description: 'initialisation seed' },
] as const satisfies readonly ParamDef[];

registerBuiltin(
  'model',
  'mmdit',
  definePlugin({
    description: 'The SD3 MM-DiT, new with an adaLN-zero initialisation',
    params: MMDIT_PLUGIN_PARAMS,
    create: (p, spec) => {
      const model = new MMDiT(
        {
          depth: p.depth,
          hidden: p.hidden || undefined,
          heads: p.heads || undefined,
          mlpRatio: p.mlpRatio,
          patchSize: p.patch,
          inChannels: p.channels,
          contextDim: p.contextDim,
          pooledDim: p.pooledDim,
          posEmbedMaxSize: p.posGrid,
          qkNorm: p.qkNorm,
          dualAttentionLayers: [...p.dualAttention],
          registerTokens: p.registers,
        },
        { seed: p.seed },
      );
      return new MMDiTVelocityModel(model, spec.text || formatSpec(spec));
    },
  }),
);
