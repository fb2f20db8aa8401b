/**
 * Runs the TypeScript examples of a package README as tests, so every README example
 * is known to work. Each ```ts block that does not start with `// no-run` is written to a
 * temporary module inside the package (so imports resolve as in the package's own tests)
 * and imported.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export { readmeExamples } from './readme-code.mjs';

/** Run one example as a module placed beside `testFile` (an import.meta.url). */
export async function runExample(code: string, testFile: string, index: number): Promise<void> {
  const path = join(dirname(fileURLToPath(testFile)), `.readme-example-${index}.ts`);
  writeFileSync(path, code);
  try {
    await import(/* @vite-ignore */ `${path}?t=${Date.now()}`);
  } finally {
    rmSync(path, { force: true });
  }
}
