import { describe, expect, it } from 'vitest';
import { RectiflowError } from './errors';
import { withField, withFieldAsync } from './field-error';
import { describeIoError } from './io-error';

describe('field errors', () => {
  it('prefixes a Rectiflow error with its field once', () => {
    expect(() =>
      withField('model', () => {
        throw new RectiflowError('depth must be at least 1');
      }),
    ).toThrow(/^model: depth must be at least 1$/);
    expect(() =>
      withField('model', () => {
        throw new RectiflowError('model: already named');
      }),
    ).toThrow(/^model: already named$/);
    expect(withField('model', () => 3)).toBe(3);
  });

  it('turns a file-system error into one line', async () => {
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open '/x/y'"), { code: 'ENOENT', path: '/x/y' });
    expect(describeIoError(enoent)).toBe('ENOENT: no such file or directory (/x/y)');
    expect(describeIoError(new Error('plain'))).toBeUndefined();
    await expect(
      withFieldAsync('vae', async () => {
        throw enoent;
      }),
    ).rejects.toThrow(/^vae: ENOENT: no such file or directory \(\/x\/y\)$/);
  });

  it('leaves other errors alone', () => {
    const e = new TypeError('x');
    expect(() =>
      withField('model', () => {
        throw e;
      }),
    ).toThrow(e);
  });
});
