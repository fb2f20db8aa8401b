import { createRng, tf } from '@rectiflow/core';
import { describe, expect, it } from 'vitest';
import { gatedResidual } from './gated-residual';

const rng = createRng(5);

describe('gatedResidual', () => {
  it('is x + gate * y with the gate broadcast over the tokens, and its gradients', () => {
    const [x, y, gate] = [rng.normal([2, 3, 4]), rng.normal([2, 3, 4]), rng.normal([2, 4])] as [tf.Tensor3D, tf.Tensor3D, tf.Tensor2D];
    const [xs, ys, gs] = [x.arraySync(), y.arraySync(), gate.arraySync()];
    const out = gatedResidual(x, gate, y).arraySync();
    for (let b = 0; b < 2; b++)
      for (let l = 0; l < 3; l++) for (let c = 0; c < 4; c++) expect(out[b][l][c]).toBeCloseTo(xs[b][l][c] + gs[b][c] * ys[b][l][c], 6);
    const [dx, dgate, dy] = tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) =>
      tf.sum(gatedResidual(p as tf.Tensor3D, q as tf.Tensor2D, r as tf.Tensor3D)),
    )([x, gate, y]);
    expect(Array.from(dx.dataSync())).toEqual(Array(24).fill(1));
    const dg = dgate.arraySync() as number[][];
    for (let b = 0; b < 2; b++) for (let c = 0; c < 4; c++) expect(dg[b][c]).toBeCloseTo(ys[b][0][c] + ys[b][1][c] + ys[b][2][c], 5);
    const dyv = dy.arraySync() as number[][][];
    for (let b = 0; b < 2; b++) for (let l = 0; l < 3; l++) for (let c = 0; c < 4; c++) expect(dyv[b][l][c]).toBeCloseTo(gs[b][c], 6);
    tf.dispose([x, y, gate, dx, dgate, dy]);
  });
});
