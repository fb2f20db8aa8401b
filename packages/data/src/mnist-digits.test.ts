import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadMnistDigits, mnistDigits } from './mnist-digits';

describe('MNIST digits', () => {
  it('load on first use: importing the built package does not parse the 21 MB of digits', () => {
    const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const core = fileURLToPath(new URL('../../core/dist/index.js', import.meta.url));
    // Heap after importing the package (tfjs already imported through core), then after creating the dataset.
    const script = `await import(${JSON.stringify(core)}); const a = process.memoryUsage().heapUsed; const d = await import(${JSON.stringify(dist)});
      const b = process.memoryUsage().heapUsed; d.createMnistDataset(); const c = process.memoryUsage().heapUsed;
      console.log(JSON.stringify({ importMB: (b - a) / 2 ** 20, createMB: (c - b) / 2 ** 20 }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const { importMB, createMB } = JSON.parse(r.stdout.trim().split('\n').pop() as string);
    expect(importMB).toBeLessThan(5);
    expect(createMB).toBeGreaterThan(20);
  });

  it('are the same ten classes whether loaded synchronously or asynchronously', async () => {
    const sync = mnistDigits();
    expect(sync.length).toBe(10);
    expect(sync.reduce((n, d) => n + d.length, 0)).toBe(10_000);
    expect(await loadMnistDigits()).toBe(sync);
  });
});
