/**
 * Saving and loading a {@link TinyAutoencoder} as safetensors. The configuration and the
 * latent normalisation travel in the file's `__metadata__`.
 */
import { formatValue, invalid, tf } from '@rectiflow/core';
import type { WeightSource } from '@rectiflow/safetensors';
import { serializeSafetensors, writeSafetensors } from '@rectiflow/safetensors';
import { checkLatentFormat, type LatentFormat } from './latent-format';
import { checkTinyAutoencoderConfig, TinyAutoencoder, type TinyAutoencoderConfig } from './tiny-autoencoder';
import { loadWeights } from './weights';

/** The `format` metadata value of a saved tiny autoencoder. */
export const TINY_AUTOENCODER_FORMAT = 'rectiflow/tiny-ae';

function metadataOf(ae: TinyAutoencoder): Record<string, string> {
  return {
    format: TINY_AUTOENCODER_FORMAT,
    config: JSON.stringify(ae.config),
    latentFormat: JSON.stringify(ae.latentFormat),
  };
}

/** The autoencoder as safetensors bytes. */
export function serializeTinyAutoencoder(ae: TinyAutoencoder): Promise<Uint8Array> {
  return serializeSafetensors(ae.weights(), metadataOf(ae));
}

/** Write the autoencoder to a safetensors file (Node; atomic). */
export function saveTinyAutoencoder(ae: TinyAutoencoder, path: string): Promise<void> {
  return writeSafetensors(path, ae.weights(), metadataOf(ae));
}

/** Options of {@link loadTinyAutoencoder}. */
export interface LoadTinyAutoencoderOptions {
  /** Needed when the source has no metadata (tensors in memory). */
  config?: Partial<TinyAutoencoderConfig>;
  latentFormat?: LatentFormat;
  /** The adapter's name (default `tiny-ae`). */
  name?: string;
}

function parseMetadata<T>(metadata: Readonly<Record<string, string>>, key: string): T | undefined {
  const text = metadata[key];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return invalid(`metadata.${key}`, text, 'JSON written by saveTinyAutoencoder');
  }
}

/**
 * Load a tiny autoencoder saved by {@link saveTinyAutoencoder} or
 * {@link serializeTinyAutoencoder}, from a path (Node), bytes, or tensors in memory
 * (then `options.config` is needed).
 * @throws ValidationError for missing or bad metadata; `WeightMismatchError` (from `@rectiflow/core`) naming
 *   each missing, misshaped or unexpected tensor.
 */
export async function loadTinyAutoencoder(source: WeightSource, options: LoadTinyAutoencoderOptions = {}): Promise<TinyAutoencoder> {
  const loaded = await loadWeights(source);
  try {
    const { metadata } = loaded;
    if (metadata.format !== undefined && metadata.format !== TINY_AUTOENCODER_FORMAT) {
      invalid('metadata.format', metadata.format, formatValue(TINY_AUTOENCODER_FORMAT));
    }
    const rawConfig = options.config ?? parseMetadata<Partial<TinyAutoencoderConfig>>(metadata, 'config');
    if (!rawConfig) invalid('config', undefined, 'a config in the file metadata (saveTinyAutoencoder writes one) or in options.config');
    const config = checkTinyAutoencoderConfig(rawConfig);
    const latentFormat = checkLatentFormat(
      options.latentFormat ?? parseMetadata<LatentFormat>(metadata, 'latentFormat') ?? { scale: 1, shift: 0 },
    );
    return new TinyAutoencoder(config, { weights: loaded.tensors, latentFormat, name: options.name });
  } finally {
    if (loaded.owned) tf.dispose([...loaded.tensors.values()]);
  }
}
