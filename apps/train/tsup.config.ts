import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    cli: 'src/cli.ts',
    'eval-cli': 'src/eval-cli.ts',
    'probe-conditioning': 'src/probe-conditioning.ts',
    bench: 'src/bench.ts',
    training: 'src/training.ts',
  },
  format: ['esm'],
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
});
