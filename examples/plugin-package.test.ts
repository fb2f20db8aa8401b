/**
 * Runs the example plugin package's own tests (`node --test`) against the built packages, as an
 * outside user would: plain Node resolves `@rectiflow/*` to their dist/, not to the sources.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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
});
