/**
 * The configuration of the SD3 (LDM) autoencoder, the tensor keys and shapes it implies,
 * and how to read a configuration back from a checkpoint's shapes.
 */
import { checkNumber, formatValue, invalid, WeightMismatchError } from '@rectiflow/core';
import { attentionBlockShapes } from './attention-block';
import { downsampleShapes } from './downsample';
import { resnetBlockShapes } from './resnet-block';
import { upsampleShapes } from './upsample';

/** The architecture of an SD3-style VAE. Names follow the official `VAEEncoder`/`VAEDecoder` arguments. */
export interface SD3VAEConfig {
  /** Base width `ch` (128 in SD3). */
  ch: number;
  /** Width multiplier per level, `ch_mult` ([1, 2, 4, 4] in SD3). Levels - 1 is the number of ×2 downsamplings. */
  chMult: number[];
  /** ResNet blocks per encoder level (2 in SD3); the decoder has one more per level. */
  numResBlocks: number;
  /** Image channels (3). */
  imageChannels: number;
  /** Latent channels `z_channels` (16 in SD3). */
  latentChannels: number;
}

/** The full-size SD3 configuration. */
export const SD3_VAE_CONFIG: Readonly<SD3VAEConfig> = Object.freeze({
  ch: 128,
  chMult: [1, 2, 4, 4],
  numResBlocks: 2,
  imageChannels: 3,
  latentChannels: 16,
});

/** Which halves a VAE has; checkpoints may ship only a decoder. */
export interface VAEParts {
  encoder: boolean;
  decoder: boolean;
}

/** GroupNorm groups used throughout the architecture. */
export const GROUP_NORM_GROUPS = 32;

/** Check a configuration and return a normalised copy. @throws ValidationError naming the field. */
export function checkSD3VAEConfig(config: SD3VAEConfig): SD3VAEConfig {
  const ch = checkNumber('config.ch', config.ch, { integer: true, min: 1 });
  if (ch % GROUP_NORM_GROUPS !== 0) invalid('config.ch', ch, `a multiple of ${GROUP_NORM_GROUPS} (GroupNorm groups)`);
  if (!Array.isArray(config.chMult) || config.chMult.length === 0) {
    invalid('config.chMult', config.chMult, 'a non-empty list of positive integers');
  }
  config.chMult.forEach((m, i) => {
    checkNumber(`config.chMult[${i}]`, m, { integer: true, min: 1 });
    if ((ch * m) % GROUP_NORM_GROUPS !== 0) {
      invalid(
        `config.chMult[${i}]`,
        m,
        `a multiplier that makes ch * chMult a multiple of ${GROUP_NORM_GROUPS} (GroupNorm groups); ch is ${ch}`,
      );
    }
  });
  return {
    ch,
    chMult: [...config.chMult],
    numResBlocks: checkNumber('config.numResBlocks', config.numResBlocks, { integer: true, min: 1 }),
    imageChannels: checkNumber('config.imageChannels', config.imageChannels, { integer: true, min: 1 }),
    latentChannels: checkNumber('config.latentChannels', config.latentChannels, { integer: true, min: 1 }),
  };
}

/** The spatial downsampling factor: 2^(levels - 1). */
export function downsampleFactorOf(config: SD3VAEConfig): number {
  return 2 ** (config.chMult.length - 1);
}

/** A one-line description, e.g. `ch=128, chMult=[1, 2, 4, 4], numResBlocks=2, latentChannels=16`. */
export function describeSD3VAEConfig(c: SD3VAEConfig): string {
  return `ch=${c.ch}, chMult=${formatValue(c.chMult)}, numResBlocks=${c.numResBlocks}, imageChannels=${c.imageChannels}, latentChannels=${c.latentChannels}`;
}

/** Every tensor key of the official layout (no prefix) and its PyTorch shape. */
export function sd3VaeWeightShapes(config: SD3VAEConfig, parts: VAEParts = { encoder: true, decoder: true }): Map<string, number[]> {
  const { ch, chMult, numResBlocks: nrb, imageChannels, latentChannels: z } = config;
  const levels = chMult.length;
  const out = new Map<string, number[]>();
  const last = ch * chMult[levels - 1];
  if (parts.encoder) {
    out.set('encoder.conv_in.weight', [ch, imageChannels, 3, 3]);
    out.set('encoder.conv_in.bias', [ch]);
    let blockIn = ch;
    for (let i = 0; i < levels; i++) {
      const blockOut = ch * chMult[i];
      for (let j = 0; j < nrb; j++) {
        resnetBlockShapes(`encoder.down.${i}.block.${j}.`, blockIn, blockOut, out);
        blockIn = blockOut;
      }
      if (i !== levels - 1) downsampleShapes(`encoder.down.${i}.downsample.`, blockIn, out);
    }
    resnetBlockShapes('encoder.mid.block_1.', last, last, out);
    attentionBlockShapes('encoder.mid.attn_1.', last, out);
    resnetBlockShapes('encoder.mid.block_2.', last, last, out);
    out.set('encoder.norm_out.weight', [last]);
    out.set('encoder.norm_out.bias', [last]);
    out.set('encoder.conv_out.weight', [2 * z, last, 3, 3]);
    out.set('encoder.conv_out.bias', [2 * z]);
  }
  if (parts.decoder) {
    out.set('decoder.conv_in.weight', [last, z, 3, 3]);
    out.set('decoder.conv_in.bias', [last]);
    resnetBlockShapes('decoder.mid.block_1.', last, last, out);
    attentionBlockShapes('decoder.mid.attn_1.', last, out);
    resnetBlockShapes('decoder.mid.block_2.', last, last, out);
    let blockIn = last;
    for (let i = levels - 1; i >= 0; i--) {
      const blockOut = ch * chMult[i];
      for (let j = 0; j < nrb + 1; j++) {
        resnetBlockShapes(`decoder.up.${i}.block.${j}.`, blockIn, blockOut, out);
        blockIn = blockOut;
      }
      if (i !== 0) upsampleShapes(`decoder.up.${i}.upsample.`, blockIn, out);
    }
    out.set('decoder.norm_out.weight', [blockIn]);
    out.set('decoder.norm_out.bias', [blockIn]);
    out.set('decoder.conv_out.weight', [imageChannels, blockIn, 3, 3]);
    out.set('decoder.conv_out.bias', [imageChannels]);
  }
  return out;
}

/** Distinct integer indices found at `prefix<N>.` in the keys. */
function indicesUnder(keys: Iterable<string>, prefix: string): number[] {
  const found = new Set<number>();
  for (const key of keys) {
    if (!key.startsWith(prefix)) continue;
    const n = Number(key.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(n) && n >= 0) found.add(n);
  }
  return [...found].sort((a, b) => a - b);
}

/**
 * Read the configuration and parts from a checkpoint's tensor shapes (keys without prefix).
 * The encoder's shapes decide when it is present; otherwise the decoder's.
 * @throws `WeightMismatchError` (from `@rectiflow/core`) when a tensor needed to read the configuration is missing.
 */
export function inferSD3VAEConfig(shapes: ReadonlyMap<string, readonly number[]>): { config: SD3VAEConfig; parts: VAEParts } {
  const what = 'SD3 VAE weights';
  const need = (key: string, rank: number): readonly number[] => {
    const s = shapes.get(key);
    if (!s) throw new WeightMismatchError(what, [{ key, problem: 'missing' }]);
    if (s.length !== rank) throw new WeightMismatchError(what, [{ key, problem: 'shape', found: [...s] }]);
    return s;
  };
  const parts: VAEParts = { encoder: shapes.has('encoder.conv_in.weight'), decoder: shapes.has('decoder.conv_in.weight') };
  if (!parts.encoder && !parts.decoder) {
    throw new WeightMismatchError(what, [
      { key: 'encoder.conv_in.weight', problem: 'missing' },
      { key: 'decoder.conv_in.weight', problem: 'missing' },
    ]);
  }
  if (parts.encoder) {
    const [ch, imageChannels] = need('encoder.conv_in.weight', 4);
    const levels = indicesUnder(shapes.keys(), 'encoder.down.');
    const blocks = indicesUnder(shapes.keys(), 'encoder.down.0.block.');
    const chMult = levels.map((i) => need(`encoder.down.${i}.block.0.conv1.weight`, 4)[0] / ch);
    const latentChannels = need('encoder.conv_out.weight', 4)[0] / 2;
    return { config: { ch, chMult, numResBlocks: blocks.length, imageChannels, latentChannels }, parts };
  }
  const [, latentChannels] = need('decoder.conv_in.weight', 4);
  const [imageChannels] = need('decoder.conv_out.weight', 4);
  const levels = indicesUnder(shapes.keys(), 'decoder.up.');
  const blocks = indicesUnder(shapes.keys(), 'decoder.up.0.block.');
  const widths = levels.map((i) => need(`decoder.up.${i}.block.0.conv1.weight`, 4)[0]);
  const ch = widths[0];
  return {
    config: { ch, chMult: widths.map((w) => w / ch), numResBlocks: blocks.length - 1, imageChannels, latentChannels },
    parts,
  };
}
