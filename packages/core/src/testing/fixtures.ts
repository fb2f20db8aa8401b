/**
 * The golden fixtures of the Rectiflow repository: every file lives once, in the root
 * `test-data/` folder (or the folder named by `RECTIFLOW_FIXTURES`), and every package's
 * tests read it through these helpers. Node only (file reads), but without a static `node:`
 * import, so the rest of `@rectiflow/core/testing` still bundles for a browser.
 */

type Fs = {
  readFileSync(path: string): Uint8Array;
  readFileSync(path: string, encoding: 'utf8'): string;
  existsSync(path: string): boolean;
};

function nodeFs(): Fs {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.('node:fs') as Fs | undefined;
  if (!fs) throw new Error('fixtures: reading fixture files needs Node >= 20.16 (process.getBuiltinModule)');
  return fs;
}

/** The folder holding the fixtures: `RECTIFLOW_FIXTURES`, else the repository's `test-data/`. */
export function fixturesFolder(): string {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.RECTIFLOW_FIXTURES;
  if (env) return env.endsWith('/') ? env : `${env}/`;
  // src/testing/ and dist/testing/ both sit four levels below the repository root.
  return decodeURIComponent(new URL('../../../../test-data/', import.meta.url).pathname);
}

/** The absolute path of a fixture file; throws naming the folder when it does not exist. */
export function fixturePath(name: string): string {
  const path = `${fixturesFolder()}${name}`;
  if (!nodeFs().existsSync(path)) {
    throw new Error(`fixture ${JSON.stringify(name)} not found in ${fixturesFolder()} (set RECTIFLOW_FIXTURES to the fixtures folder)`);
  }
  return path;
}

/** A JSON fixture, parsed. */
export function readFixtureJson<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(nodeFs().readFileSync(fixturePath(name), 'utf8')) as T;
}

/** The bytes of a fixture file (e.g. a `.safetensors` file for `readSafetensors`). */
export function readFixtureBytes(name: string): Uint8Array {
  return new Uint8Array(nodeFs().readFileSync(fixturePath(name)));
}
