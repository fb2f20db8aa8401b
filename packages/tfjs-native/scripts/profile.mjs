// Which wasm kernels one MM-DiT training step spends its time in (depth 4, the bench's
// configuration), with the native kernels (default) or stock wasm (NATIVE=0), with tf.train.adam
// or FusedAdamOptimizer (FUSED_ADAM=1); DEPTH sets the depth. Run after
// building this package and @rectiflow/mmdit: node scripts/profile.mjs
// Every registered wasm kernel is wrapped with a timer, so totals include that overhead.
import { createRng, initBackend, tf } from '@rectiflow/core';
import { MMDiT } from '../../mmdit/dist/index.js';
import { enableNativeKernels, FusedAdamOptimizer } from '../dist/index.js';

await initBackend('wasm', { quiet: true });
if (process.env.NATIVE !== '0') console.log((await enableNativeKernels()).message);
const depth = Number(process.env.DEPTH ?? 4);
const [BATCH, SIDE, CHANNELS, TOKENS, DIM] = [8, 16, 4, 16, 128];
const model = new MMDiT(
  { depth, inChannels: CHANNELS, contextDim: DIM, pooledDim: DIM, posEmbedMaxSize: SIDE / 2, qkNorm: true },
  { seed: 1 },
);
const data = createRng(2);
const x = data.normal([BATCH, CHANNELS, SIDE, SIDE]);
const t = data.uniform([BATCH], 0, 1000);
const y = data.normal([BATCH, DIM]);
const context = data.normal([BATCH, TOKENS, DIM]);
const target = data.normal([BATCH, CHANNELS, SIDE, SIDE]);
const optimizer = process.env.FUSED_ADAM === '1' ? new FusedAdamOptimizer(1e-4) : tf.train.adam(1e-4);
const vars = model.trainableVariables();
const step = () => {
  const loss = optimizer.minimize(() => tf.losses.meanSquaredError(target, model.forward(x, t, y, context)), true, vars);
  loss.dataSync();
  loss.dispose();
};
step();
step();
const byKernel = new Map();
for (const config of tf.getKernelsForBackend('wasm')) {
  const run = config.kernelFunc;
  tf.unregisterKernel(config.kernelName, 'wasm');
  tf.registerKernel({
    ...config,
    kernelFunc: (args) => {
      const start = performance.now();
      const out = run(args);
      const entry = byKernel.get(config.kernelName) ?? { ms: 0, calls: 0 };
      entry.ms += performance.now() - start;
      entry.calls++;
      byKernel.set(config.kernelName, entry);
      return out;
    },
  });
}
const STEPS = 3;
const start = performance.now();
for (let i = 0; i < STEPS; i++) step();
const stepMs = (performance.now() - start) / STEPS;
const rows = [...byKernel].map(([name, { ms, calls }]) => [name, ms / STEPS, calls / STEPS]).sort((a, b) => b[1] - a[1]);
const kernelMs = rows.reduce((s, r) => s + r[1], 0);
console.log(`depth ${depth}: step ${stepMs.toFixed(1)} ms, of which kernels ${kernelMs.toFixed(1)} ms`);
for (const [name, ms, calls] of rows.slice(0, 25)) {
  console.log(`${name.padEnd(24)} ${ms.toFixed(2).padStart(8)} ms ${String(calls).padStart(6)} calls`);
}
