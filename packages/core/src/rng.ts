/**
 * A seeded random number generator (xoshiro128**), identical on every platform and run.
 *
 * All randomness in Rectiflow goes through an {@link Rng}: noise, timesteps, dropout,
 * data order. Its state can be saved and restored, which exact training resume relies on.
 */
import { invalid } from './errors';
import { tf } from './tf';

/** A serialisable snapshot of an {@link Rng}. */
export interface RngState {
  algorithm: 'xoshiro128**';
  /** The four 32-bit state words, as unsigned integers. */
  state: [number, number, number, number];
}

/** Seeded random numbers, as plain numbers, arrays and tfjs tensors. */
export interface Rng {
  /** The next unsigned 32-bit integer. */
  nextUint32(): number;
  /** A uniform number in [0, 1) with 53 random bits. */
  uniformNumber(): number;
  /** A standard normal number. */
  normalNumber(): number;
  /** An integer in [low, high). */
  integer(low: number, high: number): number;
  /** `n` uniform numbers in [low, high), float64. */
  uniformArray(n: number, low?: number, high?: number): Float64Array;
  /** `n` normal numbers, float64. */
  normalArray(n: number, mean?: number, std?: number): Float64Array;
  /** A float32 tensor of uniform numbers in [low, high). */
  uniform(shape: readonly number[], low?: number, high?: number): tf.Tensor;
  /** A float32 tensor of normal numbers. */
  normal(shape: readonly number[], mean?: number, std?: number): tf.Tensor;
  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array;
  /** A new generator with an independent stream; advances this one. */
  split(): Rng;
  /** A snapshot of the state. */
  getState(): RngState;
  /** Restore a snapshot taken with {@link Rng.getState}. */
  setState(state: RngState): void;
  /** An independent copy with the same state. */
  clone(): Rng;
}

const TWO_POW_32 = 4294967296;

/** A 32-bit avalanche mix (the murmur3 finaliser). */
function mix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Expand words into a non-zero 128-bit state with a splitmix-style sequence. */
function seedState(words: number[]): [number, number, number, number] {
  let acc = 0x9e3779b9;
  for (const w of words) acc = mix32(acc ^ mix32(w + 0x632be5ab));
  const out: number[] = [];
  for (let i = 0; i < 4; i++) {
    acc = (acc + 0x9e3779b9) >>> 0;
    out.push(mix32(acc ^ mix32(i + words.length)));
  }
  if (!out.some((v) => v !== 0)) out[0] = 1;
  return out as [number, number, number, number];
}

function seedWords(seed: number | string): number[] {
  if (typeof seed === 'string') {
    const words = [seed.length];
    for (let i = 0; i < seed.length; i++) words.push(seed.charCodeAt(i));
    return words;
  }
  if (!Number.isSafeInteger(seed)) invalid('seed', seed, 'a safe integer or a string');
  const sign = seed < 0 ? 1 : 0;
  const abs = Math.abs(seed);
  return [abs % TWO_POW_32, Math.floor(abs / TWO_POW_32), sign];
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function checkSize(field: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) invalid(field, n, 'a non-negative integer');
}

class Xoshiro128 implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(state: [number, number, number, number]) {
    [this.s0, this.s1, this.s2, this.s3] = state.map((v) => v | 0);
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  uniformNumber(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  normalNumber(): number {
    return this.normalArray(1)[0];
  }

  integer(low: number, high: number): number {
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || high <= low) {
      invalid('integer(low, high)', [low, high], 'safe integers with low < high');
    }
    return low + Math.floor(this.uniformNumber() * (high - low));
  }

  uniformArray(n: number, low = 0, high = 1): Float64Array {
    checkSize('n', n);
    const out = new Float64Array(n);
    const span = high - low;
    for (let i = 0; i < n; i++) out[i] = low + span * this.uniformNumber();
    return out;
  }

  normalArray(n: number, mean = 0, std = 1): Float64Array {
    checkSize('n', n);
    const out = new Float64Array(n);
    // Box–Muller: each pair of uniforms gives two normals; an odd tail drops the spare.
    for (let i = 0; i < n; i += 2) {
      const u1 = 1 - this.uniformNumber(); // (0, 1]
      const u2 = this.uniformNumber();
      const r = Math.sqrt(-2 * Math.log(u1));
      const theta = 2 * Math.PI * u2;
      out[i] = mean + std * r * Math.cos(theta);
      if (i + 1 < n) out[i + 1] = mean + std * r * Math.sin(theta);
    }
    return out;
  }

  uniform(shape: readonly number[], low = 0, high = 1): tf.Tensor {
    const size = shapeSize(shape);
    return tf.tensor(Float32Array.from(this.uniformArray(size, low, high)), [...shape], 'float32');
  }

  normal(shape: readonly number[], mean = 0, std = 1): tf.Tensor {
    const size = shapeSize(shape);
    return tf.tensor(Float32Array.from(this.normalArray(size, mean, std)), [...shape], 'float32');
  }

  permutation(n: number): Int32Array {
    checkSize('n', n);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.uniformNumber() * (i + 1));
      const tmp = out[i];
      out[i] = out[j];
      out[j] = tmp;
    }
    return out;
  }

  split(): Rng {
    const words = [this.nextUint32(), this.nextUint32(), this.nextUint32(), this.nextUint32(), 0x5eed];
    return new Xoshiro128(seedState(words));
  }

  getState(): RngState {
    return { algorithm: 'xoshiro128**', state: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0] };
  }

  setState(state: RngState): void {
    const words = state?.state;
    const valid =
      state?.algorithm === 'xoshiro128**' &&
      Array.isArray(words) &&
      words.length === 4 &&
      words.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32) &&
      words.some((w) => w !== 0);
    if (!valid) {
      invalid('rng state', state, "{ algorithm: 'xoshiro128**', state: four uint32 words, not all zero }");
    }
    [this.s0, this.s1, this.s2, this.s3] = words.map((v) => v | 0);
  }

  clone(): Rng {
    return new Xoshiro128(this.getState().state);
  }
}

function shapeSize(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) invalid('shape', [...shape], 'non-negative integer dimensions');
    size *= d;
  }
  return size;
}

/**
 * Create a seeded generator. The same seed gives bit-identical numbers and tensors in
 * every run and on every platform.
 *
 * @param seed a safe integer or a string.
 * @example
 * ```ts
 * const rng = createRng(42);
 * const noise = rng.normal([1, 16, 64, 64]);
 * const saved = rng.getState(); // store with a checkpoint, restore with rng.setState(saved)
 * ```
 */
export function createRng(seed: number | string): Rng {
  return new Xoshiro128(seedState(seedWords(seed)));
}

/** Create a generator from a saved {@link RngState}. */
export function rngFromState(state: RngState): Rng {
  const rng = new Xoshiro128([1, 0, 0, 0]);
  rng.setState(state);
  return rng;
}
