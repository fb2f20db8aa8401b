// The MM-DiT and inputs every tfjs-native script times (bench, --torch, profile): the
// configuration of @rectiflow/mmdit's bench and of the PyTorch twin (batch 8, 4x16x16 latents,
// patch 2, 16 text tokens of width 128, QK-norm), seeded, and the median used to report runs.
import { createRng, tf } from '@rectiflow/core';
import { MMDiT } from '../../mmdit/dist/index.js';

export const [BATCH, SIDE, CHANNELS, TOKENS, DIM] = [8, 16, 4, 16, 128];

/** The model at `depth`, its inputs and target, and its MSE loss; `dispose()` frees them all. */
export function benchModel(depth) {
  const model = new MMDiT(
    { depth, inChannels: CHANNELS, contextDim: DIM, pooledDim: DIM, posEmbedMaxSize: SIDE / 2, qkNorm: true },
    { seed: 1 },
  );
  const data = createRng(2);
  const x = data.normal([BATCH, CHANNELS, SIDE, SIDE]);
  const t = data.uniform([BATCH], 0, 1000);
  const y = data.normal([BATCH, DIM]);
  const context = data.normal([BATCH, TOKENS, DIM]);
  const target = data.normal([BATCH, CHANNELS, SIDE, SIDE]);
  return {
    model,
    x,
    t,
    y,
    context,
    vars: model.trainableVariables(),
    lossOf: () => tf.losses.meanSquaredError(target, model.forward(x, t, y, context)),
    dispose() {
      tf.dispose([x, t, y, context, target]);
      model.dispose();
    },
  };
}

export const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
