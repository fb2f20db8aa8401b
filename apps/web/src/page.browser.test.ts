/**
 * The page in a real browser: Debian's Chromium driven headless by playwright-core, on the
 * wasm backend (SIMD and threads: the page is cross-origin isolated) and on WebGL (SwiftShader,
 * software GL). The page loads without console errors, samples prompts whose images show the
 * named colours (scored in the page by @rectiflow/eval), trains 50 steps with a falling loss,
 * saves its checkpoint to IndexedDB, reloads it and samples from it. A screenshot of each run
 * is saved to `.reports/web-<backend>-sampled.png` and `-trained.png`.
 *
 * Needs the built page (`pnpm --filter @rectiflow/web build`, part of `pnpm build`) and Chromium
 * (`apt-get install -y chromium`, done by `.ci/run`). Without Chromium the test is skipped, except
 * under CI=true, where it fails.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from './static-server';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const REPORTS = fileURLToPath(new URL('../../../.reports/', import.meta.url));
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: install it with apt-get install -y chromium (see .ci/run)`);
if (!haveChromium) console.warn(`skipping the browser test: ${CHROMIUM} is missing (apt-get install -y chromium)`);

const PROMPTS = [
  'a large red circle in the center',
  'a small blue square at the top left',
  'a large yellow triangle at the bottom right',
  'a green square to the left of a purple circle',
];

describe.skipIf(!haveChromium)('the page in Chromium', () => {
  let browser: Browser;
  let url: string;
  let close: () => void;

  beforeAll(async () => {
    if (!existsSync(`${DIST}index.html`)) throw new Error(`${DIST}index.html is missing: run pnpm --filter @rectiflow/web build first`);
    const served = await serveStatic(DIST);
    url = served.url;
    close = () => served.server.close();
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    close?.();
  });

  it.each(['wasm', 'webgl'])(
    'on %s: samples the named colours, trains 50 steps with a falling loss, saves and reloads its checkpoint',
    async (backend) => {
      const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${url}?backend=${backend}`);
      const info = await page.evaluate(() => window.rectiflowPage.ready);
      expect(info.backend).toBe(backend);
      expect(info.crossOriginIsolated).toBe(true);
      if (backend === 'wasm') expect(info.wasm).toEqual({ simd: true, threads: true });

      const sampled = await page.evaluate(
        (prompts) => window.rectiflowPage.generate({ prompts, steps: 12, guidance: 3, seed: 0 }, 'bundled'),
        PROMPTS,
      );
      expect(sampled.images.map((i) => i.attributes.color)).toEqual([true, true, true, true]);
      expect(await page.locator('#images figure').count()).toBe(4);
      mkdirSync(REPORTS, { recursive: true });
      await page.screenshot({ path: `${REPORTS}web-${backend}-sampled.png`, fullPage: true });

      const losses = await page.evaluate(() =>
        window.rectiflowPage.train({ steps: 50, batchSize: 4, learningRate: 0.001, seed: 0, sampleEvery: 50 }),
      );
      expect(losses).toHaveLength(50);
      expect(losses.every(Number.isFinite)).toBe(true);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(mean(losses.slice(-10))).toBeLessThan(0.8 * mean(losses.slice(0, 10)));
      // The loss by t-decile (a running mean over steps) has a value for most deciles after 50 steps.
      expect((await page.locator('#deciles').innerText()).match(/\d\.\d{3}/g)?.length ?? 0).toBeGreaterThanOrEqual(8);

      const files = await page.evaluate(async () =>
        (await window.rectiflowPage.saveCheckpoint()).map(([name, bytes]) => [name, bytes.length]),
      );
      expect(files.map(([name]) => name).sort()).toEqual([
        'ema.safetensors',
        'model.safetensors',
        'state.json',
        'text-encoder-ema.safetensors',
        'text-encoder.safetensors',
      ]);
      const step = await page.evaluate(() => window.rectiflowPage.restoreCheckpoint());
      expect(step).toBe(50);
      const fromTrained = await page.evaluate(() =>
        window.rectiflowPage.generate({ prompts: ['a large red circle in the center'], steps: 4, guidance: 3, seed: 1 }, 'trained'),
      );
      expect(fromTrained.images).toHaveLength(1);

      await page.screenshot({ path: `${REPORTS}web-${backend}-trained.png`, fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    },
    300_000,
  );
});
