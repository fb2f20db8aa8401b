/** The activations of the text encoders. */
import { tf } from '@rectiflow/core';

/** The activations a CLIP text model can use. */
export type ClipActivation = 'quick_gelu' | 'gelu';

/** OpenAI CLIP's `x * sigmoid(1.702 x)`. */
export function quickGelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(tf.mul(x, 1.702))));
}

/** The exact GELU, `x/2 (1 + erf(x / sqrt 2))`. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * The tanh approximation of GELU, `x/2 (1 + tanh(z))` with `z = sqrt(2/pi) (x + 0.044715 x³)`,
 * computed as the identical `x sigmoid(2z)` (faster on the CPU backends).
 */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const cube = tf.mul(tf.mul(x, x), x);
    const z = tf.mul(tf.add(x, tf.mul(cube, 0.044715)), 2 * SQRT_2_OVER_PI);
    return tf.mul(x, tf.sigmoid(z));
  });
}

/** The activation by name. */
export function clipActivation(name: ClipActivation): (x: tf.Tensor) => tf.Tensor {
  return name === 'quick_gelu' ? quickGelu : gelu;
}
