/**
 * Byte sources for the web: a URL read with HTTP range requests (only the header and the
 * tensors asked for are downloaded, so a page can open a multi-gigabyte checkpoint), and a
 * Blob or File (a file input) read slice by slice. Runtime-neutral: `fetch` and `Blob` exist
 * in browsers, workers and Node 18+.
 */

import { type ByteSource, checkReadRange } from './byte-source';
import { SafetensorsError } from './errors';

/** Options of {@link urlSource}. */
export interface UrlSourceOptions {
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
  /** Extra request headers (an authorization token, ...). */
  headers?: Record<string, string>;
}

function rangeError(url: string, detail: string): SafetensorsError {
  return new SafetensorsError('READ_FAILED', url, detail);
}

/**
 * A {@link ByteSource} over a URL whose server answers HTTP range requests (`206 Partial
 * Content`, as static hosts, CDNs and the Hugging Face hub do). The size comes from the first
 * response's `Content-Range`. A server that ignores ranges is refused with a clear error
 * rather than downloading the whole file on every read.
 */
export async function urlSource(url: string, options: UrlSourceOptions = {}): Promise<ByteSource> {
  const fetchFn = options.fetch ?? fetch;
  const get = async (start: number, end: number): Promise<Response> => {
    const response = await fetchFn(url, { headers: { ...options.headers, Range: `bytes=${start}-${end}` } });
    if (response.status === 200) {
      throw rangeError(url, 'the server ignored the Range header (200 instead of 206); download the file and pass its bytes instead');
    }
    if (response.status !== 206) throw rangeError(url, `HTTP ${response.status} ${response.statusText}`.trim());
    return response;
  };
  const first = await get(0, 0);
  const total = /\/(\d+)\s*$/.exec(first.headers.get('Content-Range') ?? '')?.[1];
  await first.arrayBuffer();
  if (total === undefined) throw rangeError(url, 'the 206 response has no Content-Range with the total size');
  const size = Number(total);
  return {
    size,
    label: url,
    async read(offset, length) {
      checkReadRange(url, offset, length, size);
      if (length === 0) return new Uint8Array(0);
      const bytes = new Uint8Array(await (await get(offset, offset + length - 1)).arrayBuffer());
      if (bytes.byteLength !== length) throw rangeError(url, `asked for ${length} bytes at ${offset}, got ${bytes.byteLength}`);
      return bytes;
    },
    async close() {},
  };
}

/** A {@link ByteSource} over a Blob or File (a page's file input), read slice by slice. */
export function blobSource(blob: Blob, label = blob instanceof File ? blob.name : '<blob>'): ByteSource {
  return {
    size: blob.size,
    label,
    async read(offset, length) {
      checkReadRange(label, offset, length, blob.size);
      return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
    },
    async close() {},
  };
}
