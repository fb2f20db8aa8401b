/**
 * The fused attention kernels (one stream, and the MM-DiT's joint attention over a context and
 * an image stream) on every instruction set this CPU runs, at 1 and 2 threads: forward and
 * gradients against the plain tfjs expressions (concatenate, softmax(scale q k^T) v, split, merge
 * heads), the same bits at 1 and 2 threads, and the cases where the context does not query
 * (pre-only) or its output is not used.
 */
import { createRng, tf } from '@rectiflow/core';
import { afterAll, describe, expect, it } from 'vitest';
import { FUSED_OPS } from './fused-op-names';
import { disableNativeKernels } from './index';
import { expectMatch, readValues, supportedIsas, useIsa } from './test-helpers';

const rng = createRng(52);

afterAll(() => disableNativeKernels());

const isas = await supportedIsas();
disableNativeKernels();

// 2 heads x 4 batch items, 9 context and 80 image tokens, heads of 20 (a vector tail at every
// width): above the size from which the items are split over the pool.
const [H, B, LC, LX, D] = [2, 4, 9, 80, 20];
const scale = 1 / Math.sqrt(D);

/** softmax(scale q k^T) v per item of `[N, L, d]` tensors, in plain tfjs. */
const attendStock = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => tf.matMul(tf.softmax(tf.mul(tf.matMul(q, k, false, true), scale)), v);

/** `[H, B, L, d]` -> `[B, L, H*d]`. */
const merge = (t: tf.Tensor) => {
  const [h, b, l, d] = t.shape;
  return tf.reshape(tf.transpose(t, [1, 2, 0, 3]), [b, l, h * d]);
};

/** The joint attention in plain tfjs: `[oc, ox]`, heads merged (oc empty when the context does not query). */
function jointStock(qc: tf.Tensor, kc: tf.Tensor, vc: tf.Tensor, qx: tf.Tensor, kx: tf.Tensor, vx: tf.Tensor): tf.Tensor[] {
  const flat = (t: tf.Tensor) => tf.reshape(t, [H * B, t.shape[2] as number, D]);
  const q = tf.concat([qc, qx], 2);
  const out = tf.reshape(attendStock(flat(q), flat(tf.concat([kc, kx], 2)), flat(tf.concat([vc, vx], 2))), [H, B, -1, D]);
  const [oc, ox] = tf.split(out, [qc.shape[2] as number, LX], 2);
  return [merge(oc), merge(ox)];
}

const jointNative = (qc: tf.Tensor, kc: tf.Tensor, vc: tf.Tensor, qx: tf.Tensor, kx: tf.Tensor, vx: tf.Tensor) =>
  (tf.engine().runKernel(FUSED_OPS.jointAttention, { qc, kc, vc, qx, kx, vx }, { scale }) as tf.Tensor[]).slice(0, 2);

describe.each(isas)('attention kernels on %s', (isa) => {
  it('joint attention: forward and gradients match plain tfjs; the same bits at 1 and 2 threads', async () => {
    const inputs = [LC, LC, LC, LX, LX, LX].map((l) => rng.normal([H, B, l, D], 0, 1.5));
    const [wc, wx] = [rng.normal([B, LC, H * D]), rng.normal([B, LX, H * D])];
    const noContextQuery = tf.zeros([H, B, 0, D]);
    const cases = (joint: typeof jointStock) => () => {
      const loss = (...t: tf.Tensor[]) => {
        const [oc, ox] = joint(t[0], t[1], t[2], t[3], t[4], t[5]);
        return tf.add(tf.sum(tf.mul(oc, wc)), tf.sum(tf.mul(ox, wx)));
      };
      // Pre-only: the context does not query; only the image output exists.
      const preOnly = (...t: tf.Tensor[]) => tf.sum(tf.mul(joint(noContextQuery, t[0], t[1], t[2], t[3], t[4])[1], wx));
      // The context queries but its output is not used.
      const imageOnly = (...t: tf.Tensor[]) => tf.sum(tf.mul(joint(t[0], t[1], t[2], t[3], t[4], t[5])[1], wx));
      return [
        ...joint(inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], inputs[5]),
        ...tf.grads(loss)(inputs),
        ...tf.grads(preOnly)(inputs.slice(1)),
        ...tf.grads(imageOnly)(inputs),
      ];
    };
    const stock = readValues(cases(jointStock));
    await useIsa(isa, 1);
    const one = readValues(cases(jointNative));
    await useIsa(isa, 2);
    const two = readValues(cases(jointNative));
    disableNativeKernels();
    expectMatch({ stock, native: one }, `${isa} joint`, 2e-5);
    two.forEach((values, i) => expect(Buffer.from(values.buffer).equals(Buffer.from(one[i].buffer)), `output ${i}`).toBe(true));
    tf.dispose([...inputs, wc, wx, noContextQuery]);
  });

  it('one-stream attention: forward and gradients match plain tfjs', async () => {
    const [q, k, v] = [rng.normal([6, 33, D]), rng.normal([6, 41, D]), rng.normal([6, 41, D])];
    const w = rng.normal([6, 33, D]);
    const stock = readValues(() => [attendStock(q, k, v), ...tf.grads((a, b, c) => tf.sum(tf.mul(attendStock(a, b, c), w)))([q, k, v])]);
    await useIsa(isa, 1);
    const native = readValues(() => {
      const [o, p] = tf.engine().runKernel(FUSED_OPS.attention, { q, k, v }, { scale }) as tf.Tensor[];
      return [o, ...(tf.engine().runKernel(FUSED_OPS.attentionGrad, { dy: w, q, k, v, p }, { scale }) as tf.Tensor[])];
    });
    disableNativeKernels();
    expectMatch({ stock, native }, `${isa} attention`, 2e-5);
    tf.dispose([q, k, v, w]);
  });
});
