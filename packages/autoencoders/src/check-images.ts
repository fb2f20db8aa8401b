/**
 * Input checks shared by the adapters: NCHW float tensors with the right channel count and
 * sizes that the network can halve the needed number of times.
 */
import { formatValue, invalid, type tf } from '@rectiflow/core';

/**
 * Check an NCHW batch: rank 4, float32, `channels` channels, and height and width positive
 * multiples of `multiple`.
 * @throws ValidationError naming `field`.
 */
export function checkNCHW(field: string, x: tf.Tensor, channels: number, multiple: number, what: string): asserts x is tf.Tensor4D {
  if (x.rank !== 4) invalid(`${field}.shape`, x.shape, `a rank-4 NCHW tensor [B, ${channels}, H, W] of ${what}`);
  if (x.dtype !== 'float32') invalid(`${field}.dtype`, x.dtype, 'float32');
  const [, c, h, w] = x.shape;
  if (c !== channels) {
    invalid(
      `${field}.shape`,
      x.shape,
      `${channels} channels in dimension 1 (NCHW [B, ${channels}, H, W] ${what})${x.shape[3] === channels ? '; the tensor looks NHWC: transpose it with [0, 3, 1, 2]' : ''}`,
    );
  }
  if (h === 0 || w === 0 || h % multiple !== 0 || w % multiple !== 0) {
    invalid(
      `${field}.shape`,
      x.shape,
      `height and width that are positive multiples of ${multiple}; got ${h}x${w}${multiple > 1 ? `: crop or pad to ${formatValue(roundUp(h, multiple))}x${formatValue(roundUp(w, multiple))}` : ''}`,
    );
  }
}

function roundUp(n: number, multiple: number): number {
  return Math.max(multiple, Math.ceil(n / multiple) * multiple);
}
