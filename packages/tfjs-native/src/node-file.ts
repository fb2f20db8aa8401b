/**
 * Loads the compiled addon with node-gyp-build, which looks in `build/Release` (a local
 * build) and then `prebuilds/<platform>-<arch>` (the binaries shipped in the package).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeBinding } from './native-binding';

/** The package root: this file lives in `src/` (tests) or `dist/` (the build). */
function packageRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..');
}

/** Load the addon; throws with node-gyp-build's message when no binary fits this platform. */
export function loadBinding(): NativeBinding {
  const require = createRequire(import.meta.url);
  const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown;
  return nodeGypBuild(packageRoot()) as NativeBinding;
}

/** The platform tag node-gyp-build looks for, e.g. `linux-x64`. */
export function platformTag(): string {
  return `${process.platform}-${process.arch}`;
}

/** Why the environment turns the native kernels off (`RECTIFLOW_NATIVE=0`), or undefined. */
export function disabledByEnvironment(): string | undefined {
  const value = process.env.RECTIFLOW_NATIVE?.trim();
  return value === '0' || value === 'false' ? `RECTIFLOW_NATIVE=${value}` : undefined;
}
