// Shared by this package's tests: synthetic images (fixtures are read with `@rectiflow/core/testing`).
import { createRng, type tf, tf as tfjs } from '@rectiflow/core';

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
