/**
 * How much memory an MM-DiT needs, estimated from its configuration before anything is
 * allocated: its parameter count, and the bytes of one training step or one sampling batch
 * (weights plus the largest activations). `checkFits` from `@rectiflow/core` compares them
 * with the backend's budget.
 */
import type { MMDiTConfig } from './config';

/** Parameters of an MM-DiT (weights only; the position table is counted too). */
export function mmditParameters(
  c: Pick<
    MMDiTConfig,
    'depth' | 'hidden' | 'mlpHidden' | 'patchSize' | 'inChannels' | 'contextDim' | 'pooledDim' | 'posEmbedMaxSize' | 'frequencyDim'
  >,
): number {
  const h = c.hidden;
  const pp = c.patchSize * c.patchSize * c.inChannels;
  const embed = pp * h + c.posEmbedMaxSize ** 2 * h + c.frequencyDim * h + h * h + (c.pooledDim ?? 0) * h + h * h + (c.contextDim ?? 0) * h;
  const block = 2 * (6 * h * h + 4 * h * h + 2 * h * c.mlpHidden);
  return embed + c.depth * block + 2 * h * h + h * pp;
}

/** Bytes one training step needs, roughly: weights, gradients, AdamW moments, EMA and a snapshot, plus activations. */
export function trainingBytes(options: {
  parameters: number;
  batch: number;
  tokens: number;
  hidden: number;
  depth: number;
  heads: number;
}): number {
  const { parameters, batch, tokens, hidden, depth, heads } = options;
  const activations = depth * batch * (24 * tokens * hidden + 3 * heads * tokens * tokens);
  return 4 * (6 * parameters + activations);
}

/** Bytes one sampling batch needs (with guidance, the batch is doubled): weights plus one block's activations. */
export function samplingBytes(options: { parameters: number; batch: number; tokens: number; hidden: number; heads: number }): number {
  const { parameters, batch, tokens, hidden, heads } = options;
  return 4 * (parameters + 2 * batch * (16 * tokens * hidden + 2 * heads * tokens * tokens));
}
