/**
 * `pnpm web` serves the page; `pnpm --filter @rectiflow/web build` writes a static site to
 * `dist/`. The packages are bundled from their TypeScript sources (no package build needed
 * first), the bundled shapes model of the sample app is served and emitted under
 * `models/shapes/`, and the page is cross-origin isolated (COOP/COEP) so the wasm backend
 * can use threads.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

const MODEL_DIR = fileURLToPath(new URL('../sample/models/shapes-mmdit-d2/', import.meta.url));
const MODEL_FILES = ['state.json', 'ema.safetensors', 'text-encoder-ema.safetensors'];
const ISOLATED = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

function bundledModel(): Plugin {
  return {
    name: 'rectiflow-bundled-model',
    configureServer(server) {
      server.middlewares.use('/models/shapes', (req, res, next) => {
        const name = (req.url ?? '').replace(/^\//, '');
        if (!MODEL_FILES.includes(name)) return next();
        res.setHeader('Content-Type', name.endsWith('.json') ? 'application/json' : 'application/octet-stream');
        res.end(readFileSync(MODEL_DIR + name));
      });
    },
    generateBundle() {
      for (const name of MODEL_FILES)
        this.emitFile({ type: 'asset', fileName: `models/shapes/${name}`, source: readFileSync(MODEL_DIR + name) });
    },
  };
}

export default defineConfig({
  base: './',
  plugins: [bundledModel()],
  resolve: { conditions: ['@rectiflow/source', ...defaultClientConditions] },
  worker: { format: 'es' },
  server: { headers: ISOLATED },
  preview: { headers: ISOLATED },
  build: { target: 'es2022', chunkSizeWarningLimit: 8000, minify: false },
});
