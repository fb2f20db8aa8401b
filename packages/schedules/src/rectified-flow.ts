import { BaseForwardProcess } from './base-process';

/**
 * Rectified flow (paper section 3.1): z_t = (1 - t) x0 + t eps, a straight path from data
 * to noise. The network predicts the velocity eps - x0; its natural weighting is
 * w_t = t / (1 - t), under which the weighted objective is the plain velocity MSE.
 */
export class RectifiedFlowProcess extends BaseForwardProcess {
  readonly name = 'rf';

  protected coefA(t: number): number {
    return 1 - t;
  }
  protected coefB(t: number): number {
    return t;
  }
  protected coefDa(_t: number): number {
    return -1;
  }
  protected coefDb(_t: number): number {
    return 1;
  }
  protected override coefLambda(t: number): number {
    return 2 * Math.log((1 - t) / t);
  }
  protected override coefDlambda(t: number): number {
    return -2 / (t * (1 - t));
  }
}
