import { invalid, tf } from '@rectiflow/core';
import { matMul2d } from '@rectiflow/nn';
import type { ParamStore } from './parameters';

/**
 * Cut NCHW latents `[B, C, H, W]` into non-overlapping `p x p` patches:
 * `[B, (H/p)(W/p), C*p*p]`, tokens in row-major order over the patch grid and features in
 * the order `(c, ky, kx)` of a conv weight `[D, C, p, p]`. Only reshapes and rank-4
 * transposes, so it is differentiable on every backend.
 */
export function patchify(x: tf.Tensor4D, patch: number): tf.Tensor3D {
  const [b, c, hgt, wid] = x.shape;
  if (hgt % patch !== 0 || wid % patch !== 0) {
    invalid('latent size', [hgt, wid], `height and width divisible by the patch size ${patch}`);
  }
  const h = hgt / patch;
  const w = wid / patch;
  return tf.tidy(() => {
    // [B*C*h, ky, w, kx] -> [B*C*h, w, ky, kx]: element order (b, c, i, j, ky, kx).
    const rows = tf.transpose(tf.reshape(x, [b * c * h, patch, w, patch]), [0, 2, 1, 3]);
    // [B, C, h*w, p*p] -> [B, h*w, C, p*p]: element order (b, i, j, c, ky, kx).
    const tokens = tf.transpose(tf.reshape(rows, [b, c, h * w, patch * patch]), [0, 2, 1, 3]);
    return tf.reshape(tokens, [b, h * w, c * patch * patch]);
  });
}

/**
 * The patch embedding: a conv with kernel = stride = p (official key `<key>.proj`,
 * weight `[D, C, p, p]`), computed as patchify + one 2-D matmul, so it trains on wasm
 * (which has no Conv2DBackpropFilter).
 */
export class PatchEmbed {
  /** [C*p*p, D]. */
  readonly weight: tf.Variable;
  /** [D]. */
  readonly bias: tf.Variable;

  constructor(
    store: ParamStore,
    key: string,
    readonly inChannels: number,
    readonly hidden: number,
    readonly patch: number,
  ) {
    const fanIn = inChannels * patch * patch;
    this.weight = store.create(`${key}.proj.weight`, [hidden, inChannels, patch, patch], 'conv', {
      kind: 'xavier',
      fanIn,
      fanOut: hidden,
    });
    this.bias = store.create(`${key}.proj.bias`, [hidden], 'plain', { kind: 'zeros' });
  }

  /** `[B, C, H, W]` -> `[B, (H/p)(W/p), D]`. */
  apply(x: tf.Tensor4D): tf.Tensor3D {
    if (x.shape[1] !== this.inChannels) invalid('x.shape', [...x.shape], `[B, ${this.inChannels}, H, W]`);
    return tf.tidy(() => {
      const tokens = patchify(x, this.patch);
      const [b, n, f] = tokens.shape;
      const y = tf.add(matMul2d(tf.reshape(tokens, [b * n, f]), this.weight as tf.Tensor2D), this.bias);
      return tf.reshape(y, [b, n, this.hidden]);
    });
  }
}
