// Where one MM-DiT training step spends its time (the bench's configuration: batch 8, 4x16x16
// latents, patch 2, 16 text tokens of width 128, QK-norm), with the native kernels (default) or
// stock wasm (NATIVE=0), tf.train.adam or FusedAdamOptimizer (FUSED_ADAM=1); DEPTH (default both 2
// and 4), THREADS (native kernels' threads), TOP (kernels listed, default 12). Run after `pnpm build`:
//   pnpm --filter @rectiflow/tfjs-native profile
// Prints, per depth: the phases (forward alone, forward + backward, the optimizer), the kernel
// time by kind (matmul, element-wise, normalisation and softmax, reductions, layout, optimizer) with
// what is left outside kernels (tfjs dispatch, tape and bookkeeping), the top kernels, and each
// matrix product shape with its time and GFLOP/s inside the step (the 10 longest; MATMULS=all for all).
// Every registered wasm kernel is wrapped with a timer, so kernel totals include that overhead.
import { initBackend, tf } from '@rectiflow/core';
import { enableNativeKernels, FusedAdamOptimizer } from '../dist/index.js';
import { benchModel, median } from './bench-model.mjs';

await initBackend('wasm', { quiet: true });
if (process.env.NATIVE !== '0') {
  const threads = process.env.THREADS ? { threads: Number(process.env.THREADS) } : {};
  console.log((await enableNativeKernels(threads)).message);
}
const depths = process.env.DEPTH ? [Number(process.env.DEPTH)] : [2, 4];
const STEPS = 5;

const KINDS = [
  ['matmul', /MatMul|Conv2D|Einsum/],
  ['attention (fused)', /Attention/],
  ['norm/softmax/activation (fused)', /Fused|Softmax|Gelu|LayerNorm|Rms|QkNorm/i],
  ['optimizer', /Adam/],
  ['reduction', /^(Sum|Mean|Max|Min|Prod|ArgMax|All|Any)$/],
  [
    'layout',
    /^(Transpose|Reshape|Concat|Slice|StridedSlice|Pad|Tile|Gather|GatherV2|Pack|Unpack|SplitV|Identity|Cast|BroadcastTo|MirrorPad|ZerosLike|OnesLike|Fill)$/,
  ],
  ['element-wise', /.*/],
];
const kindOf = (name) => KINDS.find(([, re]) => re.test(name))[0];

// Wrap every wasm kernel with a timer (counting only while `recording`).
let recording = false;
const byKernel = new Map();
const byProduct = new Map();

/** `name m x k x n (batch) tA tB` and the flops of a BatchMatMul / RectiflowMatMul / _FusedMatMul call. */
function product({ a, b }, attrs) {
  const [ra, rb] = [a.shape.length, b.shape.length];
  const m = attrs.transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = attrs.transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = attrs.transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const batch = Math.max(...[a.shape, b.shape].map((s) => s.slice(0, -2).reduce((x, y) => x * y, 1)));
  const form = `${attrs.transposeA ? 'T' : 'N'}${attrs.transposeB ? 'T' : 'N'}`;
  return { key: `${m}x${k}x${n}${batch > 1 ? ` (batch ${batch})` : ''} ${form}`, flops: 2 * batch * m * n * k };
}
for (const config of tf.getKernelsForBackend('wasm')) {
  const run = config.kernelFunc;
  tf.unregisterKernel(config.kernelName, 'wasm');
  tf.registerKernel({
    ...config,
    kernelFunc: (args) => {
      if (!recording) return run(args);
      const start = performance.now();
      const out = run(args);
      const entry = byKernel.get(config.kernelName) ?? { ms: 0, calls: 0 };
      const ms = performance.now() - start;
      entry.ms += ms;
      entry.calls++;
      byKernel.set(config.kernelName, entry);
      if (/MatMul/.test(config.kernelName)) {
        const { key, flops } = product(args.inputs, args.attrs);
        const p = byProduct.get(key) ?? { ms: 0, calls: 0, flops: 0 };
        p.ms += ms;
        p.calls++;
        p.flops += flops;
        byProduct.set(key, p);
      }
      return out;
    },
  });
}

/** Median ms of each function, run in turn (interleaved, so load changes hit all alike). */
const timeInterleaved = (fns, rounds = 2 * STEPS) => {
  for (const fn of fns) {
    fn();
    fn();
  }
  const times = fns.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (const [i, fn] of fns.entries()) {
      const start = performance.now();
      fn();
      times[i].push(performance.now() - start);
    }
  }
  return times.map(median);
};

for (const depth of depths) {
  const bench = benchModel(depth);
  const { model, vars, lossOf } = bench;
  const optimizer = process.env.FUSED_ADAM === '1' ? new FusedAdamOptimizer(1e-4) : tf.train.adam(1e-4);
  const forward = () => tf.tidy(() => lossOf().dataSync());
  const forwardBackward = () => {
    const { value, grads } = tf.variableGrads(lossOf, vars);
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
  const step = () => {
    const loss = optimizer.minimize(lossOf, true, vars);
    loss.dataSync();
    loss.dispose();
  };
  const [fwdMs, fbMs, stepMs] = timeInterleaved([forward, forwardBackward, step]);
  // Kernel breakdown of the full step.
  step();
  byKernel.clear();
  byProduct.clear();
  recording = true;
  for (let i = 0; i < STEPS; i++) step();
  recording = false;
  const rows = [...byKernel].map(([name, { ms, calls }]) => [name, ms / STEPS, calls / STEPS]).sort((a, b) => b[1] - a[1]);
  const kernelMs = rows.reduce((s, r) => s + r[1], 0);
  const calls = rows.reduce((s, r) => s + r[2], 0);
  console.log(
    `\nd=${depth} (${model.parameterCount().toLocaleString('en-US')} parameters), medians of ${2 * STEPS} interleaved runs, ms per step:`,
  );
  console.log(
    `  phases: forward ${fwdMs.toFixed(1)}, backward ${(fbMs - fwdMs).toFixed(1)}, optimizer ${(stepMs - fbMs).toFixed(1)}; step ${stepMs.toFixed(1)}`,
  );
  const byKind = new Map();
  for (const [name, ms, n] of rows) {
    const k = kindOf(name);
    const e = byKind.get(k) ?? { ms: 0, calls: 0 };
    e.ms += ms;
    e.calls += n;
    byKind.set(k, e);
  }
  console.log(
    `  kernels ${kernelMs.toFixed(1)} ms in ${Math.round(calls)} calls; outside kernels (dispatch, tape, bookkeeping) ${(stepMs - kernelMs).toFixed(1)} ms (timed step, timers included)`,
  );
  for (const [k, e] of [...byKind].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(
      `  ${k.padEnd(34)} ${e.ms.toFixed(1).padStart(7)} ms ${String(Math.round(e.calls)).padStart(6)} calls ${((100 * e.ms) / stepMs).toFixed(0).padStart(4)}%`,
    );
  }
  console.log('  top kernels:');
  for (const [name, ms, n] of rows.slice(0, Number(process.env.TOP ?? 12)))
    console.log(`    ${name.padEnd(26)} ${ms.toFixed(2).padStart(8)} ms ${String(Math.round(n)).padStart(6)} calls`);
  const products = [...byProduct].sort((x, y) => y[1].ms - x[1].ms);
  const total = products.reduce((acc, [, p]) => ({ ms: acc.ms + p.ms, flops: acc.flops + p.flops }), { ms: 0, flops: 0 });
  console.log(
    `  matrix products: ${(total.flops / STEPS / 1e9).toFixed(2)} GFLOP in ${(total.ms / STEPS).toFixed(1)} ms, ${(total.flops / total.ms / 1e6).toFixed(0)} GFLOP/s; by time (m x k x n, T: that operand transposed):`,
  );
  for (const [key, p] of process.env.MATMULS === 'all' ? products : products.slice(0, 10))
    console.log(
      `    ${key.padEnd(30)} ${(p.ms / STEPS).toFixed(2).padStart(6)} ms ${String(p.calls / STEPS).padStart(4)} calls ${(p.flops / p.ms / 1e6).toFixed(0).padStart(5)} GFLOP/s`,
    );
  optimizer.dispose();
  bench.dispose();
}
