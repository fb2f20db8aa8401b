/**
 * The page's workload in Node, for the figures beside the browser's: sampling the bundled
 * model (4 prompts x 24 Euler steps, CFG 3) and training the page's model (batch 16).
 * Built and run by `scripts/bench.mjs`; prints one JSON line.
 */
import { initBackend, tf } from '@rectiflow/core';
import { runSamplingParts, textToImage } from '@rectiflow/pipeline';
import { loadRun } from '@rectiflow/pipeline/node';
import { BrowserTrainer } from '../src/browser-trainer';

const PROMPTS = [
  'a large red circle in the center',
  'a small blue square at the top left',
  'a large yellow triangle at the bottom right',
  'a red square to the left of a blue circle',
];

const info = await initBackend(undefined, { quiet: true });
const run = await loadRun(new URL('../../sample/models/shapes-mmdit-d2', import.meta.url).pathname);
const sampleOnce = () => {
  const start = performance.now();
  const { images } = textToImage({
    ...runSamplingParts(run),
    prompts: PROMPTS,
    seed: 0,
    steps: 24,
    guidance: 3,
    solver: 'euler',
  });
  images.dataSync();
  images.dispose();
  return PROMPTS.length / ((performance.now() - start) / 1000);
};
sampleOnce();
const imagesPerSecond = Math.max(sampleOnce(), sampleOnce());
const trainer = new BrowserTrainer({ steps: 40, batchSize: 16, learningRate: 0.001, seed: 0, sampleEvery: 1000 });
for (let i = 0; i < 10; i++) trainer.trainStep();
const start = performance.now();
for (let i = 0; i < 30; i++) trainer.trainStep();
const stepsPerSecond = 30 / ((performance.now() - start) / 1000);
trainer.dispose();
run.dispose();
console.log(
  JSON.stringify({
    where: `Node ${process.version}`,
    backend: info.name,
    native: info.native ?? 'none',
    imagesPerSecond,
    stepsPerSecond,
    tensors: tf.memory().numTensors,
  }),
);
