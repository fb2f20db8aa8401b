import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listPlugins } from './list-plugins';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const rectiflow = (args: string[]) =>
  spawnSync(process.execPath, [`${root}apps/cli/dist/cli.js`, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });

describe('rectiflow', () => {
  it('lists every registered plugin kind with usages and descriptions', () => {
    const all = listPlugins().join('\n');
    for (const kind of [
      'autoencoder:',
      'dataset:',
      'formulation:',
      'forward-process:',
      'loss-weighting:',
      'model:',
      'solver:',
      'text-encoder:',
      'timestep-sampler:',
    ]) {
      expect(all).toContain(kind);
    }
    expect(listPlugins('solver').join('\n')).toMatch(/dopri5\(rtol=0\.0001, atol=0\.0001, maxSteps=10000, firstStep=0, safety=0\.9\)/);
    expect(() => listPlugins('solvers')).toThrow(/no plugin kind "solvers"; the kinds are/);
  });

  it('dispatches to the apps, loads plugins with --import, and refuses unknown commands (built CLI)', () => {
    const listed = rectiflow(['--import', './examples/plugin-package/plugin.mjs', 'list', 'solver']);
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/ralston/);
    const help = rectiflow(['convert', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/rectiflow-convert: a Rectiflow model/);
    const bad = rectiflow(['bogus']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown command "bogus"; expected one of train, sample, eval, study, convert, list/);
  });
});
