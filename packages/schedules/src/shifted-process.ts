import { type ForwardProcess, formatSpec } from '@rectiflow/core';
import { BaseForwardProcess } from './base-process';
import type { MaybePreconditioned, Preconditioning } from './output-conversion';
import { shiftTime, shiftTimeDerivative } from './shift';

/**
 * A process run on shifted time (paper section 5.3.2): z_t = a_{s(t)} x0 + b_{s(t)} eps with
 * s(t) = alpha t / (1 + (alpha - 1) t). Derivatives follow the chain rule. alpha > 1 spends
 * more of [0, 1] at high noise, as higher resolutions need; SD3 samples with alpha = 3.
 */
export class ShiftedProcess extends BaseForwardProcess {
  readonly name: string;

  constructor(
    /** The process being shifted. */
    readonly inner: ForwardProcess,
    /** The shift alpha > 0; alpha = sqrt(m/n) for m target and n base tokens. */
    readonly alpha: number,
  ) {
    super();
    shiftTime(0.5, alpha); // validates alpha
    this.name = formatSpec({ name: 'shift', args: [alpha, inner.name], kwargs: {} });
  }

  /** The shifted time s(t). */
  shiftedTime(t: number): number {
    return shiftTime(t, this.alpha);
  }

  protected coefA(t: number): number {
    return this.inner.a(shiftTime(t, this.alpha));
  }
  protected coefB(t: number): number {
    return this.inner.b(shiftTime(t, this.alpha));
  }
  protected coefDa(t: number): number {
    return this.inner.da(shiftTime(t, this.alpha)) * shiftTimeDerivative(t, this.alpha);
  }
  protected coefDb(t: number): number {
    return this.inner.db(shiftTime(t, this.alpha)) * shiftTimeDerivative(t, this.alpha);
  }
  protected override coefLambda(t: number): number {
    return this.inner.lambda(shiftTime(t, this.alpha));
  }
  protected override coefDlambda(t: number): number {
    return this.inner.dlambda(shiftTime(t, this.alpha)) * shiftTimeDerivative(t, this.alpha);
  }
  protected override preconditioning(t: number): Preconditioning | undefined {
    return (this.inner as MaybePreconditioned).precondition?.(shiftTime(t, this.alpha));
  }
}
