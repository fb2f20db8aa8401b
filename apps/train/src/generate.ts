/**
 * Text to images with a trained run's parts: encode the prompts (and the empty prompt for
 * guidance), sample latents with a solver, decode them. Used for the sample grids during
 * training and by rectiflow-sample.
 */
import { encodePng, makeCaptionedGrid } from '@rectiflow/autoencoders';
import { type Autoencoder, createRng, RectiflowError, type TextEncoder, tf, type VelocityFn } from '@rectiflow/core';
import { type Formulation, formulationVelocity } from '@rectiflow/losses';
import { type SkipLayerGuidance, sampleWithStats, shiftedGrid, uniformGrid } from '@rectiflow/solvers';

export interface GenerateOptions {
  /** The network, called as in training (with `formulation`'s process state and time). */
  model: VelocityFn;
  /**
   * The formulation the network was trained with: sampling runs on its rectified-flow velocity
   * field ({@link formulationVelocity}), so eps, v and EDM networks sample on the same grid as
   * rf ones. Default: a rectified-flow velocity network.
   */
  formulation?: Pick<Formulation, 'process' | 'output'>;
  textEncoder: TextEncoder;
  autoencoder: Autoencoder;
  prompts: readonly string[];
  /** Negative prompt (default: the empty prompt). */
  negativePrompt?: string;
  /** Latent shape [C, h, w]. */
  latentShape: readonly [number, number, number];
  /** Noise seed of the first image; image i uses `seed + i`. */
  seed: number;
  steps: number;
  solver: string;
  guidance: number;
  /** Resolution shift of the time grid (1: uniform). */
  shift: number;
  /** An explicit time grid (e.g. the official SD3 sigmas); overrides steps and shift. */
  grid?: readonly number[];
  /** Skip-layer guidance (SD3.5): the blocks to skip and the scale of the extra term. */
  skipLayers?: SkipLayerGuidance;
  /**
   * img2img: images [B, C, H, W] in [-1, 1] (one per prompt), encoded and noised to the grid's
   * time at `strength` in (0, 1] (1 = from pure noise, as text to image).
   */
  init?: { images: tf.Tensor4D; strength: number };
  /** Called after every solver step with the step, the step count and the time reached. */
  onStep?: (info: { step: number; steps: number; t: number }) => void;
}

/** Images [B, C, H, W] in [-1, 1] (the caller disposes them) and the number of model calls. */
export function generate(options: GenerateOptions): { images: tf.Tensor4D; nfe: number } {
  const { prompts, textEncoder, autoencoder, latentShape } = options;
  const cond = textEncoder.encode(prompts);
  const uncond = options.guidance === 1 ? undefined : textEncoder.encode(prompts.map(() => options.negativePrompt ?? ''));
  // Image i's noise comes from seed + i, so an image does not depend on the batch it is in.
  const noise = tf.tidy(() =>
    tf.concat(
      prompts.map((_, i) => createRng(options.seed + i).normal([1, ...latentShape])),
      0,
    ),
  );
  let nfe = 0;
  const field = options.formulation ? formulationVelocity(options.model, options.formulation) : options.model;
  const model: VelocityFn = (x, t, c, o) => {
    nfe++;
    return field(x, t, c, o);
  };
  let initLatent: tf.Tensor | undefined;
  try {
    const grid = options.grid ?? (options.shift === 1 ? uniformGrid(options.steps) : shiftedGrid(options.steps, options.shift));
    if (options.init) {
      const { images } = options.init;
      if (images.shape[0] !== prompts.length) {
        throw new RectiflowError(`init images: got ${images.shape[0]} for ${prompts.length} prompt(s); expected one per prompt`);
      }
      const encoded = autoencoder.encode(images, createRng(options.seed));
      initLatent = encoded.mean.clone();
      tf.dispose([...new Set([encoded.mean, encoded.logvar, encoded.sample])]);
      if (initLatent.shape.slice(1).join() !== latentShape.join()) {
        const size = `${images.shape[3]}x${images.shape[2]}`;
        throw new RectiflowError(`init image: ${size} gives latents [${initLatent.shape.slice(1)}]; the model samples [${latentShape}]`);
      }
    }
    const steps = grid.length - 1;
    const { x: latents } = sampleWithStats({
      model,
      noise,
      cond: { context: cond.context, pooled: cond.pooled },
      uncond: uncond && { context: uncond.context, pooled: uncond.pooled },
      grid,
      solver: options.solver,
      guidance: options.skipLayers ? { scale: options.guidance, skipLayers: options.skipLayers } : options.guidance,
      ...(initLatent && options.init ? { init: { latent: initLatent, strength: options.init.strength } } : {}),
      ...(options.onStep ? { callback: (step: number, t: number) => options.onStep?.({ step: step + 1, steps, t }) } : {}),
    });
    const images = tf.tidy(() => tf.clipByValue(autoencoder.decode(latents as tf.Tensor4D), -1, 1) as tf.Tensor4D);
    latents.dispose();
    return { images, nfe };
  } finally {
    initLatent?.dispose();
    tf.dispose([noise, cond.context, cond.pooled, ...(cond.mask ? [cond.mask] : [])]);
    if (uncond) tf.dispose([uncond.context, uncond.pooled, ...(uncond.mask ? [uncond.mask] : [])]);
  }
}

/** Split a batch of CHW images into flat arrays (for adherence checks). */
export function imageArrays(images: tf.Tensor4D): Float32Array[] {
  const [b, c, h, w] = images.shape;
  const data = images.dataSync() as Float32Array;
  return Array.from({ length: b }, (_, i) => data.slice(i * c * h * w, (i + 1) * c * h * w));
}

/**
 * A PNG sample sheet of NCHW images in [-1, 1], `columns` per row, each image enlarged
 * (nearest neighbour) to at least 128 pixels a side with its prompt written under it.
 */
export function gridPng(images: tf.Tensor4D, columns: number, prompts: readonly string[]): Uint8Array {
  const sheet = makeCaptionedGrid(images, prompts, { columns, minSide: 128 });
  try {
    return encodePng(sheet);
  } finally {
    sheet.dispose();
  }
}
