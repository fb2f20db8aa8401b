import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { evaluation: 'src/evaluation.ts', cli: 'src/cli.ts', bench: 'src/bench.ts', sampling: 'src/sampling.ts' },
  format: ['esm'],
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
});
