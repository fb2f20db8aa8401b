/**
 * The sigma grids of the released SD3 code and of diffusers, reproduced bit for bit, and
 * the corrected grid.
 *
 * Both released grids take N times evenly spaced from 1000 σ_max to 1000 σ_min and shift
 * each by σ = s t / (1 + (s - 1) t), t = ts / 1000. But σ_min = shift(1/1000) is already
 * shifted, so the low end is shifted twice: the last non-zero sigma is
 * shift(shift(0.001)) = 0.008928571… for shift 3, whatever N. {@link correctedSd3Sigmas}
 * shifts once.
 */
import { checkNumber } from '@rectiflow/core';
import { shiftTime } from '@rectiflow/schedules';

const f32 = Math.fround;
/** The number of discrete training timesteps of SD3's `ModelSamplingDiscreteFlow`. */
const TRAIN_TIMESTEPS = 1000;

function checkArgs(steps: number, shift: number): void {
  checkNumber('steps', steps, { integer: true, min: 1 });
  checkNumber('shift', shift, { greaterThan: 0 });
}

/** `ModelSamplingDiscreteFlow.sigma` on a float32 timestep, in float32 arithmetic. */
function sigmaF32(timestep: number, shift: number): number {
  const t = f32(timestep / TRAIN_TIMESTEPS);
  if (shift === 1) return t;
  return f32(f32(f32(shift) * t) / f32(1 + f32(f32(shift - 1) * t)));
}

/**
 * The grid of the official SD3.5 inference code (`sd3_infer.SD3Inferencer.get_sigmas` with
 * `ModelSamplingDiscreteFlow(shift)`): `torch.linspace` in float32 (first half counted up
 * from the start, second half down from the end), the shift in float32, then a trailing 0.
 * `steps + 1` float32 values, as the reference sampler sees them.
 */
export function sd3Sigmas(steps: number, shift = 3): number[] {
  checkArgs(steps, shift);
  const start = f32(sigmaF32(TRAIN_TIMESTEPS, shift) * TRAIN_TIMESTEPS);
  const end = f32(sigmaF32(1, shift) * TRAIN_TIMESTEPS);
  const sigmas: number[] = [];
  if (steps === 1) {
    sigmas.push(sigmaF32(start, shift));
  } else {
    const step = f32(f32(end - start) / (steps - 1));
    const halfway = Math.floor(steps / 2);
    for (let i = 0; i < steps; i++) {
      const ts = i < halfway ? f32(start + f32(step * i)) : f32(end - f32(step * (steps - 1 - i)));
      sigmas.push(sigmaF32(ts, shift));
    }
  }
  sigmas.push(0);
  return sigmas;
}

/**
 * diffusers' `FlowMatchEulerDiscreteScheduler(shift).set_timesteps(steps)` sigmas: σ_min and
 * σ_max from the float32 training table, `np.linspace` and the shift in float64, then
 * rounded to float32, with a trailing 0. At most 1 float32 ulp from {@link sd3Sigmas}.
 */
export function diffusersSigmas(steps: number, shift = 3): number[] {
  checkArgs(steps, shift);
  const sigmaMax = sigmaF32(TRAIN_TIMESTEPS, shift);
  const sigmaMin = sigmaF32(1, shift);
  const start = sigmaMax * TRAIN_TIMESTEPS;
  const stop = sigmaMin * TRAIN_TIMESTEPS;
  const sigmas: number[] = [];
  const delta = (stop - start) / Math.max(steps - 1, 1);
  for (let i = 0; i < steps; i++) {
    const ts = steps > 1 && i === steps - 1 ? stop : i * delta + start;
    const s = ts / TRAIN_TIMESTEPS;
    sigmas.push(f32((shift * s) / (1 + (shift - 1) * s)));
  }
  sigmas.push(0);
  return sigmas;
}

/**
 * The corrected SD3 grid: `steps` times evenly spaced from 1 to the smallest training time
 * 1/1000, each shifted once (float64), then 0. The last non-zero sigma is
 * shift(0.001) = 0.0029940… for shift 3.
 */
export function correctedSd3Sigmas(steps: number, shift = 3): number[] {
  checkArgs(steps, shift);
  const tMin = 1 / TRAIN_TIMESTEPS;
  const sigmas: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = steps === 1 ? 1 : i === steps - 1 ? tMin : 1 + ((tMin - 1) * i) / (steps - 1);
    sigmas.push(shiftTime(t, shift));
  }
  sigmas.push(0);
  return sigmas;
}
