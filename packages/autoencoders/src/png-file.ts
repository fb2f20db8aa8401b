/**
 * PNG files by path (Node). The file system is reached through a dynamic import, so
 * importing this package in a browser never loads `node:fs`.
 */
import type { tf } from '@rectiflow/core';
import { type DecodePngOptions, decodePng, decodePngs, type EncodePngOptions, encodePng } from './png';

/** Read a PNG file as a tensor [1, C, H, W] in [-1, 1]. */
export async function readPng(path: string, options: DecodePngOptions = {}): Promise<tf.Tensor4D> {
  const { readFileBytes } = await import('./node-file');
  return decodePng(await readFileBytes(path), options);
}

/** Read PNG files of one size as a batch [B, C, H, W] in [-1, 1]. */
export async function readPngs(paths: readonly string[], options: DecodePngOptions = {}): Promise<tf.Tensor4D> {
  const { readFileBytes } = await import('./node-file');
  const all: Uint8Array[] = [];
  for (const p of paths) all.push(await readFileBytes(p));
  return decodePngs(all, options);
}

/** Write one image [1, C, H, W] or [C, H, W] in [-1, 1] as a PNG file (atomically; folders are created). */
export async function writePng(path: string, image: tf.Tensor, options: EncodePngOptions = {}): Promise<void> {
  const bytes = encodePng(image, options);
  const { writeFileBytes } = await import('./node-file');
  await writeFileBytes(path, bytes);
}
