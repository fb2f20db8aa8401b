import { describe, expect, it } from 'vitest';
import { createRng, rngFromState } from './rng';
import { tf } from './tf';

describe('createRng', () => {
  it('gives the same stream for the same seed, and a known one (bit-identical across runs)', () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    const ys = Array.from({ length: 5 }, () => b.nextUint32());
    expect(xs).toEqual(ys);
    // A golden prefix: any change to the generator or its seeding breaks saved runs.
    expect(xs).toMatchInlineSnapshot(`
      [
        1870790729,
        2768589685,
        4114438516,
        2500013976,
        1384890322,
      ]
    `);
    expect(createRng(43).nextUint32()).not.toBe(xs[0]);
    expect(createRng('42').nextUint32()).not.toBe(xs[0]);
  });

  it('implements xoshiro128** exactly (reference vector for state [1, 2, 3, 4])', () => {
    const rng = rngFromState({ algorithm: 'xoshiro128**', state: [1, 2, 3, 4] });
    const out = Array.from({ length: 10 }, () => rng.nextUint32());
    expect(out).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804]);
  });

  it('makes bit-identical tensors from the same seed', () => {
    const t1 = createRng(7).normal([3, 4]);
    const t2 = createRng(7).normal([3, 4]);
    expect(t1.dtype).toBe('float32');
    expect(t1.shape).toEqual([3, 4]);
    expect(Buffer.from((t1.dataSync() as Float32Array).buffer)).toEqual(Buffer.from((t2.dataSync() as Float32Array).buffer));
    tf.dispose([t1, t2]);
  });

  it('has the right moments', () => {
    const rng = createRng(1);
    const n = 200_000;
    const x = rng.normalArray(n);
    const mean = x.reduce((s, v) => s + v, 0) / n;
    const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.01);
    const u = rng.uniformArray(n, -2, 2);
    expect(u.reduce((m, v) => Math.min(m, v), Infinity)).toBeGreaterThanOrEqual(-2);
    expect(u.reduce((m, v) => Math.max(m, v), -Infinity)).toBeLessThan(2);
    expect(Math.abs(u.reduce((s, v) => s + v, 0) / n)).toBeLessThan(0.02);
  });

  it('saves and restores its state exactly', () => {
    const rng = createRng(123);
    rng.normalArray(11);
    const state = rng.getState();
    const expected = rng.normalArray(10);
    rng.setState(JSON.parse(JSON.stringify(state)));
    expect(rng.normalArray(10)).toEqual(expected);
    expect(rngFromState(state).normalArray(10)).toEqual(expected);
    const copy = rng.clone();
    expect(copy.uniformNumber()).toBe(rng.uniformNumber());
  });

  it('rejects invalid seeds and states, naming the field', () => {
    expect(() => createRng(1.5)).toThrow(/seed: got 1.5/);
    expect(() => createRng(Number.NaN)).toThrow(/seed: got NaN/);
    const rng = createRng(0);
    expect(() => rng.setState({ algorithm: 'xoshiro128**', state: [0, 0, 0, 0] })).toThrow(/rng state/);
    expect(() => rng.setState({ algorithm: 'mt' as never, state: [1, 2, 3, 4] })).toThrow(/rng state/);
  });

  it('splits into independent streams and makes valid permutations', () => {
    const rng = createRng(5);
    const child = rng.split();
    expect(child.nextUint32()).not.toBe(rng.nextUint32());
    const p = rng.permutation(100);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const k = rng.integer(3, 7);
    expect(k).toBeGreaterThanOrEqual(3);
    expect(k).toBeLessThan(7);
  });
});
