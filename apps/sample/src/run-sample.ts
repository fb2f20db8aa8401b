/**
 * rectiflow-sample: prompts to PNG images and a grid, from a Rectiflow run (its EMA
 * weights) or from official SD3 safetensors (MM-DiT, VAE, CLIP-L/G and optional T5).
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { decodePng, encodePng, loadSD3VAE, pngTextValue } from '@rectiflow/autoencoders';
import {
  type Autoencoder,
  checkFits,
  checkNumber,
  importPlugins,
  largestFitting,
  memoryBudget,
  RectiflowError,
  type TextEncoder,
  tf,
  type VelocityFn,
} from '@rectiflow/core';
import { loadMMDiT, MMDiTVelocityModel, samplingBytes } from '@rectiflow/mmdit';
import { gridPng, type TextToImageOptions, textToImage } from '@rectiflow/pipeline';
import { checkWritableDir, ensureWritableDir, loadRun } from '@rectiflow/pipeline/node';
import { type SkipLayerGuidance, sd3Sigmas } from '@rectiflow/solvers';
import { type ClipActivation, Sd3TextEncoder } from '@rectiflow/text-encoders';

/** The most solver steps, images per batch and pixels per side accepted. */
export const MAX_STEPS = 1000;
export const MAX_BATCH = 256;
export const MAX_SIDE = 16384;
const SD3_VAE_FACTOR = 8;

/** Check that a file flag names a readable file, before anything is loaded. */
function checkFile(flag: string, path: string | undefined): void {
  if (path === undefined) return;
  if (!existsSync(path)) throw new RectiflowError(`${flag}: ${path} does not exist; expected a file`);
  if (!statSync(path).isFile()) throw new RectiflowError(`${flag}: ${path} is not a file`);
}

/** Read a JSON file named by a flag (a tokenizer), with a one-line error when it is not JSON. */
function readJsonText(flag: string, path: string): string {
  const text = readFileSync(path, 'utf8');
  try {
    JSON.parse(text);
  } catch (e) {
    throw new RectiflowError(`${flag}: ${path} is not valid JSON (${(e as Error).message}); expected a tokenizer.json`);
  }
  return text;
}

export const HELP = `rectiflow-sample: text to images.

Usage:
  rectiflow-sample [--checkpoint RUN_DIR] --prompt "a large red circle in the center" [--prompt ...] [options]
  rectiflow-sample --sd3 sd3_medium.safetensors --tokenizer clip/tokenizer.json [--t5-tokenizer t5/tokenizer.json] --prompt "..." [options]

Sources:
  --checkpoint <dir>      a rectiflow-train run folder (its latest checkpoint) or a checkpoint folder;
                          without --checkpoint and --sd3, the bundled shapes model (models/shapes-mmdit-d2)
  --no-ema                use the raw weights instead of the EMA (checkpoints)
  --sd3 <file>            official SD3 weights: MM-DiT (model.diffusion_model.* or bare keys); by default also
                          the VAE and text encoders when the file holds them (single-file checkpoints)
  --vae <file>            SD3 VAE safetensors (default: the --sd3 file)
  --clip-l <file>         CLIP-L text encoder (default: the --sd3 file)
  --clip-g <file>         CLIP-G text encoder (default: the --sd3 file)
  --t5 <file>             T5-XXL encoder (optional; without it T5's tokens are zeros)
  --tokenizer <file>      CLIP tokenizer.json (required with --sd3)
  --t5-tokenizer <file>   T5 tokenizer.json (required with --t5)
  --clip-l-heads, --clip-g-heads <n>, --clip-l-act, --clip-g-act <quick_gelu|gelu>   for non-standard CLIPs
  --width, --height <px>  image size with --sd3 (default 1024)

Prompts and sampling:
  --prompt <text>         a prompt (repeatable)
  --prompts-file <file>   one prompt per line
  --negative-prompt <t>   used for the unconditional branch (default: empty)
  --steps <n>             solver steps (default: the run's; 28 with --sd3)
  --solver <spec>         euler, heun, midpoint, rk4, dpmpp-2m, dpmpp-2m-sd3, dopri5(rtol=1e-3) (default: the run's; euler with --sd3)
  --guidance <scale>      classifier-free guidance (default: 3; 5 with --sd3)
  --shift <alpha>         time shift (default: the run's; 3 with --sd3, on the official sigma grid)
  --seed <n>              noise seed (default 0); image i uses seed + i, so the same seed gives the same images
                          whatever the batch size
  --batch-size <n>        images per batch (default 8)
  --out <dir>             output folder (default samples)

Image to image and skip-layer guidance:
  --init-image <png>      start from this image (img2img); its size must be the model's sampling size
  --strength <0..1>       how much of the grid to run from the noised init image (default 0.8; 1 = from noise)
  --slg-scale <s>         skip-layer guidance scale (SD3.5 Medium: 2.5); needs --slg-layers
  --slg-layers <list>     blocks to skip, e.g. 7,8,9
  --slg-start, --slg-end  fraction of the steps where skip-layer guidance is on (default 0.01 to 0.2)

Other:
  --import <module>       load a plugin module first (repeatable), e.g. --import ./plugin.mjs, so that
                          --solver can name a solver it registers
  --quiet                 no per-step progress
  --help                  this text

Every PNG carries its prompt, seed, steps, guidance, solver and model in PNG text chunks
("prompt", "rectiflow:parameters").`;

/** The small shapes model shipped with this app (see models/shapes-mmdit-d2/README.md). */
export const BUNDLED_MODEL = fileURLToPath(new URL('../models/shapes-mmdit-d2', import.meta.url));

export interface SampleSummary {
  files: string[];
  grid: string;
  seconds: number;
  nfe: number;
}

interface Pipeline {
  /** What is sampled, for the PNG text chunks: a run folder and step, or an SD3 file. */
  name: string;
  model: VelocityFn;
  /** The formulation the network trained with (default: rectified flow with velocity output). */
  formulation?: TextToImageOptions['formulation'];
  textEncoder: TextEncoder;
  autoencoder: Autoencoder;
  latentShape: [number, number, number];
  defaults: { steps: number; guidance: number; shift: number; solver?: string; grid?: (steps: number, shift: number) => number[] };
  dispose(): void;
}

function int(field: string, value: string | undefined, fallback: number, min = 1, max?: number): number {
  return value === undefined ? fallback : checkNumber(field, Number(value), { integer: true, min, ...(max === undefined ? {} : { max }) });
}

function num(field: string, value: string | undefined, fallback: number): number {
  return value === undefined ? fallback : checkNumber(field, Number(value), { min: 0 });
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 48) || 'empty'
  );
}

/** Skip-layer guidance from the --slg-* flags, checked before anything is loaded. */
function slgOptions(v: Record<string, unknown>): SkipLayerGuidance | undefined {
  const given = ['slg-scale', 'slg-layers', 'slg-start', 'slg-end'].filter((f) => v[f] !== undefined);
  if (!given.length) return undefined;
  if (v['slg-scale'] === undefined || v['slg-layers'] === undefined) {
    throw new RectiflowError(
      `--${given[0]}: skip-layer guidance needs both --slg-scale and --slg-layers (e.g. --slg-scale 2.5 --slg-layers 7,8,9)`,
    );
  }
  const layers = String(v['slg-layers'])
    .split(',')
    .map((x) => x.trim());
  if (!layers.every((x) => /^\d+$/.test(x)))
    throw new RectiflowError(`--slg-layers: got "${v['slg-layers']}"; expected block indices like 7,8,9`);
  const fraction = (flag: string) => (v[flag] === undefined ? undefined : checkNumber(`--${flag}`, Number(v[flag]), { min: 0, max: 1 }));
  return {
    scale: checkNumber('--slg-scale', Number(v['slg-scale']), { min: 0 }),
    layers: layers.map(Number),
    ...(fraction('slg-start') === undefined ? {} : { start: fraction('slg-start') }),
    ...(fraction('slg-end') === undefined ? {} : { end: fraction('slg-end') }),
  };
}

/** The --init-image PNG as [1, C, H, W] in [-1, 1], checked against the sampling size. */
function readInitImage(path: string, pipeline: Pipeline): tf.Tensor4D {
  const f = pipeline.autoencoder.downsampleFactor;
  const [, h, w] = pipeline.latentShape;
  let image: tf.Tensor4D;
  try {
    image = decodePng(readFileSync(path), { channels: pipeline.autoencoder.imageChannels as 1 | 3 });
  } catch (e) {
    throw new RectiflowError(`--init-image: ${path} is not a readable PNG (${(e as Error).message})`);
  }
  const [, , ih, iw] = image.shape;
  if (ih !== h * f || iw !== w * f) {
    image.dispose();
    throw new RectiflowError(`--init-image: ${path} is ${iw}x${ih}; the model samples ${w * f}x${h * f} images (resize it first)`);
  }
  return image;
}

async function sd3Pipeline(v: Record<string, string | boolean | string[] | undefined>): Promise<Pipeline> {
  const file = v.sd3 as string;
  if (!v.tokenizer) throw new RectiflowError('--tokenizer: required with --sd3 (the CLIP tokenizer.json)');
  if (v.t5 && !v['t5-tokenizer']) throw new RectiflowError('--t5-tokenizer: required with --t5');
  for (const flag of ['sd3', 'vae', 'clip-l', 'clip-g', 't5', 'tokenizer', 't5-tokenizer'])
    checkFile(`--${flag}`, v[flag] as string | undefined);
  const clipTokenizer = readJsonText('--tokenizer', v.tokenizer as string);
  const t5Tokenizer = v['t5-tokenizer'] ? readJsonText('--t5-tokenizer', v['t5-tokenizer'] as string) : null;
  const width = int('--width', v.width as string | undefined, 1024, 1, MAX_SIDE);
  const height = int('--height', v.height as string | undefined, 1024, 1, MAX_SIDE);
  const act = (name: string) => {
    const a = v[name] as string | undefined;
    if (a !== undefined && a !== 'quick_gelu' && a !== 'gelu')
      throw new RectiflowError(`--${name}: got "${a}"; expected quick_gelu or gelu`);
    return a as ClipActivation | undefined;
  };
  const clipOptions = (p: string) => ({
    ...(v[`${p}-heads`] ? { numHeads: int(`--${p}-heads`, v[`${p}-heads`] as string, 1) } : {}),
    ...(act(`${p}-act`) ? { hiddenAct: act(`${p}-act`) } : {}),
  });
  const clipLOptions = clipOptions('clip-l');
  const clipGOptions = clipOptions('clip-g');
  const mmdit = await loadMMDiT(file);
  const disposers: Array<{ dispose(): void }> = [mmdit];
  try {
    // The SD3 VAE downsamples by 8; checked before the VAE and text encoders are loaded.
    const c = mmdit.config;
    const unit = SD3_VAE_FACTOR * c.patchSize;
    const tokens = (height / unit) * (width / unit) + 77 + (v.t5 ? 256 : 77);
    const parameters = mmdit.parameterCount();
    const bytes = (t: number) => samplingBytes({ parameters, batch: 1, tokens: t, hidden: c.hidden, heads: c.heads });
    const maxSide = largestFitting(MAX_SIDE / unit, (n) => bytes(n * n + 154) <= memoryBudget().bytes) * unit;
    checkFits(
      '--width/--height',
      `${width}x${height}`,
      bytes(tokens),
      maxSide ? `at most about ${maxSide}x${maxSide} fits` : 'the model alone does not fit',
    );
    const autoencoder = await loadSD3VAE((v.vae as string) ?? file);
    disposers.push(autoencoder);
    const textEncoder = await Sd3TextEncoder.load({
      clipL: (v['clip-l'] as string) ?? file,
      clipG: (v['clip-g'] as string) ?? file,
      t5: (v.t5 as string) ?? null,
      tokenizers: {
        clip: clipTokenizer,
        t5: t5Tokenizer,
      },
      clipLOptions,
      clipGOptions,
    });
    disposers.push(textEncoder);
    const { contextDim, pooledDim } = mmdit.config;
    if (contextDim !== textEncoder.contextDim || pooledDim !== textEncoder.pooledDim) {
      throw new RectiflowError(
        `text encoders give context width ${textEncoder.contextDim} and pooled width ${textEncoder.pooledDim}; the MM-DiT expects ${contextDim} and ${pooledDim}`,
      );
    }
    const f = autoencoder.downsampleFactor;
    if (width % (f * mmdit.config.patchSize) || height % (f * mmdit.config.patchSize)) {
      throw new RectiflowError(`--width/--height: got ${width}x${height}; expected multiples of ${f * mmdit.config.patchSize}`);
    }
    const velocity = new MMDiTVelocityModel(mmdit);
    return {
      name: resolve(file),
      model: velocity.predict,
      textEncoder,
      autoencoder,
      latentShape: [autoencoder.latentChannels, height / f, width / f],
      defaults: { steps: 28, guidance: 5, shift: 3, grid: (steps, shift) => sd3Sigmas(steps, shift) },
      dispose: () => {
        for (const d of disposers) d.dispose();
      },
    };
  } catch (e) {
    for (const d of disposers) d.dispose();
    throw e;
  }
}

/** Run the sampler with command-line arguments; returns what it wrote. */
export async function runSample(
  argv: string[],
  log: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<SampleSummary | undefined> {
  const { values: v } = parseArgs({
    args: argv.filter((a) => a !== '--'),
    strict: true,
    options: {
      help: { type: 'boolean' },
      checkpoint: { type: 'string' },
      ema: { type: 'boolean', default: true },
      'no-ema': { type: 'boolean' },
      sd3: { type: 'string' },
      vae: { type: 'string' },
      'clip-l': { type: 'string' },
      'clip-g': { type: 'string' },
      t5: { type: 'string' },
      tokenizer: { type: 'string' },
      't5-tokenizer': { type: 'string' },
      'clip-l-heads': { type: 'string' },
      'clip-g-heads': { type: 'string' },
      'clip-l-act': { type: 'string' },
      'clip-g-act': { type: 'string' },
      width: { type: 'string' },
      height: { type: 'string' },
      prompt: { type: 'string', multiple: true },
      'prompts-file': { type: 'string' },
      'negative-prompt': { type: 'string' },
      steps: { type: 'string' },
      solver: { type: 'string' },
      guidance: { type: 'string' },
      shift: { type: 'string' },
      seed: { type: 'string' },
      'batch-size': { type: 'string' },
      out: { type: 'string' },
      'init-image': { type: 'string' },
      strength: { type: 'string' },
      'slg-scale': { type: 'string' },
      'slg-layers': { type: 'string' },
      'slg-start': { type: 'string' },
      'slg-end': { type: 'string' },
      import: { type: 'string', multiple: true },
      quiet: { type: 'boolean' },
    },
  });
  if (v.help) {
    log(HELP);
    return undefined;
  }
  const prompts = [...(v.prompt ?? [])];
  if (v['prompts-file']) {
    let text: string;
    try {
      text = readFileSync(v['prompts-file'], 'utf8');
    } catch (e) {
      throw new RectiflowError(`--prompts-file: cannot read ${v['prompts-file']} (${(e as Error).message})`);
    }
    prompts.push(...text.split(/\r?\n/).filter((l) => l.trim()));
  }
  if (!prompts.length) throw new RectiflowError('--prompt: no prompts given; pass --prompt "..." or --prompts-file FILE');
  if (v.checkpoint && v.sd3) throw new RectiflowError('source: pass one of --checkpoint RUN_DIR or --sd3 FILE, not both');
  if (!v.sd3 && (v.width || v.height)) throw new RectiflowError('--width/--height: only with --sd3 (a run samples at its training size)');
  // Everything the user typed is checked before any weights are loaded.
  if (v.steps !== undefined) int('--steps', v.steps, 0, 1, MAX_STEPS);
  if (v.guidance !== undefined) num('--guidance', v.guidance, 0);
  if (v.shift !== undefined) checkNumber('--shift', Number(v.shift), { greaterThan: 0 });
  const seed = int('--seed', v.seed, 0, Number.MIN_SAFE_INTEGER);
  const strength = v.strength === undefined ? 0.8 : checkNumber('--strength', Number(v.strength), { greaterThan: 0, max: 1 });
  if (v.strength !== undefined && !v['init-image']) throw new RectiflowError('--strength: only with --init-image');
  checkFile('--init-image', v['init-image']);
  const skipLayers = slgOptions(v);
  await importPlugins(v.import ?? []);
  const batchSize = int('--batch-size', v['batch-size'], 8, 1, MAX_BATCH);
  if (v.checkpoint !== undefined && !existsSync(v.checkpoint)) {
    throw new RectiflowError(`--checkpoint: ${v.checkpoint} does not exist; expected a run folder or a checkpoint folder`);
  }
  checkWritableDir('--out', v.out ?? 'samples');

  let pipeline: Pipeline;
  if (!v.sd3) {
    const checkpoint = v.checkpoint ?? BUNDLED_MODEL;
    if (!v.checkpoint) log(`no --checkpoint or --sd3: using the bundled model ${checkpoint} (trained on the shapes dataset)`);
    const run = await loadRun(checkpoint, !v['no-ema'], log);
    log(`loaded ${resolve(checkpoint)} at step ${run.step} (${v['no-ema'] ? 'raw' : 'EMA'} weights)`);
    pipeline = {
      name: `${resolve(checkpoint)} (step ${run.step}, ${v['no-ema'] ? 'raw' : 'EMA'} weights)`,
      model: run.model.predict,
      formulation: run.formulation,
      textEncoder: run.textEncoder,
      autoencoder: run.autoencoder,
      latentShape: run.latentShape,
      defaults: { steps: run.config.sampleSteps, guidance: run.config.guidance, shift: run.shift, solver: run.config.sampleSolver },
      dispose: () => run.dispose(),
    };
  } else {
    pipeline = await sd3Pipeline(v as Record<string, string | boolean | string[] | undefined>);
  }
  try {
    const steps = int('--steps', v.steps, pipeline.defaults.steps, 1, MAX_STEPS);
    const guidance = num('--guidance', v.guidance, pipeline.defaults.guidance);
    const shift = checkNumber('--shift', v.shift === undefined ? pipeline.defaults.shift : Number(v.shift), { greaterThan: 0 });
    const out = ensureWritableDir('--out', v.out ?? 'samples');
    const solver = v.solver ?? pipeline.defaults.solver ?? 'euler';
    const started = Date.now();
    let nfe = 0;
    const files: string[] = [];
    const all: tf.Tensor4D[] = [];
    const initImage = v['init-image'] ? readInitImage(v['init-image'], pipeline) : undefined;
    const batches = Math.ceil(prompts.length / batchSize);
    const progress = (batchIndex: number) =>
      v.quiet
        ? undefined
        : ({ step, steps: total }: { step: number; steps: number }) => {
            if (step === total || step % Math.max(1, Math.round(total / 4)) === 0)
              log(`  batch ${batchIndex}/${batches}: step ${step}/${total}`);
          };
    for (let start = 0; start < prompts.length; start += batchSize) {
      const batch = prompts.slice(start, start + batchSize);
      const init = initImage && { images: tf.tidy(() => tf.tile(initImage, [batch.length, 1, 1, 1])) as tf.Tensor4D, strength };
      const result = textToImage({
        model: pipeline.model,
        formulation: pipeline.formulation,
        textEncoder: pipeline.textEncoder,
        autoencoder: pipeline.autoencoder,
        prompts: batch,
        negativePrompt: v['negative-prompt'],
        latentShape: pipeline.latentShape,
        seed: seed + start,
        steps,
        solver,
        guidance,
        shift,
        grid: pipeline.defaults.grid?.(steps, shift),
        skipLayers,
        init,
        onStep: progress(start / batchSize + 1),
      });
      init?.images.dispose();
      nfe += result.nfe;
      log(
        `batch ${start / batchSize + 1}/${Math.ceil(prompts.length / batchSize)}: ${batch.length} image(s), ${steps} steps, ${((Date.now() - started) / 1000).toFixed(1)} s so far`,
      );
      batch.forEach((prompt, i) => {
        const image = tf.tidy(() => tf.slice(result.images, [i, 0, 0, 0], [1, -1, -1, -1]));
        const file = join(out, `${String(start + i).padStart(3, '0')}-${slug(prompt)}.png`);
        const parameters = {
          prompt,
          negativePrompt: v['negative-prompt'] ?? '',
          seed: seed + start + i,
          steps,
          solver,
          guidance,
          shift,
          model: pipeline.name,
          ...(skipLayers ? { skipLayers } : {}),
          ...(initImage ? { initImage: v['init-image'], strength } : {}),
          software: 'rectiflow-sample',
        };
        const text = { prompt: pngTextValue(prompt), 'rectiflow:parameters': pngTextValue(JSON.stringify(parameters)) };
        writeFileSync(file, encodePng(image, { text }));
        image.dispose();
        files.push(file);
      });
      all.push(result.images);
    }
    const images = tf.concat(all, 0) as tf.Tensor4D;
    tf.dispose(all);
    const grid = join(out, 'grid.png');
    writeFileSync(grid, gridPng(images, Math.ceil(Math.sqrt(prompts.length)), prompts));
    images.dispose();
    initImage?.dispose();
    const seconds = (Date.now() - started) / 1000;
    log(
      `${prompts.length} image(s) in ${seconds.toFixed(2)} s (${(prompts.length / seconds).toFixed(2)} images/s), ${nfe} model evaluations (NFE), solver ${solver}, ${steps} steps, CFG ${guidance}`,
    );
    log(`wrote ${files.length} PNG(s) and ${grid}`);
    return { files, grid, seconds, nfe };
  } finally {
    pipeline.dispose();
  }
}
