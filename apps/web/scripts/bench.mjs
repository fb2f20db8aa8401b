#!/usr/bin/env node
/**
 * Sampling images/s and training steps/s of the web page in headless Chromium (wasm with
 * threads, wasm on one thread, WebGL through SwiftShader) and of the same workload in Node.
 * Needs the built page (`pnpm --filter @rectiflow/web build`), the built packages (`pnpm build`)
 * and Chromium (`apt-get install -y chromium`). Prints a table; run it on a quiet machine.
 *
 *   pnpm --filter @rectiflow/web bench [-- --modes wasm-threads,wasm-1,webgl,node,node-stock]
 *
 * `node` uses the native wasm kernels of @rectiflow/tfjs-native when installed; `node-stock` turns them off
 * (RECTIFLOW_NATIVE=0), which is the stock wasm the browser runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: { modes: { type: 'string', default: 'wasm-threads,wasm-1,webgl,node,node-stock' } },
});
const modes = values.modes.split(',');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const rows = [];
// The static server and the Node workload are TypeScript: build them once for Node.
execFileSync('pnpm', ['exec', 'vite', 'build', '--ssr', 'scripts/bench-node.ts', '--outDir', 'dist-node', '--emptyOutDir'], {
  cwd: here,
  stdio: 'ignore',
});
execFileSync('pnpm', ['exec', 'vite', 'build', '--ssr', 'src/static-server.ts', '--outDir', 'dist-node/server', '--emptyOutDir'], {
  cwd: here,
  stdio: 'ignore',
});
const { serveStatic } = await import(`${here}dist-node/server/static-server.js`);

const browserModes = modes.filter((m) => !m.startsWith('node'));
if (browserModes.length) {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  if (!existsSync(`${here}dist/index.html`)) throw new Error('the page is not built: pnpm --filter @rectiflow/web build');
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
  });
  for (const mode of browserModes) {
    const { server, url } = await serveStatic(`${here}dist`, mode !== 'wasm-1');
    const backend = mode.startsWith('wasm') ? 'wasm' : mode;
    const page = await browser.newPage();
    await page.goto(`${url}?backend=${backend}`);
    const result = await page.evaluate(async () => {
      const p = window.rectiflowPage;
      const info = await p.ready;
      const prompts = [
        'a large red circle in the center',
        'a small blue square at the top left',
        'a large yellow triangle at the bottom right',
        'a red square to the left of a blue circle',
      ];
      const request = { prompts, steps: 24, guidance: 3, seed: 0 };
      await p.generate(request, 'bundled');
      const a = await p.generate(request, 'bundled');
      const b = await p.generate(request, 'bundled');
      const t0 = performance.now();
      await p.train({ steps: 10, batchSize: 16, learningRate: 0.001, seed: 0, sampleEvery: 1000 });
      const t1 = performance.now();
      await p.train({ steps: 40, batchSize: 16, learningRate: 0.001, seed: 0, sampleEvery: 1000 });
      const t2 = performance.now();
      return { info, imagesPerSecond: Math.max(a.imagesPerSecond, b.imagesPerSecond), stepsPerSecond: 30 / ((t2 - t1 - (t1 - t0)) / 1000) };
    });
    const wasm = result.info.wasm
      ? ` (SIMD ${result.info.wasm.simd ? 'on' : 'off'}, threads ${result.info.wasm.threads ? 'on' : 'off'})`
      : '';
    rows.push({ where: `Chromium ${browser.version()}, ${mode}`, backend: `${result.info.backend}${wasm}`, ...result });
    await page.close();
    server.close();
  }
  await browser.close();
}
for (const mode of modes.filter((m) => m.startsWith('node'))) {
  const env = mode === 'node-stock' ? { ...process.env, RECTIFLOW_NATIVE: '0' } : process.env;
  const line = execFileSync('node', ['dist-node/bench-node.js'], { cwd: here, encoding: 'utf8', env }).trim().split('\n').pop();
  const r = JSON.parse(line);
  const stock = r.native === 'none' || /not enabled/.test(r.native);
  const backend = `${r.backend}${stock ? ' (stock tfjs kernels)' : ` + ${r.native.split(';')[0]}`}`;
  rows.push({ where: r.where, backend, imagesPerSecond: r.imagesPerSecond, stepsPerSecond: r.stepsPerSecond });
}
console.log('| where | backend | sampling images/s (4 prompts x 24 steps, CFG) | training steps/s (batch 16) |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(`| ${r.where} | ${r.backend} | ${r.imagesPerSecond.toFixed(2)} | ${r.stepsPerSecond.toFixed(2)} |`);
