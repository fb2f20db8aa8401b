// Shared by this package's tests: paths to the golden fixtures and a small hand-built file.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The golden SD3 fixtures live once in the repo, in the test-data of the package that
 * owns them (mmdit, autoencoders, text-encoders, solvers). This package's tests read them
 * all: every fixture file must parse.
 */
export function goldenFixtures(): Map<string, string> {
  const found = new Map<string, string>();
  for (const pkg of readdirSync(PACKAGES).sort()) {
    const dir = join(PACKAGES, pkg, 'test-data');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.safetensors') && !found.has(f)) found.set(f, join(dir, f));
  }
  return found;
}

/** The path of one golden fixture file. */
export function fixturePath(name: string): string {
  const path = goldenFixtures().get(name);
  if (!path) throw new Error(`fixture ${name} not found in packages/*/test-data`);
  return path;
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
