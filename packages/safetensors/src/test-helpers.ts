// Shared by this package's tests: paths to the golden fixtures and a small hand-built file.
import { fileURLToPath } from 'node:url';

export const TEST_DATA = fileURLToPath(new URL('../test-data/', import.meta.url));

/** Build a safetensors file from a header object and a data section, exactly as given. */
export function rawFile(header: unknown, data: Uint8Array = new Uint8Array(0), headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}
