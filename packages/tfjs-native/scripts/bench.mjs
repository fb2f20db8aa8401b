// Stock wasm against the native kernels, in one run. Run after building the TypeScript of this
// package and of @rectiflow/mmdit (`pnpm build`): pnpm --filter @rectiflow/tfjs-native bench
// Prints matmul GFLOP/s at 1024x1024 and at attention shapes, and the @rectiflow/mmdit
// benchmark's training step (forward + backward + Adam; batch 8, 4x16x16 latents, 16 text
// tokens) for depth 2 and 4, and the fused ops in ns per element, with the ratios (BENCH_THREADS=1 for one thread): stock wasm with tf.train.adam, native kernels with
// tf.train.adam, and native kernels with FusedAdamOptimizer. Medians; BENCH_RUNS sets the runs (default 5).
// With --torch: our forward and step against the PyTorch twin instead (torch-compare.mjs).
import { loadavg } from 'node:os';
import { createRng, initBackend, tf } from '@rectiflow/core';
import { disableNativeKernels, enableNativeKernels, FusedAdamOptimizer, geluTanh, layerNormModulate, softmax } from '../dist/index.js';
import { benchModel, median } from './bench-model.mjs';

await initBackend('wasm', { quiet: true });
if (process.argv.includes('--torch')) {
  // Against the PyTorch twin instead of stock wasm: see torch-compare.mjs.
  const { torchCompare } = await import('./torch-compare.mjs');
  await torchCompare();
  process.exit(0);
}
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
// BENCH_THREADS sets the native kernels' threads (default: every core).
const OPTIONS = process.env.BENCH_THREADS ? { threads: Number(process.env.BENCH_THREADS) } : {};
/**
 * Median ms per call of each configuration. Runs are interleaved (stock, native, ... in turn),
 * so load changes on the shared machine hit every configuration alike. Each run repeats the
 * call until it lasts at least minMs. A configuration is [useNative, fn].
 */
async function timeInterleaved(configs, minMs = 0) {
  const times = configs.map(() => []);
  for (let r = -2; r < RUNS; r++) {
    for (const [i, [useNative, fn]] of configs.entries()) {
      if (useNative) await enableNativeKernels(OPTIONS);
      else disableNativeKernels();
      let n = 0;
      const start = performance.now();
      do {
        fn();
        n++;
      } while (performance.now() - start < minMs);
      if (r >= 0) times[i].push((performance.now() - start) / n); // r < 0: warm-up
    }
  }
  disableNativeKernels();
  return times.map(median);
}

const native = await enableNativeKernels(OPTIONS);
disableNativeKernels();
if (!native.enabled) {
  console.log(native.message);
  process.exit(1);
}
console.log(`${native.message}; load average ${loadavg()[0].toFixed(1)}; medians of ${RUNS} runs (noisy shared machine)`);
const rows = [];
const report = (label, stock, nat, unit, higherIsBetter) => {
  const ratio = higherIsBetter ? nat / stock : stock / nat;
  rows.push({ label, stock, nat, unit, ratio });
  console.log(
    `${label.padEnd(52)} stock ${stock.toFixed(1).padStart(8)} ${unit}  native ${nat.toFixed(1).padStart(8)} ${unit}  x${ratio.toFixed(2)}`,
  );
};

const rng = createRng(1);
const matmuls = [
  ['matmul 1024x1024x1024', [1024, 1024], [1024, 1024], false],
  ['attention q k^T [16,80,64] x [16,80,64]^T (d=2)', [16, 80, 64], [16, 80, 64], true],
  ['attention [16,80,64] x [16,64,80] (no flag)', [16, 80, 64], [16, 64, 80], false],
  ['batched [8,256,64] x [8,64,256]', [8, 256, 64], [8, 64, 256], false],
];
for (const [label, aShape, bShape, transposeB] of matmuls) {
  const a = rng.normal(aShape);
  const b = rng.normal(bShape);
  const out = tf.tidy(() => tf.matMul(a, b, false, transposeB));
  const flops = (2 * out.size * aShape[aShape.length - 1]) / 1e9;
  out.dispose();
  // wasm kernels run synchronously: the call is the whole cost (no read-back needed)
  const run = () => tf.matMul(a, b, false, transposeB).dispose();
  const [stockMs, nativeMs] = await timeInterleaved(
    [
      [false, run],
      [true, run],
    ],
    200,
  );
  report(label, flops / (stockMs / 1e3), flops / (nativeMs / 1e3), 'GFLOP/s', true);
  tf.dispose([a, b]);
}

// The fused ops at d=4 shapes: forward, and forward + gradient (tf.grad), in ns per element.
// Stock: the same math as plain tfjs ops on stock wasm (what the ops compute when disabled).
{
  const x = rng.normal([8, 80, 1024]);
  const scores = rng.normal([32, 80, 80]);
  const h = rng.normal([8, 80, 256]);
  const shift = rng.normal([8, 256]);
  const scale = rng.normal([8, 256], 0, 0.3);
  const ln = (t) => layerNormModulate(t, shift, scale);
  const fused = [
    ['GELU-tanh [8,80,1024]', x, (t) => geluTanh(t)],
    ['softmax [32,80,80]', scores, (t) => softmax(t)],
    ['LayerNorm + modulate [8,80,256]', h, ln],
  ];
  for (const [label, input, op] of fused) {
    const forward = () => op(input).dispose();
    const both = () => tf.dispose(tf.tidy(() => tf.grad((t) => tf.sum(op(t)))(input)));
    for (const [what, fn] of [
      ['', forward],
      [' + gradient', both],
    ]) {
      const [stockMs, nativeMs] = await timeInterleaved(
        [
          [false, fn],
          [true, fn],
        ],
        100,
      );
      report(`${label}${what}`, (stockMs * 1e6) / input.size, (nativeMs * 1e6) / input.size, 'ns/el', false);
    }
  }
  const params = tf.variable(rng.normal([1 << 20]));
  const grad = rng.normal([1 << 20]);
  const adams = [tf.train.adam(1e-4), new FusedAdamOptimizer(1e-4)];
  const stepOf = (opt) => () => opt.applyGradients({ [params.name]: grad });
  const [stockMs, nativeMs] = await timeInterleaved(
    [
      [false, stepOf(adams[0])],
      [true, stepOf(adams[1])],
    ],
    100,
  );
  report(
    'Adam step, 1M parameters (tf.train.adam vs fused)',
    (stockMs * 1e6) / params.size,
    (nativeMs * 1e6) / params.size,
    'ns/el',
    false,
  );
  for (const o of adams) o.dispose();
  tf.dispose([x, scores, h, shift, scale, params, grad]);
}

for (const depth of [2, 4]) {
  const bench = benchModel(depth);
  const { vars, lossOf } = bench;
  const optimizers = [tf.train.adam(1e-4), tf.train.adam(1e-4), new FusedAdamOptimizer(1e-4)];
  const step = (optimizer) => () => {
    const loss = optimizer.minimize(lossOf, true, vars);
    loss.dataSync();
    loss.dispose();
  };
  const [stockMs, nativeMs, fusedMs] = await timeInterleaved([
    [false, step(optimizers[0])],
    [true, step(optimizers[1])],
    [true, step(optimizers[2])],
  ]);
  for (const o of optimizers) o.dispose();
  report(`MM-DiT d=${depth} training step (fwd+bwd+Adam)`, stockMs, nativeMs, 'ms', false);
  report(`MM-DiT d=${depth} step, native + FusedAdamOptimizer`, stockMs, fusedMs, 'ms', false);
  bench.dispose();
}
