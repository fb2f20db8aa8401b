import { createRng, tf } from '@rectiflow/core';
import { describe, expect, it } from 'vitest';
import { type EncoderBlock, EncoderDropout, SD3_ENCODER_DROP_PROBABILITY } from './encoder-dropout';

const blocks: EncoderBlock[] = [
  { name: 'a', rows: [0, 2], columns: [0, 1], pooled: [0, 1] },
  { name: 'b', rows: [2, 3], columns: [0, 2], pooled: null },
];

describe('EncoderDropout', () => {
  it('drops each encoder independently at the SD3 rate by default, reproducibly for a seed', () => {
    const d = new EncoderDropout(blocks, { rng: createRng(7) });
    expect(d.probabilities).toEqual([SD3_ENCODER_DROP_PROBABILITY, SD3_ENCODER_DROP_PROBABILITY]);
    const draws = d.draw(4000);
    const rate = (i: number) => draws.filter((r) => r[i]).length / draws.length;
    // binomial standard deviation at n = 4000 is 0.0079; allow 4 of them
    expect(Math.abs(rate(0) - 0.464)).toBeLessThan(0.032);
    expect(Math.abs(rate(1) - 0.464)).toBeLessThan(0.032);
    const both = draws.filter((r) => r[0] && r[1]).length / draws.length;
    expect(Math.abs(both - 0.464 * 0.464)).toBeLessThan(0.03);
    expect(new EncoderDropout(blocks, { rng: createRng(7) }).draw(50)).toEqual(draws.slice(0, 50));
  });

  it('replaces exactly the dropped rows and columns', () => {
    const d = new EncoderDropout(blocks, { rng: createRng(1), probability: { a: 0.5 } });
    const context = tf.ones([2, 3, 2]) as tf.Tensor3D;
    const pooled = tf.ones([2, 2]) as tf.Tensor2D;
    const uncond = { context: tf.fill([1, 3, 2], 5) as tf.Tensor3D, pooled: tf.fill([1, 2], 5) as tf.Tensor2D };
    const out = d.apply(
      { context, pooled },
      [
        [true, false],
        [false, true],
      ],
      uncond,
    );
    expect(out.context.arraySync()).toEqual([
      [
        [5, 1],
        [5, 1],
        [1, 1],
      ],
      [
        [1, 1],
        [1, 1],
        [5, 5],
      ],
    ]);
    expect(out.pooled.arraySync()).toEqual([
      [5, 1],
      [1, 1],
    ]);
    tf.dispose([context, pooled, uncond.context, uncond.pooled, out.context, out.pooled]);
  });

  it('validates its options', () => {
    expect(() => new EncoderDropout(blocks, { rng: undefined as never })).toThrow(/dropout\.rng/);
    expect(() => new EncoderDropout(blocks, { rng: createRng(1), probability: 1.5 })).toThrow(/dropout\.probability: got 1\.5/);
    expect(() => new EncoderDropout(blocks, { rng: createRng(1), probability: { c: 0.1 } })).toThrow(/dropout\.probability\.c/);
    const d = new EncoderDropout(blocks, { rng: createRng(1) });
    const context = tf.ones([1, 3, 2]) as tf.Tensor3D;
    const pooled = tf.ones([1, 2]) as tf.Tensor2D;
    expect(() => d.apply({ context, pooled }, [[true, true]])).toThrow(/unconditional/);
    tf.dispose([context, pooled]);
  });
});
