/**
 * Loading the SD3 VAE from a checkpoint in the official key layout, with or without the
 * `first_stage_model.` prefix of single-file SD3 checkpoints, configuration read from the
 * tensor shapes.
 */
import { formatValue, tf, WeightMismatchError } from '@rectiflow/core';
import type { WeightSource } from '@rectiflow/safetensors';
import { findPrefix } from '@rectiflow/safetensors';
import { diffusersVaeToOfficial, isDiffusersVaeLayout } from './diffusers-vae-keys';
import type { LatentFormat } from './latent-format';
import { SD3VAE } from './sd3-vae';
import { inferSD3VAEConfig, type SD3VAEConfig } from './sd3-vae-config';
import { loadWeights, weightKeys } from './weights';

/** The prefixes {@link loadSD3VAE} looks for, in order. */
export const SD3_VAE_PREFIXES: readonly string[] = ['first_stage_model.', 'vae.', ''];

/** Options of {@link loadSD3VAE}. */
export interface LoadSD3VAEOptions {
  /** The key prefix; found automatically among {@link SD3_VAE_PREFIXES} when absent. */
  prefix?: string;
  /** The architecture; read from the tensor shapes when absent. */
  config?: SD3VAEConfig;
  /** The latent normalisation (default SD3's). */
  latentFormat?: LatentFormat;
  /** The adapter's name (default `sd3-vae`). */
  name?: string;
}

/**
 * Load an SD3 VAE, in the official layout or diffusers' AutoencoderKL layout. The source is a
 * safetensors path (Node; also a diffusers pipeline folder or its `vae/`), its bytes, or tensors in memory.
 * Only the `encoder.*` and `decoder.*` tensors are read, so a full SD3 checkpoint works.
 * A file with only a decoder gives a VAE that decodes but cannot encode.
 *
 * @throws `WeightMismatchError` (from `@rectiflow/core`) naming each missing, misshaped or unexpected tensor,
 *   with the expected and the found shape.
 * @example
 * ```ts
 * const vae = await loadSD3VAE('sd3_medium.safetensors'); // keys under first_stage_model.
 * const images = vae.decode(latents);
 * ```
 */
export async function loadSD3VAE(source: WeightSource, options: LoadSD3VAEOptions = {}): Promise<SD3VAE> {
  const weights = await readSD3VAEWeights(source, options.prefix);
  try {
    const shapes = new Map([...weights].map(([k, t]) => [k, t.shape]));
    const inferred = inferSD3VAEConfig(shapes);
    return new SD3VAE(options.config ?? inferred.config, weights, {
      parts: inferred.parts,
      latentFormat: options.latentFormat,
      name: options.name,
    });
  } finally {
    tf.dispose([...weights.values()]);
  }
}

/**
 * The SD3 VAE tensors of a source in the official layout without prefix
 * (`encoder.conv_in.weight`, ...): the prefix is found among {@link SD3_VAE_PREFIXES}, a
 * diffusers AutoencoderKL layout is converted, a diffusers pipeline folder's `vae/` is used.
 * New tensors; the caller disposes them.
 * @throws WeightMismatchError (core) when the source holds no VAE
 */
export async function readSD3VAEWeights(source: WeightSource, prefixOption?: string): Promise<Map<string, tf.Tensor>> {
  // A diffusers pipeline folder keeps its VAE in vae/.
  const folders = { subfolders: ['vae', ''] };
  const keys = await weightKeys(source, folders);
  const prefix =
    prefixOption ??
    findPrefix(keys, SD3_VAE_PREFIXES, 'decoder.conv_in.weight') ??
    findPrefix(keys, SD3_VAE_PREFIXES, 'encoder.conv_in.weight');
  if (prefix === undefined) {
    throw new WeightMismatchError(
      `SD3 VAE weights (${keys.length} tensors, e.g. ${formatValue(keys.slice(0, 3))})`,
      SD3_VAE_PREFIXES.map((p) => ({ key: `${p}decoder.conv_in.weight`, problem: 'missing' as const })),
    );
  }
  const belongs = (key: string) => key.startsWith(`${prefix}encoder.`) || key.startsWith(`${prefix}decoder.`);
  const loaded = await loadWeights(source, belongs, folders);
  try {
    const weights = new Map([...loaded.tensors].map(([k, t]) => [k.slice(prefix.length), t]));
    if (isDiffusersVaeLayout(weights.keys())) return diffusersVaeToOfficial(weights);
    return new Map([...weights].map(([k, t]) => [k, t.clone()]));
  } finally {
    if (loaded.owned) tf.dispose([...loaded.tensors.values()]);
  }
}
