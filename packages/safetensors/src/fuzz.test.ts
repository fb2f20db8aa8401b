import { readFileSync } from 'node:fs';
import { createRng, tf } from '@rectiflow/core';
import { fixturePath } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { SafetensorsError } from './errors';
import { readSafetensors } from './reader';
import { serializeSafetensors } from './writer';

async function readEverything(bytes: Uint8Array): Promise<'ok' | 'rejected'> {
  try {
    const file = await readSafetensors(bytes);
    for (const key of file.keys()) {
      const info = file.info(key);
      const data = await file.read(key);
      if (data.length !== info.shape.reduce((a, b) => a * b, 1)) throw new Error(`wrong length for ${key}`);
      const t = await file.tensor(key, { allowInt64Overflow: true });
      t.dispose();
    }
    return 'ok';
  } catch (e) {
    if (e instanceof SafetensorsError) return 'rejected';
    throw e;
  }
}

describe('fuzzing the reader', () => {
  it('reads or cleanly rejects thousands of mutated and truncated files', async () => {
    const seedFiles = [
      await serializeSafetensors(
        {
          a: { dtype: 'F32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
          b: { dtype: 'F16', shape: [2], data: new Uint16Array([0x3c00, 0x4000]) },
          c: { dtype: 'I64', shape: [3], data: [1, -2, 3] },
          d: { dtype: 'BOOL', shape: [1], data: [1] },
          e: { dtype: 'U8', shape: [0], data: [] },
        },
        { format: 'pt' },
      ),
      new Uint8Array(readFileSync(fixturePath('mmdit_tiny_io.safetensors'))),
    ];
    const rng = createRng(2024);
    const counts = { ok: 0, rejected: 0 };
    const before = tf.memory().numTensors;
    const N = 3000;
    for (let i = 0; i < N; i++) {
      const base = seedFiles[i % seedFiles.length];
      const headerEnd = 8 + Number(new DataView(base.buffer, base.byteOffset).getBigUint64(0, true));
      let bytes = base.slice();
      const mode = rng.integer(0, 6);
      if (mode === 0) {
        bytes = bytes.slice(0, rng.integer(0, bytes.length)); // truncate
      } else if (mode === 1) {
        bytes[rng.integer(0, 8)] = rng.integer(0, 256); // corrupt the length prefix
      } else if (mode === 2 || mode === 3) {
        const flips = rng.integer(1, 4); // corrupt header bytes
        for (let k = 0; k < flips; k++) bytes[rng.integer(8, headerEnd)] = rng.integer(0, 256);
      } else if (mode === 4) {
        // replace a digit in the header with another (plausible but wrong offsets and shapes)
        const text = new TextDecoder().decode(bytes.subarray(8, headerEnd));
        const digits = [...text.matchAll(/\d/g)].map((m) => m.index ?? 0);
        if (digits.length) bytes[8 + digits[rng.integer(0, digits.length)]] = 48 + rng.integer(0, 10);
      } else {
        // insert or delete bytes somewhere
        const at = rng.integer(0, bytes.length);
        bytes =
          rng.integer(0, 2) === 0
            ? new Uint8Array([...bytes.subarray(0, at), rng.integer(0, 256), ...bytes.subarray(at)])
            : new Uint8Array([...bytes.subarray(0, at), ...bytes.subarray(at + 1)]);
      }
      counts[await readEverything(bytes)]++;
    }
    expect(counts.ok + counts.rejected).toBe(N);
    // Both outcomes occur: the mutations are neither all harmless nor all fatal.
    expect(counts.rejected).toBeGreaterThan(N / 4);
    expect(counts.ok).toBeGreaterThan(20);
    expect(tf.memory().numTensors).toBe(before);
  });
});
