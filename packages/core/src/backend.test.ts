import { afterAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError, getBackendInfo, initBackend } from './backend';
import { tf } from './tf';

describe('initBackend', () => {
  afterAll(async () => {
    await initBackend('auto', { quiet: true });
  });

  it("resolves 'auto' to wasm on a machine without tfjs-node, and logs it once", async () => {
    const lines: string[] = [];
    const info = await initBackend('auto', { log: (l) => lines.push(l) });
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(getBackendInfo()).toBe(info);
    // The native backends were tried first and skipped with a reason.
    expect(info.attempts.map((a) => a.candidate)).toEqual([
      '@tensorflow/tfjs-node-gpu',
      '@tensorflow/tfjs-node',
      '@tensorflow/tfjs-backend-wasm',
    ]);
    expect(info.attempts[0].error).toBeTruthy();
    // Already initialised: a second call returns the same info without logging.
    const again = await initBackend('auto', { log: (l) => lines.push(l) });
    expect(again).toBe(info);
    expect(lines.length).toBeLessThanOrEqual(1);
  });

  it("fails clearly when 'tensorflow' is requested but not installed, keeping the current backend", async () => {
    await initBackend('wasm', { quiet: true });
    const error = await initBackend('tensorflow', { quiet: true }).catch((e) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect(error.message).toMatch(/backend "tensorflow" is not available/);
    expect(error.message).toMatch(/@tensorflow\/tfjs-node-gpu/);
    expect(error.message).toMatch(/wasm/);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('enables the optional native wasm kernels when @rectiflow/tfjs-native is installed, and reports it', async () => {
    await initBackend('cpu', { quiet: true });
    const lines: string[] = [];
    const info = await initBackend('wasm', { log: (l) => lines.push(l) });
    // In this repository the package is installed and ships a linux-x64 binary; elsewhere the
    // line says why it is not enabled. Either way it is one line and wasm works.
    expect(info.native).toMatch(/^tfjs-native: /);
    expect(lines[0]).toContain(info.native as string);
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const y = tf.matMul(x, x);
    expect([...y.dataSync()]).toEqual([7, 10, 15, 22]);
    tf.dispose([x, y]);
  });

  it('switches to the cpu backend and back', async () => {
    const info = await initBackend('cpu', { quiet: true });
    expect(info.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    await initBackend('wasm', { quiet: true });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('rejects an unknown choice, naming the allowed values', async () => {
    await expect(initBackend('cuda' as never, { quiet: true })).rejects.toThrow(
      /backend: got "cuda"; expected one of auto, tensorflow, webgpu, webgl, wasm, cpu/,
    );
  });

  it('reads RECTIFLOW_BACKEND when no choice is given', async () => {
    const saved = process.env.RECTIFLOW_BACKEND;
    try {
      process.env.RECTIFLOW_BACKEND = 'bogus';
      await expect(initBackend(undefined, { quiet: true })).rejects.toThrow(/from RECTIFLOW_BACKEND/);
      process.env.RECTIFLOW_BACKEND = 'cpu';
      expect((await initBackend(undefined, { quiet: true })).name).toBe('cpu');
    } finally {
      if (saved === undefined) delete process.env.RECTIFLOW_BACKEND;
      else process.env.RECTIFLOW_BACKEND = saved;
    }
  });
});

describe('backend order by runtime', () => {
  it('tries the native TensorFlow backends in Node and webgpu, webgl in a browser, then wasm, then cpu', async () => {
    const { backendOrder, isNodeRuntime } = await import('./backend');
    expect(isNodeRuntime()).toBe(true);
    expect(backendOrder('auto', true)).toEqual(['tensorflow-gpu', 'tensorflow-cpu', 'wasm', 'cpu']);
    expect(backendOrder('auto', false)).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(backendOrder('webgl', true)).toEqual(['webgl']);
    expect(backendOrder('tensorflow', false)).toEqual(['tensorflow-gpu', 'tensorflow-cpu']);
  });

  it('refuses webgl where there is no WebGL, naming why', async () => {
    const { initBackend } = await import('./backend');
    await expect(initBackend('webgl', { quiet: true })).rejects.toThrow(
      /backend "webgl" is not available \(@tensorflow\/tfjs \(webgl\): (no WebGL here|backend not registered)/,
    );
    await initBackend(undefined, { quiet: true });
  });
});
