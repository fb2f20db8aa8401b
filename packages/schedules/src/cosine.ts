import { BaseForwardProcess } from './base-process';

/**
 * The cosine schedule (Nichol & Dhariwal 2021): a_t = cos(pi t / 2), b_t = sin(pi t / 2),
 * variance preserving. lambda_t = 2 log cot(pi t / 2), lambda'_t = -2 pi / sin(pi t).
 */
export class CosineProcess extends BaseForwardProcess {
  readonly name = 'cosine';

  protected coefA(t: number): number {
    return Math.cos((Math.PI * t) / 2);
  }
  protected coefB(t: number): number {
    return Math.sin((Math.PI * t) / 2);
  }
  protected coefDa(t: number): number {
    return (-Math.PI / 2) * Math.sin((Math.PI * t) / 2);
  }
  protected coefDb(t: number): number {
    return (Math.PI / 2) * Math.cos((Math.PI * t) / 2);
  }
  protected override coefLambda(t: number): number {
    return -2 * Math.log(Math.tan((Math.PI * t) / 2));
  }
  protected override coefDlambda(t: number): number {
    return (-2 * Math.PI) / Math.sin(Math.PI * t);
  }
}
