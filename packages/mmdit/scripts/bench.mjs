// Benchmark of the MM-DiT on the current backend (wasm by default; RECTIFLOW_BACKEND overrides).
// Run after `pnpm build`: pnpm --filter @rectiflow/mmdit bench
// For depth 2 and 4: 16x16 latents of 4 channels, 16 text tokens, batch 8. Prints the forward
// time, the time of one forward + backward + Adam step, and the peak RSS of the process.
import { createRng, initBackend, tf } from '@rectiflow/core';
import { MMDiT } from '../dist/index.js';

const info = await initBackend(undefined, { quiet: true });
const BATCH = 8;
const SIDE = 16;
const CHANNELS = 4;
const TOKENS = 16;
const CONTEXT_DIM = 128;
const POOLED_DIM = 128;
const WARMUP = 2;
const RUNS = Number(process.env.BENCH_RUNS ?? 10);

let peakRss = process.memoryUsage().rss;
const sampleRss = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Median wall-clock ms and median process CPU ms (user + system) of `fn`. */
function time(fn) {
  for (let i = 0; i < WARMUP; i++) fn();
  const wall = [];
  const cpu = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const startCpu = cpuMs();
    fn();
    wall.push(performance.now() - start);
    cpu.push(cpuMs() - startCpu);
    sampleRss();
  }
  return `${median(wall).toFixed(1)} ms (CPU ${median(cpu).toFixed(1)} ms)`;
}

const load = (await import('node:os')).loadavg()[0].toFixed(1);
console.log(
  `backend ${info.name}; load average ${load}; batch ${BATCH}, latents ${CHANNELS}x${SIDE}x${SIDE}, ${TOKENS} text tokens; median of ${RUNS} runs`,
);
for (const depth of [2, 4]) {
  const model = new MMDiT(
    { depth, inChannels: CHANNELS, contextDim: CONTEXT_DIM, pooledDim: POOLED_DIM, posEmbedMaxSize: SIDE / 2, qkNorm: true },
    { seed: 1 },
  );
  const rng = createRng(2);
  const x = rng.normal([BATCH, CHANNELS, SIDE, SIDE]);
  const t = rng.uniform([BATCH], 0, 1000);
  const y = rng.normal([BATCH, POOLED_DIM]);
  const context = rng.normal([BATCH, TOKENS, CONTEXT_DIM]);
  const target = rng.normal([BATCH, CHANNELS, SIDE, SIDE]);
  const forwardMs = time(() => {
    const out = model.forward(x, t, y, context);
    out.dataSync();
    out.dispose();
  });
  const optimizer = tf.train.adam(1e-4);
  const vars = model.trainableVariables();
  const stepMs = time(() => {
    const loss = optimizer.minimize(() => tf.losses.meanSquaredError(target, model.forward(x, t, y, context)), true, vars);
    loss.dataSync();
    loss.dispose();
  });
  const params = (model.parameterCount() / 1e6).toFixed(2);
  console.log(
    `depth ${depth} (hidden ${model.config.hidden}, ${params}M params): forward ${forwardMs}; ` +
      `forward+backward+Adam ${stepMs} per step; peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`,
  );
  optimizer.dispose();
  tf.dispose([x, t, y, context, target]);
  model.dispose();
}
