/**
 * Runs the example plugin package's own tests (`node --test`) against the built packages, as an
 * outside user would: plain Node resolves `@rectiflow/*` to their dist/, not to the sources.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const BUILT = ['core', 'losses', 'schedules', 'solvers', 'timesteps'].map((p) => `${root}packages/${p}/dist/index.js`);

describe('examples/plugin-package', () => {
  it('registers a solver, a timestep sampler and a forward process from outside, against the built packages', () => {
    const missing = BUILT.filter((f) => !existsSync(f));
    expect(missing, 'run `pnpm build` first: the example tests the built packages').toEqual([]);
    const r = spawnSync(process.execPath, ['--test', 'test/'], {
      cwd: `${root}examples/plugin-package`,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/# pass 4/);
  });

  const plugin = `${root}examples/plugin-package/plugin.mjs`;
  const cli = (app: string, args: string[]) =>
    spawnSync(process.execPath, [`${root}apps/${app}/dist/cli.js`, ...args], { cwd: root, encoding: 'utf8', timeout: 180_000 });

  it('rectiflow-sample --import ./plugin.mjs samples with the plugin solver', () => {
    const out = mkdtempSync(join(tmpdir(), 'rectiflow-plugin-sample-'));
    const r = cli('sample', [
      '--import',
      plugin,
      '--solver',
      'ralston',
      '--prompt',
      'a large red circle in the center',
      '--steps',
      '4',
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/solver ralston, 4 steps/);
    expect(readdirSync(out).filter((f) => f.endsWith('.png')).length).toBe(2);
  });

  it('rectiflow-train --import ./plugin.mjs trains a custom formulation built from the plugin process and sampler', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rectiflow-plugin-train-')), 'run');
    const formulation = 'custom(process=vp-sine(1), sampler=beta(2, 2), weighting=eps/cos, output=eps)';
    const r = cli('train', [
      '--import',
      plugin,
      '--formulation',
      formulation,
      '--sample-solver',
      'ralston',
      '--dataset',
      'shapes(count=64)',
      '--max-steps',
      '3',
      '--batch-size',
      '4',
      '--sample-steps',
      '4',
      '--eval-seeds',
      '0',
      '--eval-every',
      '0',
      '--out',
      out,
    ]);
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/stopped after 3 steps \(steps\)/);
    expect(r.stdout).toMatch(/custom\(process=vp-sine\(1\)/);
  });
});
