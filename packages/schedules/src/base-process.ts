/**
 * The shared machinery of every forward process: each process defines a_t, b_t and their
 * derivatives as float64 functions; this base class derives lambda, the targets, the
 * conversions between network outputs and all tensor operations from them.
 */
import { type ForwardProcess, type ProcessCoefficients, tf } from '@rectiflow/core';
import { conversionCoefficients, type LinearPair, type Preconditioning, targetCoefficients } from './output-conversion';
import { checkProcessOutput, type ProcessOutput } from './process-output';
import { checkBatchTimes, checkSameShape, checkTime, perSample, readTimes } from './time-input';

/**
 * Base class of the built-in forward processes `z_t = a_t x0 + b_t eps`.
 *
 * Subclasses implement the float64 coefficients (`coefA`, `coefB`, `coefDa`, `coefDb`,
 * and optionally exact `lambda`/`dlambda`); the public scalar methods validate `t`.
 * Tensor methods read `t` back (one small synchronous read of [B] values), evaluate the
 * coefficients in float64 and apply them in float32, so every process, EDM and the
 * discrete LDM table included, has exactly the scalar functions' values.
 */
export abstract class BaseForwardProcess implements ForwardProcess {
  abstract readonly name: string;

  protected abstract coefA(t: number): number;
  protected abstract coefB(t: number): number;
  protected abstract coefDa(t: number): number;
  protected abstract coefDb(t: number): number;

  /** log(a^2/b^2); subclasses override with a cancellation-free form. */
  protected coefLambda(t: number): number {
    const a = this.coefA(t);
    const b = this.coefB(t);
    return 2 * Math.log(Math.abs(a) / b);
  }

  /** 2 (a'/a - b'/b); subclasses override with a cancellation-free form. */
  protected coefDlambda(t: number): number {
    return 2 * (this.coefDa(t) / this.coefA(t) - this.coefDb(t) / this.coefB(t));
  }

  /** EDM's preconditioning; undefined for processes that have none (then 'F' is rejected). */
  protected preconditioning(_t: number): Preconditioning | undefined {
    return undefined;
  }

  /** The data coefficient a_t. @throws ValidationError unless t is in [0, 1]. */
  a(t: number): number {
    return this.coefA(checkTime('t', t));
  }
  /** The noise coefficient b_t. */
  b(t: number): number {
    return this.coefB(checkTime('t', t));
  }
  /** da/dt. */
  da(t: number): number {
    return this.coefDa(checkTime('t', t));
  }
  /** db/dt. */
  db(t: number): number {
    return this.coefDb(checkTime('t', t));
  }
  /** The log signal-to-noise ratio lambda_t = log(a_t^2 / b_t^2). */
  lambda(t: number): number {
    return this.coefLambda(checkTime('t', t));
  }
  /** d lambda / dt = 2 (a'/a - b'/b). */
  dlambda(t: number): number {
    return this.coefDlambda(checkTime('t', t));
  }

  /** EDM's preconditioning at time t, or undefined for processes without one. */
  precondition(t: number): Preconditioning | undefined {
    return this.preconditioning(checkTime('t', t));
  }

  /** The target of a network with output `output` as (c_x0, c_eps); see {@link targetCoefficients}. */
  targetCoefficients(output: ProcessOutput, t: number): LinearPair {
    return targetCoefficients(this, output, checkTime('t', t));
  }

  /** (c_out, c_z) with `to = c_out * output + c_z * z`; see {@link conversionCoefficients}. */
  conversionCoefficients(from: ProcessOutput, to: ProcessOutput, t: number): LinearPair {
    return conversionCoefficients(this, from, to, checkTime('t', t));
  }

  /** a, b, da, db at every entry of `t`, float32 tensors shaped like `t`. */
  coefficients(t: tf.Tensor): ProcessCoefficients {
    const times = readTimes('t', t);
    const make = (f: (t: number) => number) => {
      const out = new Float32Array(times.length);
      for (let i = 0; i < times.length; i++) out[i] = f.call(this, times[i]);
      return tf.tensor(out, t.shape, 'float32');
    };
    return { a: make(this.coefA), b: make(this.coefB), da: make(this.coefDa), db: make(this.coefDb) };
  }

  /** z_t = a_t x0 + b_t eps; `t` [B] broadcasts over the other axes of `x0` [B, ...]. */
  addNoise(x0: tf.Tensor, eps: tf.Tensor, t: tf.Tensor1D): tf.Tensor {
    checkBatchTimes('t', t, 'x0', x0);
    checkSameShape('eps', eps, 'x0', x0);
    const times = readTimes('t', t);
    return this.combine(x0, eps, times, (ti) => [this.coefA(ti), this.coefB(ti)]);
  }

  /** The regression target of a network with output `parameterization`: eps, x0, dz/dt, or EDM's F. */
  target(parameterization: ProcessOutput, x0: tf.Tensor, eps: tf.Tensor, t: tf.Tensor1D): tf.Tensor {
    checkProcessOutput('parameterization', parameterization);
    checkBatchTimes('t', t, 'x0', x0);
    checkSameShape('eps', eps, 'x0', x0);
    const times = readTimes('t', t);
    return this.combine(x0, eps, times, (ti) => this.targetCoefficients(parameterization, ti));
  }

  /** Convert a network output from one parameterisation to another at state `z` and time `t`. */
  convert(output: tf.Tensor, from: ProcessOutput, to: ProcessOutput, z: tf.Tensor, t: tf.Tensor1D): tf.Tensor {
    checkProcessOutput('from', from);
    checkProcessOutput('to', to);
    checkBatchTimes('t', t, 'output', output);
    checkSameShape('z', z, 'output', output);
    const times = readTimes('t', t);
    if (from === to) return output.clone();
    return this.combine(output, z, times, (ti) => this.conversionCoefficients(from, to, ti));
  }

  /** c1 * x + c2 * y with per-sample float64 coefficients. */
  private combine(x: tf.Tensor, y: tf.Tensor, times: Float64Array, coef: (t: number) => LinearPair): tf.Tensor {
    const c1 = new Float64Array(times.length);
    const c2 = new Float64Array(times.length);
    for (let i = 0; i < times.length; i++) [c1[i], c2[i]] = coef(times[i]);
    return tf.tidy(() => {
      const k1 = perSample(c1, x.rank);
      const k2 = perSample(c2, x.rank);
      return tf.add(tf.mul(x, k1), tf.mul(y, k2));
    });
  }
}
