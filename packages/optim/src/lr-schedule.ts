/** Learning rate: linear warm-up, then constant or cosine decay to `minLr`. */
import { checkNumber } from '@rectiflow/core';

export interface LrScheduleOptions {
  lr: number;
  warmupSteps: number;
  /** `constant` (default) or `cosine` over `totalSteps`. */
  decay?: 'constant' | 'cosine';
  totalSteps?: number;
  minLr?: number;
}

/** The learning rate at 1-based update `step`. */
export function learningRate(step: number, o: LrScheduleOptions): number {
  checkNumber('step', step, { integer: true, min: 1 });
  const warm = o.warmupSteps > 0 ? Math.min(1, step / o.warmupSteps) : 1;
  if (o.decay !== 'cosine' || !o.totalSteps) return o.lr * warm;
  const minLr = o.minLr ?? 0;
  const progress = Math.min(1, Math.max(0, (step - o.warmupSteps) / Math.max(1, o.totalSteps - o.warmupSteps)));
  return warm * (minLr + 0.5 * (o.lr - minLr) * (1 + Math.cos(Math.PI * progress)));
}
