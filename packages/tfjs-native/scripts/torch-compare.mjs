// `pnpm --filter @rectiflow/tfjs-native bench -- --torch`: our MM-DiT forward and training step
// (native kernels + FusedAdamOptimizer) against the PyTorch twin (tools/torch-twin/mmdit_twin.py),
// same configuration (batch 8, 4x16x16 latents, patch 2, 16 text tokens of width 128, QK-norm),
// interleaved round by round in one run so machine load hits both alike; depth 2 and 4, 1 and 2
// threads. Prints the minimum and the median of each and the ratios (ours / PyTorch; below 1 is
// faster). Without PyTorch it says how to install it and prints our figures alone.
// TORCH_ROUNDS (default 3) rounds of TORCH_RUNS (default 10) timed runs each, after TORCH_WARMUP
// (default 10) untimed runs on both sides (our JIT needs a few dozen calls of a fresh model's
// closures before its times settle; a training run makes thousands).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { tf } from '@rectiflow/core';
import { disableNativeKernels, enableNativeKernels, FusedAdamOptimizer } from '../dist/index.js';
import { benchModel, median } from './bench-model.mjs';

const TWIN = fileURLToPath(new URL('../../../tools/torch-twin/mmdit_twin.py', import.meta.url));
const PYTHON = process.env.TORCH_PYTHON ?? '/usr/bin/python3';
const ROUNDS = Number(process.env.TORCH_ROUNDS ?? 3);
const RUNS = Number(process.env.TORCH_RUNS ?? 10);
const WARMUP = Number(process.env.TORCH_WARMUP ?? 10);

function torchAvailable() {
  if (!existsSync(PYTHON)) return `no ${PYTHON}`;
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : (r.stderr.trim().split('\n').pop() ?? 'torch does not import');
}

/** One round of the twin at (depth, threads): its median and minimum forward and step. */
function torchRound(depth, threads) {
  // AVX-512 kernels, as the twin's README asks (the machine's environment may pin Haswell); TORCH_OPENBLAS_CORETYPE overrides.
  const env = { ...process.env, OPENBLAS_CORETYPE: process.env.TORCH_OPENBLAS_CORETYPE ?? 'SkylakeX' };
  const args = [TWIN, String(threads), '--depths', String(depth), '--runs', String(RUNS), '--warmup', String(WARMUP)];
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`the PyTorch twin failed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
  const rec = JSON.parse(r.stdout.trim().split('\n').pop());
  return {
    fwd: rec.fwd_ms,
    fwdMin: rec.fwd_min_ms,
    step: rec.step_ms,
    stepMin: rec.step_min_ms,
    params: rec.params,
    blas: rec.blas_libs,
    core: rec.openblas_core,
  };
}

/** Our model at `depth`: forward and training-step timings of one round of RUNS runs (after WARMUP untimed runs). */
async function oursRound(depth, threads) {
  await enableNativeKernels({ threads });
  const bench = benchModel(depth);
  const { model, x, t, y, context, vars, lossOf } = bench;
  const optimizer = new FusedAdamOptimizer(1e-4);
  const forward = () => tf.tidy(() => model.forward(x, t, y, context).dataSync());
  const step = () => {
    const loss = optimizer.minimize(lossOf, true, vars);
    loss.dataSync();
    loss.dispose();
  };
  const time = (fn) => {
    for (let i = 0; i < WARMUP; i++) fn();
    const out = [];
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      fn();
      out.push(performance.now() - start);
    }
    return out;
  };
  const fwd = time(forward);
  const stepTimes = time(step);
  optimizer.dispose();
  bench.dispose();
  disableNativeKernels();
  return { fwd, step: stepTimes };
}

export async function torchCompare() {
  const missing = torchAvailable();
  if (missing) {
    console.log(`PyTorch is not available (${missing}). To compare, install the twin's two Debian packages:`);
    console.log('  apt-get install -y python3-torch libopenblas0-pthread   (see tools/torch-twin/README.md)');
    console.log('Our figures alone follow.');
  }
  console.log(
    `load average ${loadavg()[0].toFixed(1)}; ${ROUNDS} interleaved rounds of ${RUNS} runs after ${WARMUP} warm-up runs; times in ms (min / median)`,
  );
  const rows = [];
  for (const depth of [2, 4]) {
    for (const threads of [1, 2]) {
      const ours = { fwd: [], step: [] };
      const torch = { fwd: [], fwdMin: [], step: [], stepMin: [] };
      let info;
      for (let round = 0; round < ROUNDS; round++) {
        const o = await oursRound(depth, threads);
        ours.fwd.push(...o.fwd);
        ours.step.push(...o.step);
        if (!missing) {
          info = torchRound(depth, threads);
          torch.fwd.push(info.fwd);
          torch.fwdMin.push(info.fwdMin);
          torch.step.push(info.step);
          torch.stepMin.push(info.stepMin);
        }
      }
      const row = {
        depth,
        threads,
        oursFwd: [Math.min(...ours.fwd), median(ours.fwd)],
        oursStep: [Math.min(...ours.step), median(ours.step)],
        ...(missing
          ? {}
          : {
              torchFwd: [Math.min(...torch.fwdMin), median(torch.fwd)],
              torchStep: [Math.min(...torch.stepMin), median(torch.step)],
              info,
            }),
      };
      rows.push(row);
      const f = ([a, b]) => `${a.toFixed(1)} / ${b.toFixed(1)}`;
      const ratio = (a, b) => `x${(a[0] / b[0]).toFixed(2)} / x${(a[1] / b[1]).toFixed(2)}`;
      console.log(
        `d=${depth}, ${threads} thread${threads > 1 ? 's' : ' '}: forward ${f(row.oursFwd)}` +
          (missing ? '' : ` vs PyTorch ${f(row.torchFwd)} (${ratio(row.oursFwd, row.torchFwd)})`) +
          `; step ${f(row.oursStep)}` +
          (missing ? '' : ` vs PyTorch ${f(row.torchStep)} (${ratio(row.oursStep, row.torchStep)})`),
      );
    }
  }
  if (!missing && rows[0].info)
    console.log(`PyTorch twin: ${rows[0].info.params} parameters at d=2; OpenBLAS core ${rows[0].info.core}; ${rows[0].info.blas}`);
  return rows;
}
