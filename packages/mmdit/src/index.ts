/**
 * @rectiflow/mmdit: the MM-DiT of Stable Diffusion 3 / 3.5 on TensorFlow.js: its layers,
 * the model, official checkpoint loading and saving, diffusers key conversion, and
 * training with tfjs autodiff. Importing it registers the `mmdit` model plugin.
 * @packageDocumentation
 */
import './model-plugins';

export { AdaLNModulation, layerNormModulate, modulate } from './adaln-modulation';
export { type AttentionProjectionOptions, AttentionProjections, type QKV } from './attention-projections';
export { type MMDiTConfig, type MMDiTOptions, resolveMMDiTConfig } from './config';
export { ContextEmbedder } from './context-embedder';
export { type DiffusersTransformerConfig, fromDiffusersConfig, toDiffusersConfig } from './diffusers-config';
export { diffusersToOfficial, officialToDiffusers } from './diffusers-keys';
export { type BlockModulation, DiTBlock, type DiTBlockOptions } from './dit-block';
export { FinalLayer } from './final-layer';
export { gatedResidual } from './gated-residual';
export { inferMMDiTConfig, type ShapeMap } from './infer-config';
export { JointAttention, type JointAttentionOutput, type TraceFn } from './joint-attention';
export { JointBlock, type JointBlockOptions } from './joint-block';
export { Linear, type LinearOptions } from './linear';
export {
  type LoadMMDiTOptions,
  loadMMDiT,
  OFFICIAL_PREFIXES,
  type SaveMMDiTOptions,
  saveMMDiT,
  serializeMMDiT,
} from './load-mmdit';
export { mmditParameters, samplingBytes, trainingBytes } from './memory-estimate';
export { Mlp } from './mlp';
export { MMDiT, type MMDiTCreateOptions, type MMDiTForwardOptions } from './mmdit';
export { MMDIT_PLUGIN_PARAMS } from './model-plugins';
export {
  initSource,
  type ParamEntry,
  type ParamInit,
  type ParamLayout,
  type ParamRequest,
  type ParamSource,
  ParamStore,
} from './parameters';
export { PatchEmbed, patchify } from './patch-embed';
export { cropPosEmbed, PosEmbed, sincosPosEmbed2d } from './pos-embed';
export { RMSNorm } from './rms-norm';
export { TimestepEmbedder, timestepEmbedding, timestepFrequencies } from './timestep-embedder';
export { unpatchify } from './unpatchify';
export { VectorEmbedder } from './vector-embedder';
export { MMDiTVelocityModel } from './velocity-model';
