import { invalid, tf } from '@rectiflow/core';
import type { ParamStore } from './parameters';

/**
 * The 2-D sin-cos position table of a `grid x grid` patch grid, `[grid*grid, dim]`, row
 * major over (row, col). The first half of the features encodes the column, the second
 * half the row, each as `[sin(pos*omega), cos(pos*omega)]` with
 * `omega_i = 10000^(-i / (dim/4))` (as the official `get_2d_sincos_pos_embed`).
 */
export function sincosPosEmbed2d(dim: number, grid: number): Float32Array {
  if (dim % 4 !== 0) invalid('hidden size', dim, 'a multiple of 4 for the 2-D sin-cos table');
  const quarter = dim / 4;
  const out = new Float32Array(grid * grid * dim);
  for (let row = 0; row < grid; row++) {
    for (let col = 0; col < grid; col++) {
      const base = (row * grid + col) * dim;
      for (let i = 0; i < quarter; i++) {
        const omega = 1 / 10000 ** (i / quarter);
        out[base + i] = Math.sin(col * omega);
        out[base + quarter + i] = Math.cos(col * omega);
        out[base + 2 * quarter + i] = Math.sin(row * omega);
        out[base + 3 * quarter + i] = Math.cos(row * omega);
      }
    }
  }
  return out;
}

/**
 * Centre-crop a `[1, M*M, D]` position table to an `h x w` patch grid:
 * `top = floor((M - h)/2)`, `left = floor((M - w)/2)`; returns `[1, h*w, D]`.
 */
export function cropPosEmbed(table: tf.Tensor, maxSize: number, h: number, w: number): tf.Tensor3D {
  if (h > maxSize || w > maxSize) {
    invalid('latent patch grid', [h, w], `at most ${maxSize} x ${maxSize} patches (the position-embedding grid)`);
  }
  const dim = table.shape[table.rank - 1];
  const top = Math.floor((maxSize - h) / 2);
  const left = Math.floor((maxSize - w) / 2);
  return tf.tidy(() => {
    const grid = tf.reshape(table, [maxSize, maxSize, dim]);
    return tf.reshape(tf.slice(grid, [top, left, 0], [h, w, dim]), [1, h * w, dim]);
  });
}

/**
 * The position-embedding table `pos_embed [1, M*M, D]`, a buffer (not trained). New
 * models initialise it with {@link sincosPosEmbed2d}; checkpoints store it.
 */
export class PosEmbed {
  readonly table: tf.Variable;
  constructor(
    store: ParamStore,
    readonly maxSize: number,
    readonly hidden: number,
  ) {
    this.table = store.create(
      'pos_embed',
      [1, maxSize * maxSize, hidden],
      'plain',
      { kind: 'table', values: sincosPosEmbed2d(hidden, maxSize) },
      false,
    );
  }

  /** The centre crop for an `h x w` patch grid, `[1, h*w, D]`. */
  crop(h: number, w: number): tf.Tensor3D {
    return cropPosEmbed(this.table, this.maxSize, h, w);
  }
}
