/**
 * Small argument checks shared by every package. Each throws a {@link ValidationError}
 * that names the field.
 */
import { invalid, NonFiniteError } from './errors';
import type { tf } from './tf';

/** Range and kind constraints for {@link checkNumber}. */
export interface NumberConstraints {
  integer?: boolean;
  /** Inclusive lower bound. */
  min?: number;
  /** Inclusive upper bound. */
  max?: number;
  /** Exclusive lower bound. */
  greaterThan?: number;
  /** Exclusive upper bound. */
  lessThan?: number;
}

/** Describe constraints in words, e.g. `an integer >= 1`. */
export function describeNumber(c: NumberConstraints = {}): string {
  const parts: string[] = [];
  if (c.min !== undefined) parts.push(`>= ${c.min}`);
  if (c.greaterThan !== undefined) parts.push(`> ${c.greaterThan}`);
  if (c.max !== undefined) parts.push(`<= ${c.max}`);
  if (c.lessThan !== undefined) parts.push(`< ${c.lessThan}`);
  const kind = c.integer ? 'an integer' : 'a finite number';
  return parts.length ? `${kind} ${parts.join(' and ')}` : kind;
}

/** Check that `value` is a finite number within the constraints, and return it. */
export function checkNumber(field: string, value: unknown, c: NumberConstraints = {}): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!c.integer || Number.isInteger(value)) &&
    (c.min === undefined || value >= c.min) &&
    (c.max === undefined || value <= c.max) &&
    (c.greaterThan === undefined || value > c.greaterThan) &&
    (c.lessThan === undefined || value < c.lessThan);
  if (!ok) invalid(field, value, describeNumber(c));
  return value as number;
}

/**
 * Check a tensor's shape. `null` in `expected` matches any size; a string names a
 * dimension that must be equal wherever the same name appears (e.g. `['B', 16, 'H', 'W']`).
 */
export function checkShape(field: string, tensor: { shape: readonly number[] }, expected: ReadonlyArray<number | string | null>): void {
  const shape = tensor.shape;
  const describe = `shape [${expected.map((d) => (d === null ? '*' : String(d))).join(', ')}]`;
  if (shape.length !== expected.length) invalid(`${field}.shape`, [...shape], describe);
  const named = new Map<string, number>();
  expected.forEach((want, i) => {
    const got = shape[i];
    if (typeof want === 'number' && got !== want) invalid(`${field}.shape`, [...shape], describe);
    if (typeof want === 'string') {
      const seen = named.get(want);
      if (seen !== undefined && seen !== got) {
        invalid(`${field}.shape`, [...shape], `${describe} with equal '${want}' dimensions`);
      }
      named.set(want, got);
    }
  });
}

/**
 * Throw a {@link NonFiniteError} if the tensor holds NaN or ±Infinity.
 * Reads the tensor back (one sync); use it at boundaries, not in inner loops.
 */
export function assertFinite(where: string, tensor: tf.Tensor): void {
  if (tensor.dtype !== 'float32') return;
  const data = tensor.dataSync() as Float32Array;
  let nan = 0;
  let inf = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v !== v) nan++;
    else if (v === Infinity || v === -Infinity) inf++;
  }
  if (nan || inf) throw new NonFiniteError(where, nan, inf);
}

/** Throw a {@link NonFiniteError} if the number is NaN or ±Infinity. */
export function assertFiniteNumber(where: string, value: number): void {
  if (!Number.isFinite(value)) {
    throw new NonFiniteError(where, Number.isNaN(value) ? 1 : 0, Number.isNaN(value) ? 0 : 1);
  }
}
