// Trains the two feature networks shipped in assets/ and writes them as safetensors with
// their provenance in the metadata. Deterministic: fixed seeds, fixed data, fixed steps.
// Run after `pnpm build`: pnpm --filter @rectiflow/eval train-features [shapes|mnist]
// Environment: SHAPES_STEPS, MNIST_STEPS override the step counts (for trying things out).
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRng, initBackend, tf } from '@rectiflow/core';
import { createMnistDataset, createShapesDataset } from '@rectiflow/data';
import {
  FeatureNet,
  headAccuracies,
  isMnistHeldOut,
  MNIST_FEATURE_NET_CONFIG,
  SHAPES_FEATURE_NET_CONFIG,
  serializeFeatureNet,
  shapesFeatureTargets,
  trainFeatureNet,
} from '../dist/index.js';

const SEED = 0;
const BATCH = 64;
const LEARNING_RATE = 2e-3;
const SHAPES_TRAIN = 20_000;
const SHAPES_HELD_OUT = 2_000;
const SHAPES_STEPS = Number(process.env.SHAPES_STEPS ?? 3000);
const MNIST_STEPS = Number(process.env.MNIST_STEPS ?? 6000);
const COMMAND = 'pnpm --filter @rectiflow/eval train-features';
const which = process.argv[2] ?? 'all';
if (!['all', 'shapes', 'mnist'].includes(which)) throw new Error(`expected shapes, mnist or nothing; got ${which}`);

const info = await initBackend(undefined, { quiet: true });
const assets = new URL('../assets/', import.meta.url);
mkdirSync(assets, { recursive: true });

/** Images and per-head targets of the given dataset indices, as tensors and an Int32Array. */
function collect(dataset, indices, targetsOf) {
  const plane = dataset.channels * dataset.height * dataset.width;
  const data = new Float32Array(indices.length * plane);
  const targets = [];
  indices.forEach((index, i) => {
    const { image, labels } = dataset.get(index);
    data.set(image, i * plane);
    targets.push(...targetsOf(labels));
  });
  const images = tf.tensor4d(data, [indices.length, dataset.channels, dataset.height, dataset.width]);
  return { images, targets: Int32Array.from(targets) };
}

/** Shift a batch by up to 2 pixels in each direction (the same shift for the whole batch), padding with -1 (black). */
function shift(batch, rng) {
  const [n, c, h, w] = batch.shape;
  const dy = rng.integer(0, 5);
  const dx = rng.integer(0, 5);
  const padded = tf.pad(
    batch,
    [
      [0, 0],
      [0, 0],
      [2, 2],
      [2, 2],
    ],
    -1,
  );
  return tf.slice(padded, [0, 0, dy, dx], [n, c, h, w]);
}

async function train(name, config, train, heldOut, steps, augment, data) {
  const started = performance.now();
  const net = new FeatureNet(config, SEED);
  const rng = createRng(`train-feature-nets/${name}/${SEED}`);
  const result = trainFeatureNet(net, train.images, train.targets, {
    steps,
    rng,
    batchSize: BATCH,
    learningRate: LEARNING_RATE,
    augment,
    onStep: ({ step, loss }) => {
      if (step % 250 === 0 || step === 1)
        console.log(`${name} step ${step}/${steps} loss ${loss.toFixed(4)} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    },
  });
  const accuracy = headAccuracies(net, heldOut.images, heldOut.targets);
  const rounded = Object.fromEntries(Object.entries(accuracy).map(([k, v]) => [k, Number(v.toFixed(4))]));
  console.log(`${name} held-out accuracy`, rounded);
  const bytes = await serializeFeatureNet(net, {
    description: `FeatureNet trained by packages/eval/scripts/train-feature-nets.mjs (${COMMAND}) on ${data}`,
    seed: String(SEED),
    steps: String(result.steps),
    batchSize: String(BATCH),
    learningRate: String(LEARNING_RATE),
    optimizer: 'adam',
    augmentation: augment ? 'random shift of up to 2 pixels per batch' : 'none',
    finalLoss: result.losses.at(-1).toFixed(4),
    heldOutAccuracy: JSON.stringify(rounded),
    backend: info.name,
  });
  const file = new URL(`${name}-features.safetensors`, assets);
  writeFileSync(file, bytes);
  console.log(`${name}: wrote ${file.pathname} (${bytes.byteLength} bytes) in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  net.dispose();
  tf.dispose([train.images, heldOut.images]);
}

if (which === 'all' || which === 'shapes') {
  const trainSet = createShapesDataset({ count: SHAPES_TRAIN, seed: SEED, split: 'train' });
  const testSet = createShapesDataset({ count: SHAPES_HELD_OUT, seed: SEED, split: 'test' });
  const range = (n) => Array.from({ length: n }, (_, i) => i);
  await train(
    'shapes',
    SHAPES_FEATURE_NET_CONFIG,
    collect(trainSet, range(SHAPES_TRAIN), shapesFeatureTargets),
    collect(testSet, range(SHAPES_HELD_OUT), shapesFeatureTargets),
    SHAPES_STEPS,
    undefined,
    `${SHAPES_TRAIN} images of createShapesDataset({ seed: ${SEED}, split: 'train' }); held out: ${SHAPES_HELD_OUT} of split 'test'`,
  );
}

if (which === 'all' || which === 'mnist') {
  const dataset = createMnistDataset();
  const all = Array.from({ length: dataset.size }, (_, i) => i);
  const digit = (labels) => [labels.digit];
  await train(
    'mnist',
    MNIST_FEATURE_NET_CONFIG,
    collect(
      dataset,
      all.filter((i) => !isMnistHeldOut(i)),
      digit,
    ),
    collect(dataset, all.filter(isMnistHeldOut), digit),
    MNIST_STEPS,
    shift,
    `the ${dataset.size - dataset.size / 5} mnist digits of createMnistDataset() with index % 5 !== 4; held out: the ${dataset.size / 5} with index % 5 === 4`,
  );
}
