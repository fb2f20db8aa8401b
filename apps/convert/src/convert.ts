/**
 * A Rectiflow model, or any SD3 checkpoint Rectiflow reads, written in the layouts PyTorch
 * users load: the official single file (`model.diffusion_model.*`, plus `first_stage_model.*`
 * when there is an SD3 VAE) or a diffusers folder (`transformer/config.json` +
 * `diffusion_pytorch_model.safetensors`, and `vae/` when there is an SD3 VAE), in float32,
 * float16 or bfloat16.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inferSD3VAEConfig, officialVaeToDiffusers, readSD3VAEWeights, SD3_LATENT_FORMAT } from '@rectiflow/autoencoders';
import { invalid, RectiflowError, tf } from '@rectiflow/core';
import { loadMMDiT, type MMDiT, officialToDiffusers, toDiffusersConfig } from '@rectiflow/mmdit';
import type { RunCheckpointState } from '@rectiflow/pipeline';
import { openCheckpoint } from '@rectiflow/pipeline/node';
import { writeSafetensors } from '@rectiflow/safetensors';

/** Output layouts. */
export const CONVERT_FORMATS = ['official', 'diffusers'] as const;
/** Output float types. */
export const CONVERT_DTYPES = { float32: 'F32', float16: 'F16', bfloat16: 'BF16' } as const;

/** Options of {@link convert}. */
export interface ConvertOptions {
  /** A Rectiflow run or checkpoint folder, an official SD3 file, a diffusers folder, or a sharded index. */
  input: string;
  /** Where to write: a `.safetensors` file (official) or a folder (diffusers). */
  output: string;
  format: (typeof CONVERT_FORMATS)[number];
  dtype: keyof typeof CONVERT_DTYPES;
  /** For a run folder: the EMA weights (default) or the raw ones. */
  ema?: boolean;
  /** diffusers `sample_size` (the latent side); default: the run's latent side, else the position grid's (at most 128). */
  sampleSize?: number;
  /** Replace an existing output. Default false: never overwrite. */
  overwrite?: boolean;
  log?: (line: string) => void;
}

/** What {@link convert} wrote. */
export interface ConvertResult {
  files: string[];
  /** Whether an SD3 VAE was written beside the transformer. */
  vae: boolean;
  parameters: number;
}

function isRunFolder(path: string): boolean {
  return existsSync(join(path, 'state.json')) || existsSync(join(path, 'checkpoints')) || existsSync(join(path, 'latest.json'));
}

interface Source {
  model: MMDiT;
  vae: Map<string, tf.Tensor> | null;
  sampleSize?: number;
  description: string;
}

async function openSource(options: ConvertOptions, log: (line: string) => void): Promise<Source> {
  const { input } = options;
  if (!existsSync(input)) invalid('input', input, 'an existing run folder, checkpoint file or diffusers folder');
  if (isRunFolder(input)) {
    const weights = options.ema === false ? 'model' : 'ema';
    const ckpt = openCheckpoint<RunCheckpointState>(
      input,
      { files: [`${weights}.safetensors`], stateKeys: ['config', 'latentShape'] },
      log,
    );
    const model = await loadMMDiT(join(ckpt.dir, `${weights}.safetensors`));
    const [, h] = ckpt.state.latentShape;
    log(
      `run ${input}: step ${ckpt.state.step}, ${weights} weights, autoencoder ${ckpt.state.config.autoencoder}` +
        ' (only an SD3 VAE has a PyTorch layout; the transformer is written alone)',
    );
    return { model, vae: null, sampleSize: h, description: `${input} (step ${ckpt.state.step}, ${weights})` };
  }
  const model = await loadMMDiT(input, { strict: false });
  let vae: Map<string, tf.Tensor> | null = null;
  try {
    vae = await readSD3VAEWeights(input);
  } catch (e) {
    if (!(e instanceof RectiflowError)) throw e;
    log(`no SD3 VAE in ${input}: the transformer is written alone`);
  }
  return { model, vae, description: input };
}

/** diffusers' AutoencoderKL config.json for SD3 VAE weights (official layout). */
function diffusersVaeConfig(vae: ReadonlyMap<string, tf.Tensor>, latentSide: number): Record<string, unknown> {
  const { config } = inferSD3VAEConfig(new Map([...vae].map(([k, t]) => [k, t.shape])));
  const levels = config.chMult.length;
  return {
    _class_name: 'AutoencoderKL',
    _diffusers_version: '0.31.0',
    in_channels: config.imageChannels,
    out_channels: config.imageChannels,
    latent_channels: config.latentChannels,
    block_out_channels: config.chMult.map((m) => m * config.ch),
    down_block_types: Array(levels).fill('DownEncoderBlock2D'),
    up_block_types: Array(levels).fill('UpDecoderBlock2D'),
    layers_per_block: config.numResBlocks,
    act_fn: 'silu',
    norm_num_groups: 32,
    sample_size: latentSide * 2 ** (levels - 1),
    scaling_factor: SD3_LATENT_FORMAT.scale,
    shift_factor: SD3_LATENT_FORMAT.shift,
    use_quant_conv: false,
    use_post_quant_conv: false,
  };
}

function defaultSampleSize(model: MMDiT): number {
  return Math.min(model.config.posEmbedMaxSize * model.config.patchSize, 128);
}

/**
 * Convert a model; see the module comment for the layouts. Never overwrites unless asked, and
 * writes each file atomically (a temporary file renamed into place).
 * @throws ValidationError for a bad option; RectiflowError when the model does not fit the target
 *   layout (e.g. register tokens in a diffusers transformer).
 */
export async function convert(options: ConvertOptions): Promise<ConvertResult> {
  const log = options.log ?? (() => {});
  if (!CONVERT_FORMATS.includes(options.format)) invalid('format', options.format, CONVERT_FORMATS.join(' or '));
  const floatDtype = CONVERT_DTYPES[options.dtype];
  if (!floatDtype) invalid('dtype', options.dtype, Object.keys(CONVERT_DTYPES).join(', '));
  if (options.sampleSize !== undefined && (!Number.isInteger(options.sampleSize) || options.sampleSize < 1 || options.sampleSize > 4096)) {
    invalid('sampleSize', options.sampleSize, 'an integer from 1 to 4096');
  }
  if (options.format === 'official' && !options.output.endsWith('.safetensors'))
    invalid('output', options.output, 'a .safetensors file for the official layout');
  if (existsSync(options.output) && !options.overwrite)
    invalid('output', options.output, 'a path that does not exist yet (or pass overwrite)');
  const source = await openSource(options, log);
  const { model, vae } = source;
  const metadata = { format: 'pt', converted_by: 'rectiflow-convert', source: source.description };
  const state = model.stateDict();
  const files: string[] = [];
  try {
    if (options.format === 'official') {
      const all = new Map<string, tf.Tensor>();
      for (const [k, t] of state) all.set(`model.diffusion_model.${k}`, t);
      for (const [k, t] of vae ?? []) all.set(`first_stage_model.${k}`, t);
      await writeSafetensors(options.output, all, metadata, { floatDtype });
      files.push(options.output);
    } else {
      const sampleSize = options.sampleSize ?? source.sampleSize ?? defaultSampleSize(model);
      const config = toDiffusersConfig(model.config, sampleSize);
      const transformerDir = join(options.output, 'transformer');
      mkdirSync(transformerDir, { recursive: true });
      const diffusers = officialToDiffusers(state);
      try {
        const weights = join(transformerDir, 'diffusion_pytorch_model.safetensors');
        await writeSafetensors(weights, diffusers, metadata, { floatDtype });
        files.push(weights);
      } finally {
        tf.dispose([...diffusers.values()]);
      }
      const configPath = join(transformerDir, 'config.json');
      writeFileSync(configPath, `${JSON.stringify({ ...config, _diffusers_version: '0.31.0' }, null, 2)}\n`);
      files.push(configPath);
      if (vae) {
        const vaeDir = join(options.output, 'vae');
        mkdirSync(vaeDir, { recursive: true });
        const vaeConfigPath = join(vaeDir, 'config.json');
        writeFileSync(vaeConfigPath, `${JSON.stringify(diffusersVaeConfig(vae, sampleSize), null, 2)}\n`);
        files.push(vaeConfigPath);
        const converted = officialVaeToDiffusers(vae);
        try {
          const path = join(vaeDir, 'diffusion_pytorch_model.safetensors');
          await writeSafetensors(path, converted, metadata, { floatDtype });
          files.push(path);
        } finally {
          tf.dispose([...converted.values()]);
        }
      }
    }
    return { files, vae: vae !== null, parameters: model.parameterCount() };
  } finally {
    tf.dispose([...state.values(), ...(vae?.values() ?? [])]);
    model.dispose();
  }
}
