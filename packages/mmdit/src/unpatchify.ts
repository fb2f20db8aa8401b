import { invalid, tf } from '@rectiflow/core';

/**
 * The inverse layout of the final layer: tokens `[B, h*w, p*p*C]` with feature
 * `(py*p + px)*C + c` back to NCHW `[B, C, h*p, w*p]` (the official `nhwpqc -> nchpwq`).
 */
export function unpatchify(x: tf.Tensor3D, patch: number, channels: number, h: number, w: number): tf.Tensor4D {
  const [b, tokens, features] = x.shape;
  if (tokens !== h * w || features !== patch * patch * channels) {
    invalid('unpatchify input.shape', [...x.shape], `[B, ${h * w}, ${patch * patch * channels}]`);
  }
  return tf.tidy(() => {
    // [B, h*w, p*p, C] -> [B, C, h*w, p*p]: order (b, c, i, j, py, px).
    const channelFirst = tf.transpose(tf.reshape(x, [b, h * w, patch * patch, channels]), [0, 3, 1, 2]);
    // [B*C*h, j, py, px] -> [B*C*h, py, j, px]: order (b, c, i, py, j, px).
    const rows = tf.transpose(tf.reshape(channelFirst, [b * channels * h, w, patch, patch]), [0, 2, 1, 3]);
    return tf.reshape(rows, [b, channels, h * patch, w * patch]);
  });
}
