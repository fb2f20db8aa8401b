// Shared by this package's tests: the path of the golden fixtures copied into test-data/.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRng, type tf, tf as tfjs } from '@rectiflow/core';
import { readSafetensors } from '@rectiflow/safetensors';

export const TEST_DATA = fileURLToPath(new URL('../test-data/', import.meta.url));
export const VAE_WEIGHTS = `${TEST_DATA}vae_tiny.safetensors`;
export const VAE_IO = `${TEST_DATA}vae_tiny_io.safetensors`;

/** Every tensor of a safetensors file in test-data/. */
export async function readAll(path: string): Promise<Map<string, tf.Tensor>> {
  const file = await readSafetensors(path);
  try {
    return await file.tensors();
  } finally {
    await file.close();
  }
}

/** The vae_tiny.json description. */
export function vaeTinyJson(): { encoder_args: { ch: number; ch_mult: number[]; num_res_blocks: number; z_channels: number } } {
  return JSON.parse(readFileSync(`${TEST_DATA}vae_tiny.json`, 'utf8'));
}

/**
 * A tiny synthetic image set: each channel of each image is a random linear ramp
 * a + bx·x + by·y over [-1, 1]², with a, bx, by uniform in [-0.5, 0.5).
 */
export function rampImages(n: number, size: number, seed: number): tf.Tensor4D {
  const rng = createRng(seed);
  const data = new Float32Array(n * 3 * size * size);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const [a, bx, by] = rng.uniformArray(3, -0.5, 0.5);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          data[((i * 3 + c) * size + y) * size + x] = a + bx * ((2 * x) / (size - 1) - 1) + by * ((2 * y) / (size - 1) - 1);
        }
      }
    }
  }
  return tfjs.tensor4d(data, [n, 3, size, size]);
}
