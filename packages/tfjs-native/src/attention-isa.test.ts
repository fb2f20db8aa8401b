/**
 * The fused attention kernels on every instruction set this CPU runs, at 1 and 2 threads: one
 * stream, and the MM-DiT's joint attention read from both streams' qkv projections, with the
 * per-head q/k norm. Forward and gradients against the plain tfjs expressions (split the heads,
 * normalise q and k, concatenate the streams, softmax(scale q k^T) v, split, merge the heads), the
 * same bits at 1 and 2 threads, and the cases where the context does not query (pre-only) or
 * its output is not used; with the q/k norm inside the kernel also against finite differences.
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

// 2 heads x 4 batch items, 9 context and 150 image tokens, heads of 20 (a vector tail at every
// width): above the sizes from which the attention items and the q/k norm rows are split over
// the pool.
const [H, B, LC, LX, D] = [2, 4, 9, 150, 20];
const scale = 1 / Math.sqrt(D);
const EPS = 1e-6;

/** softmax(scale q k^T) v per item of `[N, L, d]` tensors, in plain tfjs. */
const attendStock = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => tf.matMul(tf.softmax(tf.mul(tf.matMul(q, k, false, true), scale)), v);

const rms = (x: tf.Tensor, g: tf.Tensor) => tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.mul(x, x), -1, true), EPS))), g);

/** The q/k norm in plain tfjs on `[B, L, 3 H d]`: q and k heads normalised, v unchanged. */
function qkNormStock(qkv: tf.Tensor, gq: tf.Tensor, gk: tf.Tensor): tf.Tensor {
  const [b, l] = qkv.shape;
  const [q, k, v] = tf.split(tf.reshape(qkv, [b, l, 3, H, D]), 3, 2);
  return tf.reshape(tf.concat([rms(q, gq), rms(k, gk), v], 2), [b, l, 3 * H * D]);
}

const qkNormNative = (qkv: tf.Tensor, gq: tf.Tensor, gk: tf.Tensor) =>
  tf.engine().runKernel(FUSED_OPS.qkNorm, { qkv, gq, gk }, { heads: H, eps: EPS }) as tf.Tensor;

/** `[B, L, 3 H d]` -> q, k, v heads first `[H * B, L, d]`. */
function headsOf(qkv: tf.Tensor): tf.Tensor[] {
  const [b, l] = qkv.shape;
  const parts = tf.split(tf.reshape(qkv, [b, l, 3, H, D]), 3, 2);
  return parts.map((t) => tf.reshape(tf.transpose(tf.reshape(t, [b, l, H, D]), [2, 0, 1, 3]), [H * b, l, D]));
}

/** `[H * B, L, d]` -> `[B, L, H d]`. */
const merge = (t: tf.Tensor) => tf.reshape(tf.transpose(tf.reshape(t, [H, B, -1, D]), [1, 2, 0, 3]), [B, -1, H * D]);

/** The joint attention in plain tfjs: `[oc, ox]`, heads merged (oc has no rows when the context does not query). */
function jointStock(qkvc: tf.Tensor, qkvx: tf.Tensor, queryContext: boolean): tf.Tensor[] {
  const [qc, kc, vc] = headsOf(qkvc);
  const [qx, kx, vx] = headsOf(qkvx);
  const q = queryContext ? tf.concat([qc, qx], 1) : qx;
  const out = attendStock(q, tf.concat([kc, kx], 1), tf.concat([vc, vx], 1));
  const lcq = queryContext ? LC : 0;
  const [oc, ox] = tf.split(out, [lcq, LX], 1);
  return [merge(oc), merge(ox)];
}

function jointNative(qkvc: tf.Tensor, qkvx: tf.Tensor, queryContext: boolean): tf.Tensor[] {
  const weights = tf.fill([H, B, (queryContext ? LC : 0) + LX, LC + LX], 0);
  return tf.engine().runKernel(FUSED_OPS.jointAttention, { qkvc, qkvx, weights }, { scale, heads: H, queryContext }) as tf.Tensor[];
}

/** The joint attention with each stream's q/k norm inside the kernel (raw projections in). */
function jointNormedNative(qkvc: tf.Tensor, qkvx: tf.Tensor, gains: tf.Tensor[], queryContext: boolean): tf.Tensor[] {
  const weights = tf.fill([H, B, (queryContext ? LC : 0) + LX, LC + LX], 0);
  const [gqc, gkc, gqx, gkx] = gains;
  return tf
    .engine()
    .runKernel(
      FUSED_OPS.jointAttentionQkNorm,
      { qkvc, qkvx, weights, gqc, gkc, gqx, gkx },
      { scale, heads: H, queryContext, eps: EPS },
    ) as tf.Tensor[];
}

const jointNormedStock = (qkvc: tf.Tensor, qkvx: tf.Tensor, gains: tf.Tensor[], queryContext: boolean) =>
  jointStock(qkNormStock(qkvc, gains[0], gains[1]), qkNormStock(qkvx, gains[2], gains[3]), queryContext);

describe.each(isas)('attention kernels on %s', (isa) => {
  it('joint attention with the q/k norm inside (a gain per stream): forward and gradients match plain tfjs; same bits at 1 and 2 threads', async () => {
    const qkvc = rng.normal([B, LC, 3 * H * D], 0, 1.5);
    const qkvx = rng.normal([B, LX, 3 * H * D], 0, 1.5);
    const gains = [0, 1, 2, 3].map(() => rng.normal([D], 1, 0.2));
    const [wc, wx] = [rng.normal([B, LC, H * D]), rng.normal([B, LX, H * D])];
    const cases = (joint: typeof jointNormedStock) => () => {
      const both = (...t: tf.Tensor[]) => {
        const [oc, ox] = joint(t[0], t[1], t.slice(2), true);
        return tf.add(tf.sum(tf.mul(oc, wc)), tf.sum(tf.mul(ox, wx)));
      };
      const preOnly = (...t: tf.Tensor[]) => tf.sum(tf.mul(joint(t[0], t[1], t.slice(2), false)[1], wx));
      const inputs = [qkvc, qkvx, ...gains];
      return [...joint(qkvc, qkvx, gains, true), ...tf.grads(both)(inputs), ...tf.grads(preOnly)(inputs)];
    };
    const stock = readValues(cases(jointNormedStock));
    await useIsa(isa, 1);
    const one = readValues(cases(jointNormedNative));
    await useIsa(isa, 2);
    const two = readValues(cases(jointNormedNative));
    disableNativeKernels();
    expectMatch({ stock, native: one }, `${isa} joint with q/k norm`, 2e-5);
    for (const [i, values] of two.entries()) {
      expect(Buffer.from(values.buffer).equals(Buffer.from(one[i].buffer)), `output ${i}`).toBe(true);
    }
    tf.dispose([qkvc, qkvx, ...gains, wc, wx]);
  });

  it('joint attention with the q/k norm: gradients agree with central finite differences of its forward', async () => {
    await useIsa(isa, 1);
    const inputs = [rng.normal([B, LC, 3 * H * D], 0, 1.5), rng.normal([B, LX, 3 * H * D], 0, 1.5)];
    const gains = [0, 1, 2, 3].map(() => rng.normal([D], 1, 0.2));
    const [wc, wx] = [rng.normal([B, LC, H * D]), rng.normal([B, LX, H * D])];
    const loss = (...t: tf.Tensor[]) => {
      const [oc, ox] = jointNormedNative(t[0], t[1], t.slice(2), true);
      return tf.add(tf.sum(tf.mul(oc, wc)), tf.sum(tf.mul(ox, wx)));
    };
    const all = [...inputs, ...gains];
    const grads = readValues(() => tf.grads(loss)(all));
    const h = 1e-2;
    let worst = 0;
    for (const [which, t] of all.entries()) {
      const base = t.dataSync() as Float32Array;
      // A few coordinates of each input: q, k and v columns of the projections, and gain entries.
      for (const i of [0, 7, D + 3, H * D + 5, 2 * H * D + 1].filter((j) => j < base.length)) {
        const at = (delta: number) => {
          const v = Float32Array.from(base);
          v[i] += delta;
          return tf.tidy(() => loss(...all.map((u, j) => (j === which ? tf.tensor(v, u.shape) : u))).dataSync()[0]);
        };
        const numeric = (at(h) - at(-h)) / (2 * h);
        worst = Math.max(worst, Math.abs(numeric - grads[which][i]) / Math.max(1, Math.abs(grads[which][i])));
      }
    }
    disableNativeKernels();
    expect(worst, `${isa}`).toBeLessThan(1e-2);
    tf.dispose([...all, wc, wx]);
  });

  it('joint attention with the q/k norm names a gain of the wrong size', async () => {
    await useIsa(isa, 1);
    const [qkvc, qkvx] = [tf.zeros([B, LC, 3 * H * D]), tf.zeros([B, LX, 3 * H * D])];
    const gains = [tf.ones([D]), tf.ones([D]), tf.ones([D + 1]), tf.ones([D])];
    expect(() => jointNormedNative(qkvc, qkvx, gains, true)).toThrow(`gqx must be float32 [${D}] (got float32 [${D + 1}])`);
    disableNativeKernels();
    tf.dispose([qkvc, qkvx, ...gains]);
  });

  it('q/k norm and joint attention: forward and gradients match plain tfjs; the same bits at 1 and 2 threads', async () => {
    const qkvc = rng.normal([B, LC, 3 * H * D], 0, 1.5);
    const qkvx = rng.normal([B, LX, 3 * H * D], 0, 1.5);
    const [gq, gk] = [rng.normal([D], 1, 0.2), rng.normal([D], 1, 0.2)];
    const [wc, wx] = [rng.normal([B, LC, H * D]), rng.normal([B, LX, H * D])];
    const cases = (norm: typeof qkNormStock, joint: typeof jointStock) => () => {
      const attention = (c: tf.Tensor, x: tf.Tensor, q: tf.Tensor, k: tf.Tensor, queryContext: boolean) =>
        joint(norm(c, q, k), norm(x, q, k), queryContext);
      const both = (...t: tf.Tensor[]) => {
        const [oc, ox] = attention(t[0], t[1], t[2], t[3], true);
        return tf.add(tf.sum(tf.mul(oc, wc)), tf.sum(tf.mul(ox, wx)));
      };
      // Pre-only: the context does not query; only the image output exists.
      const preOnly = (...t: tf.Tensor[]) => tf.sum(tf.mul(attention(t[0], t[1], t[2], t[3], false)[1], wx));
      // The context queries but its output is not used.
      const imageOnly = (...t: tf.Tensor[]) => tf.sum(tf.mul(attention(t[0], t[1], t[2], t[3], true)[1], wx));
      const inputs = [qkvc, qkvx, gq, gk];
      return [
        norm(qkvx, gq, gk),
        ...attention(qkvc, qkvx, gq, gk, true),
        ...tf.grads(both)(inputs),
        ...tf.grads(preOnly)(inputs),
        ...tf.grads(imageOnly)(inputs),
      ];
    };
    const stock = readValues(cases(qkNormStock, jointStock));
    await useIsa(isa, 1);
    const one = readValues(cases(qkNormNative, jointNative));
    await useIsa(isa, 2);
    const two = readValues(cases(qkNormNative, jointNative));
    disableNativeKernels();
    expectMatch({ stock, native: one }, `${isa} joint`, 2e-5);
    for (const [i, values] of two.entries()) {
      expect(Buffer.from(values.buffer).equals(Buffer.from(one[i].buffer)), `output ${i}`).toBe(true);
    }
    tf.dispose([qkvc, qkvx, gq, gk, wc, wx]);
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
