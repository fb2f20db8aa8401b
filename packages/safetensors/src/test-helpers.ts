// Shared by this package's tests: the golden fixtures and a small hand-built file.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesFolder } from '@rectiflow/core/testing';

/** Every golden `.safetensors` fixture of the repository (they live once, in `test-data/`), by name. */
export function goldenFixtures(): Map<string, string> {
  const dir = fixturesFolder();
  return new Map(
    readdirSync(dir)
      .filter((f) => f.endsWith('.safetensors'))
      .sort()
      .map((f) => [f, join(dir, f)] as const),
  );
}

/** Build a safetensors file from a header object and a data section, exactly as given. */
export function rawFile(header: unknown, data: Uint8Array = new Uint8Array(0), headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}
