import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { projects } from './vitest.workspace.ts';

export default defineConfig({
  // Resolve sibling packages to their TypeScript sources, so tests need no build.
  ssr: { resolve: { conditions: ['@rectiflow/source'] } },
  resolve: { conditions: ['@rectiflow/source'] },
  test: {
    projects,
    setupFiles: [fileURLToPath(new URL('./vitest.setup.ts', import.meta.url))],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.reports/vitest.json' },
  },
});
