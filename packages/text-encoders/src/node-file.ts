/** Reading tokenizer files by path (Node only; loaded on demand by the `sd3-text` plugin). */
import { readFile } from 'node:fs/promises';

/** The bytes of a `tokenizer.json` file. */
export async function readTokenizerFile(path: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(path));
}
