import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '@rectiflow/core';
import { describe, expect, it } from 'vitest';
import { readSafetensors } from './reader';
import { type RawTensor, serializeSafetensors, writeSafetensors } from './writer';

const all: Record<string, RawTensor> = {
  f64: { dtype: 'F64', shape: [3], data: new Float64Array([Math.PI, -0, 1e300]) },
  f32: { dtype: 'F32', shape: [2, 2], data: new Float32Array([1.5, Number.NaN, -Infinity, 3.4e38]) },
  f16: { dtype: 'F16', shape: [3], data: new Uint16Array([0x3c00, 0x0001, 0xfbff]) },
  bf16: { dtype: 'BF16', shape: [2], data: new Uint16Array([0x3f80, 0xc049]) },
  i64: { dtype: 'I64', shape: [2], data: new BigInt64Array([-(2n ** 62n), 7n]) },
  i32: { dtype: 'I32', shape: [2], data: new Int32Array([-5, 2 ** 31 - 1]) },
  i16: { dtype: 'I16', shape: [1], data: new Int16Array([-32768]) },
  i8: { dtype: 'I8', shape: [1], data: new Int8Array([-128]) },
  u8: { dtype: 'U8', shape: [3], data: new Uint8Array([0, 128, 255]) },
  bool: { dtype: 'BOOL', shape: [2], data: new Uint8Array([1, 0]) },
  empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
  scalar: { dtype: 'F32', shape: [], data: new Float32Array([2]) },
};

describe('writing safetensors', () => {
  it('round-trips every dtype bit-exactly, with metadata', async () => {
    const bytes = await serializeSafetensors(all, { format: 'pt', note: 'ünïcode' });
    expect((8 + Number(new DataView(bytes.buffer).getBigUint64(0, true))) % 8).toBe(0);
    const file = await readSafetensors(bytes);
    expect(file.metadata).toEqual({ format: 'pt', note: 'ünïcode' });
    expect(file.keys()).toEqual(Object.keys(all).sort());
    for (const [key, t] of Object.entries(all)) {
      expect(file.info(key)).toMatchObject({ dtype: t.dtype, shape: t.shape });
      const got = await file.readBytes(key);
      const want = new Uint8Array((t.data as ArrayBufferView).buffer);
      expect(Buffer.from(got).equals(Buffer.from(want))).toBe(true);
    }
    // F16/BF16 read as float32 values.
    expect([...((await file.read('f16')) as Float32Array)]).toEqual([1, 2 ** -24, -65504]);
    expect([...((await file.read('bf16')) as Float32Array)]).toEqual([1, -3.140625]);
  });

  it('writes tfjs tensors, optionally as F16 or BF16, and reads them back as tensors', async () => {
    const x = tf.tensor([[0.1, 0.2, 0.3]]);
    const i = tf.tensor([1, -2], [2], 'int32');
    const b = tf.tensor([true, false], [2], 'bool');
    const file = await readSafetensors(await serializeSafetensors({ x, i, b }));
    const [x2, i2, b2] = await Promise.all(['x', 'i', 'b'].map((k) => file.tensor(k)));
    expect(x2.dtype).toBe('float32');
    expect([...x2.dataSync()]).toEqual([...x.dataSync()]);
    expect(i2.dtype).toBe('int32');
    expect([...i2.dataSync()]).toEqual([1, -2]);
    expect(b2.dtype).toBe('bool');
    expect([...b2.dataSync()]).toEqual([1, 0]);
    const half = await readSafetensors(await serializeSafetensors({ x }, undefined, { floatDtype: 'BF16' }));
    expect(half.info('x').dtype).toBe('BF16');
    const xb = await half.tensor('x');
    const err = Math.max(...[...xb.dataSync()].map((v, k) => Math.abs(v - x.dataSync()[k])));
    expect(err).toBeLessThan(2e-3);
    tf.dispose([x, i, b, x2, i2, b2, xb]);
  });

  it('rejects bad input with a message naming the tensor', async () => {
    await expect(serializeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } })).rejects.toThrow(
      /w: data has 3 elements but the shape needs 4/,
    );
    await expect(serializeSafetensors({ w: { dtype: 'F8' as never, shape: [1], data: [1] } })).rejects.toThrow(
      /dtype "F8" is not supported/,
    );
    await expect(serializeSafetensors({ __metadata__: { dtype: 'F32', shape: [], data: [1] } })).rejects.toThrow(/not a valid tensor key/);
    const t = tf.tensor([1]);
    t.dispose();
    await expect(serializeSafetensors({ t })).rejects.toThrow(/t: tensor is disposed/);
    const big = await readSafetensors(await serializeSafetensors({ ids: { dtype: 'I64', shape: [1], data: [2 ** 40] } }));
    await expect(big.tensor('ids')).rejects.toThrow(/does not fit int32/);
  });

  it('writes files atomically: a failed write leaves the previous file intact and no temp file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rectiflow-st-'));
    const path = join(dir, 'model.safetensors');
    await writeSafetensors(path, { a: { dtype: 'F32', shape: [2], data: [1, 2] } }, { step: '1' });
    const good = readFileSync(path);
    const disposed = tf.tensor([1]);
    disposed.dispose();
    await expect(writeSafetensors(path, { a: { dtype: 'F32', shape: [1], data: [3] }, z: disposed })).rejects.toThrow(/disposed/);
    expect(readFileSync(path).equals(good)).toBe(true);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
    const file = await readSafetensors(path);
    expect([...((await file.read('a')) as Float32Array)]).toEqual([1, 2]);
    expect(file.metadata).toEqual({ step: '1' });
    await file.close();
    writeFileSync(join(dir, 'junk.safetensors'), 'not a file');
    await expect(readSafetensors(join(dir, 'junk.safetensors'))).rejects.toThrow(/junk.safetensors: header length/);
  });
});
