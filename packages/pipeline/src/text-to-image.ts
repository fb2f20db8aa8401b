/**
 * Text to images with any Rectiflow parts (a velocity network, a text encoder, an
 * autoencoder), written as numbered stages the way diffusers writes a pipeline's `__call__`:
 *
 * 1. check the inputs (sizes bounded before anything is allocated),
 * 2. encode the prompts, and the negative prompt for classifier-free guidance,
 * 3. prepare the latents: seeded noise per image, or an init image encoded for img2img,
 * 4. the time grid (uniform, shifted, or given, e.g. SD3's sigmas),
 * 5. denoise with the solver on the guided field (CFG, skip-layer guidance), with the
 *    network converted to a rectified-flow velocity whatever its formulation, and an
 *    `onStep` callback,
 * 6. decode the latents to images in [-1, 1].
 */
import {
  type Autoencoder,
  checkNumber,
  createRng,
  invalid,
  RectiflowError,
  type TextEncoder,
  type TextEncoding,
  tf,
  type VelocityFn,
} from '@rectiflow/core';
import { type Formulation, formulationVelocity } from '@rectiflow/losses';
import { type SkipLayerGuidance, sampleWithStats, shiftedGrid, uniformGrid } from '@rectiflow/solvers';

/** The most images, solver steps and latent elements per image one call accepts. */
export const TEXT_TO_IMAGE_LIMITS = { images: 4096, steps: 10_000, latentElements: 64 * 1024 * 1024 } as const;

/** What {@link TextToImageOptions.onStep} receives after each solver step. */
export interface StepInfo {
  /** Steps done, 1 to `steps`. */
  step: number;
  steps: number;
  /** The time the step started from (1 = noise, 0 = data). */
  t: number;
  /** The latents at `t`, `[B, C, h, w]`; valid only during the callback (copy what you keep). */
  latents: tf.Tensor;
  /**
   * The guided denoised estimate at `t` (x - t v), `[B, C, h, w]` latents: decode it to show the
   * image forming step by step. Valid only during the callback (copy what you keep).
   */
  denoised: tf.Tensor;
}

/** Options of {@link textToImage}. */
export interface TextToImageOptions {
  /** The network, called as in training (with `formulation`'s process state and time). */
  model: VelocityFn;
  /**
   * The formulation the network was trained with: sampling runs on its rectified-flow velocity
   * field (`formulationVelocity`), so eps, v and EDM networks sample on the same grid as rf
   * ones. Default: a rectified-flow velocity network.
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
  /** A solver or its spec, e.g. `euler`, `dopri5(rtol=1e-3)`. */
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
  /** Called after every solver step. */
  onStep?: (info: StepInfo) => void;
}

/** What {@link textToImage} returns. */
export interface TextToImageResult {
  /** Images [B, C, H, W] in [-1, 1]; the caller disposes them. */
  images: tf.Tensor4D;
  /** Evaluations of the guided velocity field. */
  nfe: number;
  /** Calls of the network (CFG batches the two branches into one call). */
  modelCalls: number;
}

/** Stage 1: check what a user can get wrong before anything is allocated. */
function checkInputs(o: TextToImageOptions): void {
  if (!o.prompts.length) invalid('prompts', o.prompts, 'at least one prompt');
  if (o.prompts.length > TEXT_TO_IMAGE_LIMITS.images)
    invalid('prompts', `${o.prompts.length} prompts`, `at most ${TEXT_TO_IMAGE_LIMITS.images} per call`);
  if (o.grid === undefined) checkNumber('steps', o.steps, { integer: true, min: 1, max: TEXT_TO_IMAGE_LIMITS.steps });
  else if (o.grid.length < 2 || o.grid.length > TEXT_TO_IMAGE_LIMITS.steps + 1)
    invalid('grid', `${o.grid.length} times`, `2 to ${TEXT_TO_IMAGE_LIMITS.steps + 1} times`);
  checkNumber('guidance', o.guidance, { min: 0 });
  checkNumber('shift', o.shift, { greaterThan: 0 });
  checkNumber('seed', o.seed, { integer: true });
  const [c, h, w] = o.latentShape;
  for (const [name, d] of [
    ['latentShape[0]', c],
    ['latentShape[1]', h],
    ['latentShape[2]', w],
  ] as const)
    checkNumber(name, d, { integer: true, min: 1 });
  if (c * h * w > TEXT_TO_IMAGE_LIMITS.latentElements)
    invalid('latentShape', o.latentShape, `at most ${TEXT_TO_IMAGE_LIMITS.latentElements} elements per image`);
  if (o.init) {
    checkNumber('init.strength', o.init.strength, { greaterThan: 0, max: 1 });
    if (o.init.images.shape[0] !== o.prompts.length) {
      invalid('init.images', `${o.init.images.shape[0]} image(s)`, `one per prompt (${o.prompts.length})`);
    }
  }
}

/** Stage 2: the prompts' encodings, and the negative prompt's when guidance needs it. */
function encodePrompts(o: TextToImageOptions): { cond: TextEncoding; uncond?: TextEncoding } {
  const cond = o.textEncoder.encode(o.prompts);
  if (o.guidance === 1) return { cond };
  try {
    return { cond, uncond: o.textEncoder.encode(o.prompts.map(() => o.negativePrompt ?? '')) };
  } catch (e) {
    disposeEncoding(cond);
    throw e;
  }
}

/** Stage 3: image i's noise from seed + i (an image does not depend on its batch), and the img2img latent. */
function prepareLatents(o: TextToImageOptions): { noise: tf.Tensor; initLatent?: tf.Tensor } {
  const noise = tf.tidy(() =>
    tf.concat(
      o.prompts.map((_, i) => createRng(o.seed + i).normal([1, ...o.latentShape])),
      0,
    ),
  );
  if (!o.init) return { noise };
  const encoded = o.autoencoder.encode(o.init.images, createRng(o.seed));
  const initLatent = encoded.mean.clone();
  tf.dispose([...new Set([encoded.mean, encoded.logvar, encoded.sample])]);
  if (initLatent.shape.slice(1).join() !== o.latentShape.join()) {
    const size = `${o.init.images.shape[3]}x${o.init.images.shape[2]}`;
    tf.dispose([noise, initLatent]);
    throw new RectiflowError(
      `init.images: ${size} images give latents [${initLatent.shape.slice(1)}]; the model samples [${o.latentShape}]`,
    );
  }
  return { noise, initLatent };
}

/** Stage 4: the times from noise (1) to data (0). */
function timeGrid(o: TextToImageOptions): readonly number[] {
  return o.grid ?? (o.shift === 1 ? uniformGrid(o.steps) : shiftedGrid(o.steps, o.shift));
}

function disposeEncoding(e: TextEncoding): void {
  tf.dispose([e.context, e.pooled, ...(e.mask ? [e.mask] : [])]);
}

/** Text to images; see the module comment for the stages. */
export function textToImage(options: TextToImageOptions): TextToImageResult {
  // 1. Check the inputs.
  checkInputs(options);
  // 2. Encode the prompts.
  const { cond, uncond } = encodePrompts(options);
  let latents: { noise: tf.Tensor; initLatent?: tf.Tensor } | undefined;
  try {
    // 3. Prepare the latents.
    latents = prepareLatents(options);
    // 4. The time grid.
    const grid = timeGrid(options);
    const steps = grid.length - 1;
    // 5. Denoise.
    let nfe = 0;
    const field = options.formulation ? formulationVelocity(options.model, options.formulation) : options.model;
    const counted: VelocityFn = (x, t, c, o) => {
      nfe++;
      return field(x, t, c, o);
    };
    const { initLatent } = latents;
    const result = sampleWithStats({
      model: counted,
      noise: latents.noise,
      cond: { context: cond.context, pooled: cond.pooled },
      uncond: uncond && { context: uncond.context, pooled: uncond.pooled },
      grid,
      solver: options.solver,
      guidance: options.skipLayers ? { scale: options.guidance, skipLayers: options.skipLayers } : options.guidance,
      ...(initLatent && options.init ? { init: { latent: initLatent, strength: options.init.strength } } : {}),
      ...(options.onStep
        ? {
            callback: (step: number, t: number, x: tf.Tensor, denoised: tf.Tensor) =>
              options.onStep?.({ step: step + 1, steps, t, latents: x, denoised }),
          }
        : {}),
    });
    // 6. Decode.
    const images = tf.tidy(() => tf.clipByValue(options.autoencoder.decode(result.x as tf.Tensor4D), -1, 1) as tf.Tensor4D);
    result.x.dispose();
    return { images, nfe: result.nfe, modelCalls: nfe };
  } finally {
    disposeEncoding(cond);
    if (uncond) disposeEncoding(uncond);
    if (latents) tf.dispose([latents.noise, ...(latents.initLatent ? [latents.initLatent] : [])]);
  }
}
