/**
 * @rectiflow/timesteps: how training draws the noise level t in [0, 1] (paper section 3.1):
 * uniform, logit-normal, mode with heavy tails and CosMap, each composable with the resolution
 * shift, plus diffusers' training-script behaviour as an explicit option.
 * @packageDocumentation
 */
export { BaseTimestepSampler } from './base-sampler';
export { CosMapSampler } from './cosmap';
export { DiffusersSampler, type DiffusersSamplerOptions, type DiffusersScheme } from './diffusers-sampler';
export { LogitNormalSampler } from './logit-normal';
export { MODE_SCALE_MAX, ModeSampler } from './mode';
export { createTimestepSampler, registerTimestepSamplers } from './timestep-sampler-plugins';
export { UniformSampler } from './uniform';
