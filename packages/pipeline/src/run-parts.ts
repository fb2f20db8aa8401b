/**
 * The parts a run's configuration names, built from its spec strings through the plugin
 * registry: the autoencoder (a plugin, or an official SD3 VAE file), the formulation (with
 * the run's time shift) and the shift sampling uses. The train app builds its run with these
 * and every sampler rebuilds the same parts from a checkpoint's `state.json`.
 */
import { loadSD3VAE } from '@rectiflow/autoencoders';
import {
  type Autoencoder,
  create,
  RectiflowError,
  registry,
  type SpecNode,
  withDefaults,
  withField,
  withFieldAsync,
} from '@rectiflow/core';
import type { Formulation } from '@rectiflow/losses';
import '@rectiflow/losses';

/** The fields of a run configuration that say how to rebuild its parts. */
export interface RunPartsConfig {
  /** Autoencoder spec (`pixel`, `tiny-ae(...)`, ...). */
  autoencoder: string;
  /** An official SD3 VAE file used instead of `autoencoder` (a path in Node, or its bytes). */
  vae?: string | Uint8Array;
  /** Formulation spec (`rf/lognorm(0.50, 0.80)`, ...). */
  formulation: string;
  /** Time shift applied to the formulation (1: none). */
  shift: number;
}

/** The autoencoder of a run, for images of `imageChannels` channels (errors name `vae` or `autoencoder`). */
export async function runAutoencoder(config: Pick<RunPartsConfig, 'autoencoder' | 'vae'>, imageChannels: number): Promise<Autoencoder> {
  const vae = config.vae;
  if (vae !== undefined) return withFieldAsync('vae', () => loadSD3VAE(vae));
  return withField('autoencoder', () =>
    create('autoencoder', withDefaults('autoencoder', config.autoencoder, { channels: imageChannels })),
  );
}

/** The formulation spec of a configuration: its `formulation`, with `shift` applied when it is not 1. */
export function runFormulationSpec(config: Pick<RunPartsConfig, 'formulation' | 'shift'>): string | SpecNode {
  return config.shift === 1 ? config.formulation : withDefaults('formulation', config.formulation, { shift: config.shift });
}

/** The training objective of a configuration (errors name `formulation`). */
export function runFormulation(config: Pick<RunPartsConfig, 'formulation' | 'shift'>): Formulation {
  return withField('formulation', () => create('formulation', runFormulationSpec(config)));
}

/**
 * The time shift sampling should use: the formulation's own `shift` argument when it has
 * one, which `config.shift` sets unless the spec gives it. A shift other than 1 on a
 * formulation without a shift parameter is refused, so training and sampling never disagree.
 */
export function runSamplingShift(config: Pick<RunPartsConfig, 'formulation' | 'shift'>): number {
  const { params } = withField('formulation', () => registry.resolve('formulation', runFormulationSpec(config)));
  if (typeof params.shift === 'number') return params.shift;
  if (config.shift !== 1) {
    throw new RectiflowError(`shift: got ${config.shift}; the formulation ${config.formulation} has no shift parameter (use 1)`);
  }
  return 1;
}
