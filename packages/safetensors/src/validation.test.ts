import { describe, expect, it } from 'vitest';
import { SafetensorsError, type SafetensorsErrorCode } from './errors';
import { readSafetensors } from './reader';
import { rawFile } from './test-helpers';

const f32 = (n: number) => ({ dtype: 'F32', shape: [n], data_offsets: [0, 4 * n] });

function u64(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, n, true);
  return out;
}

const cases: Array<[string, Uint8Array, SafetensorsErrorCode, RegExp]> = [
  ['an empty file', new Uint8Array(0), 'TRUNCATED', /file is 0 bytes/],
  ['a 5-byte file', new Uint8Array(5), 'TRUNCATED', /file is 5 bytes/],
  [
    'a header length beyond the file',
    new Uint8Array([...u64(1000n), 123, 125]),
    'TRUNCATED',
    /header length 1000 bytes runs beyond the end of the file \(10 bytes/,
  ],
  ['an absurd header length', new Uint8Array([...u64(2n ** 63n), 123, 125]), 'HEADER_TOO_LARGE', /exceeds the limit/],
  ['invalid JSON', rawFile(null, undefined, '{"a": '), 'INVALID_JSON', /not valid JSON/],
  ['trailing garbage after JSON', rawFile(null, undefined, '{} x'), 'INVALID_JSON', /unexpected text/],
  ['invalid UTF-8', new Uint8Array([...u64(3n), 0x7b, 0xff, 0x7d]), 'INVALID_UTF8', /not valid UTF-8/],
  [
    'a duplicate key',
    rawFile(
      null,
      new Uint8Array(8),
      '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}',
    ),
    'DUPLICATE_KEY',
    /key "a" twice/,
  ],
  ['a header that is a list', rawFile([]), 'INVALID_HEADER', /must be a JSON object/],
  [
    'an unknown dtype',
    rawFile({ a: { dtype: 'F4', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)),
    'UNKNOWN_DTYPE',
    /tensor "a": dtype "F4" is not supported; supported: F64, F32/,
  ],
  [
    'a negative dim',
    rawFile({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)),
    'INVALID_HEADER',
    /shape \[-1\] must be a list of non-negative integers/,
  ],
  [
    'a fractional offset',
    rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4.5] } }, new Uint8Array(4)),
    'INVALID_HEADER',
    /data_offsets/,
  ],
  ['an extra field', rawFile({ a: { ...f32(1), strides: [1] } }, new Uint8Array(4)), 'INVALID_HEADER', /unexpected field\(s\) strides/],
  [
    'a shape that does not match the byte length',
    rawFile({ a: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 20] } }, new Uint8Array(20)),
    'SHAPE_MISMATCH',
    /shape \[2, 3\] of F32 needs 24 bytes, but data_offsets \[0, 20\] hold 20/,
  ],
  [
    'a huge shape',
    rawFile({ a: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 4] } }, new Uint8Array(4)),
    'SHAPE_MISMATCH',
    /needs \d+ bytes/,
  ],
  [
    'offsets beyond the data',
    rawFile({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, new Uint8Array(8)),
    'OFFSET_OUT_OF_BOUNDS',
    /run beyond the data section \(8 bytes\)/,
  ],
  [
    'end before begin',
    rawFile({ a: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, new Uint8Array(4)),
    'INVALID_HEADER',
    /end before begin/,
  ],
  [
    'overlapping tensors',
    rawFile({ a: f32(2), b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, new Uint8Array(12)),
    'OVERLAP',
    /"b" \(bytes 4..12\) overlaps tensor "a"/,
  ],
  [
    'a gap between tensors',
    rawFile({ a: f32(1), b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, new Uint8Array(12)),
    'GAP',
    /4 unused byte\(s\) before tensor "b"/,
  ],
  ['trailing data', rawFile({ a: f32(1) }, new Uint8Array(8)), 'GAP', /data section is 8 bytes but the tensors cover 4/],
  ['non-string metadata', rawFile({ __metadata__: { step: 3 } }), 'INVALID_HEADER', /__metadata__.step must be a string/],
  ['deep nesting', rawFile(null, undefined, `{"a":${'['.repeat(100_000)}`), 'INVALID_JSON', /nesting deeper/],
];

describe('strict validation', () => {
  it.each(cases)('rejects %s', async (_, bytes, code, message) => {
    const error = await readSafetensors(bytes).catch((e) => e);
    expect(error).toBeInstanceOf(SafetensorsError);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^<bytes>: /);
  });

  it('accepts valid edge cases: no tensors, zero-size tensors, padding spaces, unknown key lookups fail clearly', async () => {
    expect((await readSafetensors(rawFile({}))).keys()).toEqual([]);
    const file = await readSafetensors(
      rawFile(
        null,
        new Uint8Array(4),
        '{"e":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}   ',
      ),
    );
    expect(file.keys()).toEqual(['e', 'a']);
    expect(await file.read('e')).toHaveLength(0);
    expect(() => file.info('nope')).toThrow(/no tensor "nope" \(the file exposes 2 tensors\)/);
  });
});
