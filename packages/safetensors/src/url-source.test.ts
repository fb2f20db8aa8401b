import { tf } from '@rectiflow/core';
import { describe, expect, it } from 'vitest';
import { readSafetensors } from './reader';
import { blobSource, urlSource } from './url-source';
import { serializeSafetensors } from './writer';

/** A fetch over `bytes` that answers Range requests (or ignores them), counting the bytes sent. */
function rangeServer(bytes: Uint8Array, honourRange = true) {
  const served = { bytes: 0, requests: 0 };
  const fetchFn = (async (_url: string, init?: RequestInit) => {
    served.requests++;
    const range = /bytes=(\d+)-(\d+)/.exec(String((init?.headers as Record<string, string>)?.Range ?? ''));
    if (!range || !honourRange) {
      served.bytes += bytes.length;
      return new Response(bytes.slice().buffer as ArrayBuffer, { status: 200 });
    }
    const [start, end] = [Number(range[1]), Math.min(Number(range[2]), bytes.length - 1)];
    const part = bytes.slice(start, end + 1);
    served.bytes += part.length;
    return new Response(part.buffer as ArrayBuffer, { status: 206, headers: { 'Content-Range': `bytes ${start}-${end}/${bytes.length}` } });
  }) as typeof fetch;
  return { fetchFn, served };
}

describe('web byte sources', () => {
  it('reads one tensor of a large file over HTTP ranges without downloading the rest', async () => {
    const big = tf.ones([256, 256]);
    const small = tf.tensor1d([1, 2, 3]);
    const bytes = await serializeSafetensors({ big, small });
    const { fetchFn, served } = rangeServer(bytes);
    const file = await readSafetensors(await urlSource('https://example.test/model.safetensors', { fetch: fetchFn }));
    expect(file.keys().sort()).toEqual(['big', 'small']);
    expect([...((await file.read('small')) as Float32Array)]).toEqual([1, 2, 3]);
    await file.close();
    expect(served.bytes).toBeLessThan(bytes.length / 100);
    tf.dispose([big, small]);
  });

  it('refuses a server that ignores ranges, and names HTTP errors', async () => {
    const bytes = await serializeSafetensors({ a: tf.tensor1d([1]) });
    const { fetchFn } = rangeServer(bytes, false);
    await expect(urlSource('https://example.test/a.safetensors', { fetch: fetchFn })).rejects.toThrow(/ignored the Range header/);
    const notFound = (async () => new Response('no', { status: 404, statusText: 'Not Found' })) as typeof fetch;
    await expect(urlSource('https://example.test/b.safetensors', { fetch: notFound })).rejects.toThrow(
      /^https:\/\/example\.test\/b\.safetensors: HTTP 404 Not Found$/,
    );
  });

  it('reads a Blob slice by slice', async () => {
    const t = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const bytes = await serializeSafetensors({ t });
    const file = await readSafetensors(blobSource(new Blob([bytes.slice().buffer as ArrayBuffer])));
    expect([...((await file.read('t')) as Float32Array)]).toEqual([1, 2, 3, 4]);
    await expect(blobSource(new Blob([new Uint8Array(4)])).read(2, 8)).rejects.toThrow(/outside 4 bytes/);
    t.dispose();
  });
});
