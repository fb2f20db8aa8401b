/**
 * An SD3-architecture VAE with seeded random weights: for wiring and shape tests of a
 * pipeline before real weights are at hand. Real weights come from {@link loadSD3VAE}.
 */
import { createRng, tf } from '@rectiflow/core';
import type { LatentFormat } from './latent-format';
import { SD3VAE } from './sd3-vae';
import { checkSD3VAEConfig, type SD3VAEConfig, sd3VaeWeightShapes } from './sd3-vae-config';

/**
 * Weights for every tensor of the layout: norm gains 1, biases 0, other tensors normal with
 * standard deviation 1/sqrt(fan-in), all drawn from `seed`.
 */
export function randomSD3VAEWeights(config: SD3VAEConfig, seed: number | string = 0): Map<string, tf.Tensor> {
  const rng = createRng(seed);
  const out = new Map<string, tf.Tensor>();
  for (const [key, shape] of sd3VaeWeightShapes(checkSD3VAEConfig(config))) {
    const isNorm = /norm[^.]*\.weight$/.test(key);
    if (key.endsWith('.bias')) out.set(key, tf.zeros(shape));
    else if (isNorm) out.set(key, tf.ones(shape));
    else {
      const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
      out.set(key, rng.normal(shape, 0, 1 / Math.sqrt(fanIn)));
    }
  }
  return out;
}

/** A {@link SD3VAE} with the weights of {@link randomSD3VAEWeights}. */
export function createRandomSD3VAE(
  config: SD3VAEConfig,
  options: { seed?: number | string; latentFormat?: LatentFormat; name?: string } = {},
): SD3VAE {
  const weights = randomSD3VAEWeights(config, options.seed ?? 0);
  try {
    return new SD3VAE(config, weights, { latentFormat: options.latentFormat, name: options.name });
  } finally {
    tf.dispose([...weights.values()]);
  }
}
