import { describe, expect, it } from 'vitest';
import { NonFiniteError, ValidationError } from './errors';
import { tf } from './tf';
import { assertFinite, checkNumber, checkShape } from './validate';

describe('validation helpers', () => {
  it('checks numbers and names the field, value and allowed range', () => {
    expect(checkNumber('depth', 2, { integer: true, min: 1 })).toBe(2);
    expect(() => checkNumber('depth', 0, { integer: true, min: 1 })).toThrow('depth: got 0; expected an integer >= 1');
    expect(() => checkNumber('rtol', Number.NaN, { greaterThan: 0 })).toThrow('rtol: got NaN; expected a finite number > 0');
    expect(() => checkNumber('t', 1.5, { min: 0, max: 1 })).toThrow(ValidationError);
  });

  it('checks shapes with wildcards and named dimensions', () => {
    const x = tf.zeros([2, 16, 8, 8]);
    checkShape('x', x, ['B', 16, null, null]);
    expect(() => checkShape('x', x, ['B', 4, null, null])).toThrow('x.shape: got [2, 16, 8, 8]; expected shape [B, 4, *, *]');
    expect(() => checkShape('x', x, ['B', 'C', 'H', 'C'])).toThrow(/equal 'C' dimensions/);
    expect(() => checkShape('x', x, ['B', 16, null])).toThrow(/x.shape/);
    x.dispose();
  });

  it('finds NaN and infinities', () => {
    const ok = tf.tensor([1, 2, 3]);
    const bad = tf.tensor([1, Number.NaN, Number.POSITIVE_INFINITY, Number.NaN]);
    expect(() => assertFinite('ok', ok)).not.toThrow();
    expect(() => assertFinite('loss at step 3', bad)).toThrow(NonFiniteError);
    expect(() => assertFinite('loss at step 3', bad)).toThrow('loss at step 3: contains 2 NaN and 1 infinite value(s)');
    tf.dispose([ok, bad]);
  });
});
