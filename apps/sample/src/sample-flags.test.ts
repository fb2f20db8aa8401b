import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePng, readPngText } from '@rectiflow/autoencoders';
import { tf } from '@rectiflow/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runSample } from './run-sample';

const quiet = () => {};
const tmp = () => mkdtempSync(join(tmpdir(), 'rectiflow-flags-'));
const base = ['--prompt', 'a large red circle in the center', '--steps', '8', '--seed', '5'];

function meanAbsDiff(a: string, b: string): number {
  const [x, y] = [decodePng(readFileSync(a)), decodePng(readFileSync(b))];
  const d = tf.tidy(() => tf.mean(tf.abs(tf.sub(x, y))).dataSync()[0]);
  tf.dispose([x, y]);
  return d;
}

describe('rectiflow-sample flags (bundled shapes model)', () => {
  it('writes the prompt and settings into PNG text chunks, and prints progress per step', async () => {
    const out = tmp();
    const lines: string[] = [];
    const r = await runSample([...base, '--out', out], (l) => lines.push(l));
    const text = readPngText(readFileSync(r?.files[0] as string));
    expect(text.prompt).toBe('a large red circle in the center');
    const parameters = JSON.parse(text['rectiflow:parameters']);
    expect(parameters).toMatchObject({ seed: 5, steps: 8, solver: 'euler', software: 'rectiflow-sample' });
    expect(parameters.model).toMatch(/shapes-mmdit-d2 \(step \d+, EMA weights\)/);
    expect(lines.some((l) => /batch 1\/1: step 8\/8/.test(l))).toBe(true);
    const silent: string[] = [];
    await runSample([...base, '--out', tmp(), '--quiet'], (l) => silent.push(l));
    expect(silent.some((l) => /step \d+\/8/.test(l))).toBe(false);
  });

  it('img2img: a low strength stays near the init image, strength 1 does not depend on it', async () => {
    const ref = await runSample([...base, '--out', tmp()], quiet);
    const init = ref?.files[0] as string;
    const near = await runSample([...base, '--seed', '9', '--init-image', init, '--strength', '0.25', '--out', tmp()], quiet);
    const far = await runSample([...base, '--seed', '9', '--out', tmp()], quiet);
    expect(meanAbsDiff(near?.files[0] as string, init)).toBeLessThan(meanAbsDiff(far?.files[0] as string, init));
    const full = await runSample([...base, '--seed', '9', '--init-image', init, '--strength', '1', '--out', tmp()], quiet);
    expect(meanAbsDiff(full?.files[0] as string, far?.files[0] as string)).toBe(0);
    await expect(runSample([...base, '--strength', '0.5'], quiet)).rejects.toThrow(/--strength: only with --init-image/);
    const small = join(tmp(), 'small.png');
    writeFileSync(small, readFileSync(new URL('../models/shapes-mmdit-d2/README.md', import.meta.url)));
    await expect(runSample([...base, '--init-image', small], quiet)).rejects.toThrow(/--init-image: .* is not a readable PNG/);
  });

  it('skip-layer guidance changes the samples; its flags are checked before loading', async () => {
    const plain = await runSample([...base, '--out', tmp()], quiet);
    const slg = await runSample(
      [...base, '--slg-scale', '3', '--slg-layers', '1', '--slg-start', '0', '--slg-end', '1', '--out', tmp()],
      quiet,
    );
    expect(meanAbsDiff(plain?.files[0] as string, slg?.files[0] as string)).toBeGreaterThan(0);
    expect(JSON.parse(readPngText(readFileSync(slg?.files[0] as string))['rectiflow:parameters']).skipLayers).toEqual({
      scale: 3,
      layers: [1],
      start: 0,
      end: 1,
    });
    await expect(runSample([...base, '--slg-scale', '2'], quiet)).rejects.toThrow(/needs both --slg-scale and --slg-layers/);
    await expect(runSample([...base, '--slg-scale', '2', '--slg-layers', 'a'], quiet)).rejects.toThrow(/--slg-layers: got "a"/);
  });

  it('--import loads a plugin module whose solver --solver then names', async () => {
    // Inside the package, so that its imports resolve to the workspace packages.
    const dir = new URL('.', import.meta.url).pathname;
    const plugin = join(dir, `.test-plugin-${process.pid}.mjs`);
    writeFileSync(
      plugin,
      "import { register } from '@rectiflow/core';\nimport { createSolver } from '@rectiflow/solvers';\n" +
        "register('solver', 'my-euler', { description: 'euler under another name', create: () => createSolver('euler') });\n",
    );
    onTestFinished(() => rmSync(plugin, { force: true }));
    const mine = await runSample([...base, '--import', plugin, '--solver', 'my-euler', '--out', tmp()], quiet);
    const euler = await runSample([...base, '--out', tmp()], quiet);
    expect(meanAbsDiff(mine?.files[0] as string, euler?.files[0] as string)).toBe(0);
    await expect(runSample([...base, '--import', join(dir, 'missing.mjs')], quiet)).rejects.toThrow(
      /--import .*missing\.mjs: no such module/,
    );
  });
});
