/**
 * Node file I/O: the only place this package touches the file system. It is loaded on
 * demand, when a path is given, so the rest of the package runs in a browser.
 */
import { open, rename, rm } from 'node:fs/promises';
import type { ByteSource } from './byte-source';

/** Open a file as a {@link ByteSource}; each read goes to the file at its offset. */
export async function openFileSource(path: string): Promise<ByteSource> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    return {
      size,
      label: path,
      async read(offset, length) {
        const out = new Uint8Array(length);
        let done = 0;
        while (done < length) {
          const { bytesRead } = await handle.read(out, done, length - done, offset + done);
          if (bytesRead === 0) throw new RangeError(`${path}: file ended at ${offset + done} while reading ${length} bytes at ${offset}`);
          done += bytesRead;
        }
        return out;
      },
      close: () => handle.close(),
    };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/**
 * Write chunks to `path` atomically: they go to a temporary file beside it, which is
 * flushed and renamed over `path` only when complete. A crash mid-write leaves any
 * previous file at `path` intact.
 */
export async function writeFileAtomic(path: string, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const handle = await open(tmp, 'wx');
  try {
    for await (const chunk of chunks) {
      let done = 0;
      while (done < chunk.byteLength) {
        const { bytesWritten } = await handle.write(chunk, done, chunk.byteLength - done);
        done += bytesWritten;
      }
    }
    await handle.sync();
    await handle.close();
    await rename(tmp, path);
  } catch (e) {
    await handle.close().catch(() => {});
    await rm(tmp, { force: true });
    throw e;
  }
}

/** A whole text file (a shard index). */
export async function readTextFile(path: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(path, 'utf8');
}

/** The path of `name` in the folder of `path`. */
export async function siblingPath(path: string, name: string): Promise<string> {
  const { dirname, join } = await import('node:path');
  return join(dirname(path), name);
}

/** The weight files looked for in a folder, in order (diffusers, then transformers naming). */
export const WEIGHT_FILE_NAMES = [
  'diffusion_pytorch_model.safetensors',
  'diffusion_pytorch_model.safetensors.index.json',
  'model.safetensors',
  'model.safetensors.index.json',
] as const;

/**
 * `path` itself when it is a file; for a folder, the first weight file found in
 * `subfolders` (in order, `''` = the folder itself), named as in {@link WEIGHT_FILE_NAMES}.
 */
export async function resolveWeightPath(path: string, subfolders: readonly string[] = ['']): Promise<string> {
  const { stat } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const isFile = async (p: string) => (await stat(p).catch(() => undefined))?.isFile() ?? false;
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) return path;
  for (const sub of subfolders) {
    for (const name of WEIGHT_FILE_NAMES) {
      const candidate = join(path, sub, name);
      if (await isFile(candidate)) return candidate;
    }
  }
  throw new Error(
    `${path}: a folder without weights; looked for ${WEIGHT_FILE_NAMES.join(', ')} in ${subfolders.map((s) => (s ? `${s}/` : './')).join(', ')}`,
  );
}
