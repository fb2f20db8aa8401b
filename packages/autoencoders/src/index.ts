/**
 * @rectiflow/autoencoders: the autoencoders latent diffusion runs through. The SD3 VAE
 * (loaded from the official checkpoints), a pixel-space adapter, and a small trainable
 * autoencoder for small datasets; PNG I/O and sample grids, with captions in a small pixel font. Importing the package
 * registers the `autoencoder` plugins `sd3-vae`, `pixel` and `tiny-ae`.
 * @packageDocumentation
 */
export { AUTOENCODER_NAMES, createAutoencoder } from './autoencoder-plugins';
export { type CaptionedGridOptions, makeCaptionedGrid } from './captioned-grid';
export { diffusersVaeToOfficial, isDiffusersVaeLayout, officialVaeToDiffusers } from './diffusers-vae-keys';
export { type GridOptions, makeGrid } from './grid';
export { LOGVAR_RANGE, sampleLatent, splitMoments } from './latent-distribution';
export {
  checkLatentFormat,
  IDENTITY_LATENT_FORMAT,
  type LatentFormat,
  processIn,
  processOut,
  SD3_LATENT_FORMAT,
} from './latent-format';
export { type LoadSD3VAEOptions, loadSD3VAE, readSD3VAEWeights, SD3_VAE_PREFIXES } from './load-sd3-vae';
export { PixelAutoencoder, type PixelAutoencoderOptions } from './pixel-autoencoder';
export {
  type DrawTextOptions,
  drawText,
  GLYPH_ADVANCE,
  GLYPH_HEIGHT,
  GLYPH_WIDTH,
  glyphFor,
  hasGlyph,
  LINE_HEIGHT,
  textWidth,
  wrapText,
} from './pixel-font';
export {
  type DecodePngOptions,
  decodePng,
  decodePngs,
  type EncodePngOptions,
  encodePng,
  type PngChannels,
  pngTextValue,
  readPngText,
} from './png';
export { readPng, readPngs, writePng } from './png-file';
export { createRandomSD3VAE, randomSD3VAEWeights } from './random-sd3-vae';
export { SD3VAE, type SD3VAEOptions } from './sd3-vae';
export {
  checkSD3VAEConfig,
  inferSD3VAEConfig,
  SD3_VAE_CONFIG,
  type SD3VAEConfig,
  sd3VaeWeightShapes,
  type VAEParts,
} from './sd3-vae-config';
export { decodeTiled, type TiledDecodeOptions } from './tiled-decode';
export {
  checkTinyAutoencoderConfig,
  TINY_AUTOENCODER_DEFAULTS,
  TinyAutoencoder,
  type TinyAutoencoderConfig,
  type TinyAutoencoderOptions,
  tinyAutoencoderWeightShapes,
} from './tiny-autoencoder';
export {
  type LoadTinyAutoencoderOptions,
  loadTinyAutoencoder,
  saveTinyAutoencoder,
  serializeTinyAutoencoder,
  TINY_AUTOENCODER_FORMAT,
} from './tiny-autoencoder-io';
export {
  fitLatentFormat,
  reconstructionError,
  type TinyAutoencoderStep,
  type TrainTinyAutoencoderOptions,
  type TrainTinyAutoencoderResult,
  trainTinyAutoencoder,
} from './train-tiny-autoencoder';
export type { TensorMap } from './weights';
