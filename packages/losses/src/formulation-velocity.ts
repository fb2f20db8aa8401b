/**
 * The rectified-flow velocity field of a network trained with any formulation, so that one
 * sampler (any solver on one sigma grid) serves every formulation of the paper's Table 1.
 *
 * Any process z_t = a_t x0 + b_t eps is a rescaled rectified flow: z_t / (a_t + b_t) lies on the
 * straight path y_s = (1 - s) x0 + s eps at s = b_t / (a_t + b_t). So at rf state y and rf time s
 * we find the process time t with b_t / (a_t + b_t) = s, call the network on z = (a_t + b_t) y at
 * t exactly as in training, convert its output to x0 and eps estimates, and return the rf
 * velocity eps_hat - x0_hat. For an eps network, Euler steps of this field are DDIM steps.
 *
 * Rectified-flow formulations with velocity output are returned unchanged (bit-identical).
 * Processes whose s never reaches 1 (LDM-linear's a_1 > 0) are called at t = 1 for larger s,
 * as diffusion samplers start from unit noise at the last training time.
 */
import { invalid, tf, type VelocityFn } from '@rectiflow/core';
import { conversionCoefficients, type MaybePreconditioned } from '@rectiflow/schedules';
import type { Formulation } from './formulation';

/** The largest process time a network is called at (as in training: b_1 may be infinite). */
const MAX_TIME = 1 - 2 ** -24;
/** The smallest rf time evaluated: at s = 0 some conversions divide by b_0 = 0. */
const MIN_RF_TIME = 2 ** -20;
const PROBES = [0.1, 0.25, 0.5, 0.75, 0.9];

/** Whether the process is the rectified flow itself (a_t = 1 - t, b_t = t). */
function isRectifiedFlow(process: Formulation['process']): boolean {
  return PROBES.every((t) => Math.abs(process.b(t) - t) < 1e-12 && Math.abs(process.a(t) + process.b(t) - 1) < 1e-12);
}

/** The rf time of process time t. */
function rfTime(process: Formulation['process'], t: number): number {
  const a = process.a(t);
  const b = process.b(t);
  return b / (a + b);
}

/**
 * The process time t with b_t / (a_t + b_t) = s (by bisection; s increases with t), clamped to
 * [0, 1 - 2^-24]. Float32, as the network sees it.
 */
export function processTimeOf(process: Formulation['process'], s: number): number {
  if (!(s >= 0 && s <= 1)) invalid('s', s, 'an rf time in [0, 1]');
  if (s <= 0) return 0;
  if (s >= rfTime(process, MAX_TIME)) return MAX_TIME;
  let lo = 0;
  let hi = MAX_TIME;
  for (let i = 0; i < 60 && hi - lo > 1e-15; i++) {
    const mid = 0.5 * (lo + hi);
    if (rfTime(process, mid) < s) lo = mid;
    else hi = mid;
  }
  return Math.fround(0.5 * (lo + hi));
}

/**
 * The rf velocity field (t = 1 noise, t = 0 data) of `network`, a model trained with
 * `formulation`'s process and output (`network` is called with the process's state and time).
 */
export function formulationVelocity(network: VelocityFn, formulation: Pick<Formulation, 'process' | 'output'>): VelocityFn {
  const { process, output } = formulation;
  if (output === 'velocity' && isRectifiedFlow(process)) return network;
  for (const t of PROBES) {
    if (!(rfTime(process, t) > rfTime(process, t / 2))) {
      invalid('formulation.process', process.name, 'a process whose b_t / (a_t + b_t) increases with t');
    }
  }
  return (y, s, cond, options) => {
    const rf = s.dataSync();
    const n = rf.length;
    const times = new Float32Array(n);
    const scale = new Float32Array(n);
    const cOut = new Float32Array(n);
    const cZ = new Float32Array(n);
    rf.forEach((si, i) => {
      if (!(si >= 0 && si <= 1)) invalid(`t[${i}]`, si, 'an rf time in [0, 1]');
      const t = processTimeOf(process, Math.max(si, MIN_RF_TIME));
      const k = process.a(t) + process.b(t);
      // x0 and eps as c_out * out + c_z * z; the rf velocity is eps - x0, and z = k y.
      const x0 = conversionCoefficients(process as MaybePreconditioned, output, 'x0', t);
      const eps = conversionCoefficients(process as MaybePreconditioned, output, 'eps', t);
      times[i] = t;
      scale[i] = k;
      cOut[i] = eps[0] - x0[0];
      cZ[i] = (eps[1] - x0[1]) * k;
      if (![k, cOut[i], cZ[i]].every(Number.isFinite)) {
        invalid('t', si, `an rf time where ${process.name} with '${output}' output converts to a finite velocity`);
      }
    });
    return tf.tidy(() => {
      const per = [n, ...Array.from({ length: y.rank - 1 }, () => 1)];
      const z = tf.mul(y, tf.tensor(scale, per));
      const out = network(z, tf.tensor1d(times), cond, options);
      return tf.add(tf.mul(out, tf.tensor(cOut, per)), tf.mul(y, tf.tensor(cZ, per)));
    });
  };
}
