/**
 * The one README test: every ```ts example of every package README runs, as a module placed
 * in the package's `src/` (so its imports resolve as in the package's own tests). An example
 * that starts with `// no-run` is shown, not run.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, it } from 'vitest';
import { readmeExamples, runExample } from './readme-examples';

const packagesDir = fileURLToPath(new URL('../packages/', import.meta.url));
const packages = readdirSync(packagesDir)
  .filter((name) => existsSync(join(packagesDir, name, 'README.md')) && existsSync(join(packagesDir, name, 'src')))
  .sort();

describe.each(packages)('%s README', (name) => {
  const examples = readmeExamples(pathToFileURL(join(packagesDir, name, 'README.md')));
  const beside = pathToFileURL(join(packagesDir, name, 'src', 'readme.ts')).href;
  it.each(examples.map((code, i) => [i, code] as const))('example %i runs', async (i, code) => {
    await runExample(code, beside, i);
  });
});
