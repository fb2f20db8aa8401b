/**
 * @rectiflow/optim: the optimizer side of training. AdamW with decoupled weight decay and
 * global-norm clipping, an exponential moving average of the weights that sampling swaps in,
 * and the learning-rate schedule (warm-up, constant or cosine). Their state is named tensors,
 * so a checkpoint restores a run exactly. Runtime-neutral: the train app and the web page use it.
 * @packageDocumentation
 */
export { AdamW, type AdamWOptions, type AdamWStepInfo } from './adamw';
export { Ema } from './ema';
export { type LrScheduleOptions, learningRate } from './lr-schedule';
