/**
 * Patches as rows and back, with reshapes and transposes only, so that gradients exist on
 * every backend (no Conv2DBackpropFilter needed on wasm).
 */
import { tf } from '@rectiflow/core';

/**
 * NCHW images [B, C, H, W] to rows [B·h·w, p·p·C], one row per p×p patch (row-major over
 * the patch grid; features ordered (py, px, c)). H and W must be multiples of p.
 */
export function patchify(images: tf.Tensor4D, p: number): tf.Tensor2D {
  const [b, c, h, w] = images.shape;
  return tf.tidy(() => {
    const nhwc = tf.transpose(images, [0, 2, 3, 1]);
    const split = tf.reshape(nhwc, [b * (h / p), p, w / p, p * c]);
    return tf.reshape(tf.transpose(split, [0, 2, 1, 3]), [(b * h * w) / (p * p), p * p * c]);
  });
}

/** The inverse of {@link patchify}: rows [B·h·w, p·p·C] to NCHW images [B, C, h·p, w·p]. */
export function unpatchify(
  rows: tf.Tensor2D,
  shape: { batch: number; channels: number; height: number; width: number },
  p: number,
): tf.Tensor4D {
  const { batch: b, channels: c, height, width } = shape;
  const gh = height / p;
  const gw = width / p;
  return tf.tidy(() => {
    const grid = tf.reshape(rows, [b * gh, gw, p, p * c]);
    const nhwc = tf.reshape(tf.transpose(grid, [0, 2, 1, 3]), [b, height, width, c]);
    return tf.transpose(nhwc, [0, 3, 1, 2]) as tf.Tensor4D;
  });
}

/** Per-position vectors [B·h·w, z] to NCHW [B, z, h, w]. */
export function rowsToNCHW(rows: tf.Tensor2D, batch: number, height: number, width: number): tf.Tensor4D {
  return tf.tidy(() => tf.transpose(tf.reshape(rows, [batch, height, width, rows.shape[1]]), [0, 3, 1, 2]) as tf.Tensor4D);
}

/** NCHW [B, z, h, w] to per-position rows [B·h·w, z]. */
export function nchwToRows(x: tf.Tensor4D): tf.Tensor2D {
  const [b, z, h, w] = x.shape;
  return tf.tidy(() => tf.reshape(tf.transpose(x, [0, 2, 3, 1]), [b * h * w, z]));
}
