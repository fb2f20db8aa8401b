/**
 * The page's engine, in a Web Worker so the page stays responsive: it chooses the backend,
 * loads the bundled shapes model (the same checkpoint files `rectiflow-sample` reads), samples
 * with the denoising shown step by step, scores every image with @rectiflow/eval, and trains a
 * small model with pause and resume.
 */
import '@rectiflow/autoencoders';
import '@rectiflow/losses';
import '@rectiflow/solvers';
import '@tensorflow/tfjs-backend-webgpu';
import { encodePng } from '@rectiflow/autoencoders';
import { type BackendChoice, initBackend, tf } from '@rectiflow/core';
import { scoreShapesImage } from '@rectiflow/eval';
import {
  checkpointFilesFromMap,
  checkpointFilesFromUrl,
  type LoadedRun,
  loadRunFromFiles,
  runSamplingParts,
  textToImage,
} from '@rectiflow/pipeline';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { BROWSER_RECIPE, BrowserTrainer } from './browser-trainer';
import type { FromWorker, GeneratedImage, SampleRequest, ToWorker, TrainRequest } from './protocol';

const MAX_PROMPTS = 16;
const MAX_STEPS = 200;
const GRID_PROMPTS = [
  'a large red circle in the center',
  'a small blue square at the top left',
  'a large yellow triangle at the bottom right',
  'a red square to the left of a blue circle',
];

const post = (message: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(message, transfer);

let bundled: LoadedRun | undefined;
let trained: LoadedRun | undefined;
let trainer: BrowserTrainer | undefined;
let paused = false;
let training = false;

function checkSample(r: SampleRequest): void {
  if (!Array.isArray(r.prompts) || r.prompts.length < 1 || r.prompts.length > MAX_PROMPTS) {
    throw new Error(`prompts: got ${r.prompts?.length ?? 0}; expected 1 to ${MAX_PROMPTS} prompts`);
  }
  if (!Number.isInteger(r.steps) || r.steps < 1 || r.steps > MAX_STEPS)
    throw new Error(`steps: got ${r.steps}; expected 1 to ${MAX_STEPS}`);
  if (!Number.isFinite(r.guidance) || r.guidance < 0 || r.guidance > 30) throw new Error(`guidance: got ${r.guidance}; expected 0 to 30`);
  if (!Number.isInteger(r.seed) || r.seed < 0) throw new Error(`seed: got ${r.seed}; expected a non-negative integer`);
}

/** Sample `request` from `run`, posting the decoded denoised estimate after every step. */
function sample(id: number, run: LoadedRun, request: SampleRequest): void {
  checkSample(request);
  const start = performance.now();
  const { images } = textToImage({
    ...runSamplingParts(run),
    prompts: request.prompts,
    seed: request.seed,
    steps: request.steps,
    guidance: request.guidance,
    solver: run.config.sampleSolver,
    onStep: ({ step, steps, denoised }) => {
      const decoded = tf.tidy(() => tf.clipByValue(run.autoencoder.decode(denoised as tf.Tensor4D), -1, 1));
      const [, , ph, pw] = decoded.shape;
      const data = decoded.dataSync() as Float32Array;
      decoded.dispose();
      const per = data.length / request.prompts.length;
      const previews = request.prompts.map((_, i) => data.slice(i * per, (i + 1) * per));
      post(
        { type: 'step', id, step, steps, size: [ph, pw], previews },
        previews.map((p) => p.buffer),
      );
    },
  });
  const seconds = (performance.now() - start) / 1000;
  const [, , ih, iw] = images.shape;
  const data = images.dataSync() as Float32Array;
  const per = data.length / request.prompts.length;
  const out: GeneratedImage[] = request.prompts.map((prompt, i) => {
    const pixels = data.slice(i * per, (i + 1) * per);
    const png = tf.tidy(() => encodePng(tf.slice(images, [i, 0, 0, 0], [1, -1, -1, -1])));
    let attributes: Record<string, boolean> = {};
    let whole = false;
    try {
      const score = scoreShapesImage(pixels, ih, iw, prompt);
      attributes = score.attributes as Record<string, boolean>;
      whole = score.whole;
    } catch {
      // a prompt outside the shapes wording has no score
    }
    return { prompt, pixels, height: ih, width: iw, png, attributes, whole };
  });
  images.dispose();
  post({ type: 'sampled', id, images: out, seconds, imagesPerSecond: request.prompts.length / seconds });
}

async function trainLoop(request: TrainRequest): Promise<void> {
  trainer?.dispose();
  trainer = new BrowserTrainer(request);
  training = true;
  paused = false;
  post({ type: 'train-state', state: 'running' });
  // Loss per t-decile, averaged with decay 0.9 over steps (one batch has few samples per decile).
  const deciles: Array<number | null> = Array(10).fill(null);
  let windowStart = performance.now();
  let windowSteps = 0;
  while (trainer.step < request.steps) {
    if (paused) {
      post({ type: 'train-state', state: 'paused' });
      while (paused) await new Promise((r) => setTimeout(r, 50));
      post({ type: 'train-state', state: 'running' });
      windowStart = performance.now();
      windowSteps = 0;
    }
    const s = trainer.trainStep();
    s.lossByDecile.forEach((l, i) => {
      if (l !== null) deciles[i] = deciles[i] === null ? l : 0.9 * (deciles[i] as number) + 0.1 * l;
    });
    windowSteps++;
    const elapsed = (performance.now() - windowStart) / 1000;
    post({
      type: 'train-progress',
      step: s.step,
      steps: request.steps,
      loss: s.loss,
      lossByDecile: [...deciles],
      stepsPerSecond: windowSteps / elapsed,
    });
    if (s.step % request.sampleEvery === 0 || s.step === request.steps) postGrid(trainer);
    // Let pause, save and sample messages in between steps.
    await new Promise((r) => setTimeout(r, 0));
  }
  training = false;
  post({ type: 'train-state', state: 'done' });
}

function postGrid(t: BrowserTrainer): void {
  const images = t.withEma(
    () =>
      textToImage({
        model: t.model.predict,
        formulation: t.formulation,
        textEncoder: t.textEncoder,
        autoencoder: bundled?.autoencoder ?? (trained as LoadedRun).autoencoder,
        latentShape: [3, 32, 32],
        prompts: GRID_PROMPTS,
        seed: 0,
        steps: BROWSER_RECIPE.sampleSteps,
        guidance: BROWSER_RECIPE.guidance,
        solver: BROWSER_RECIPE.sampleSolver,
        shift: 1,
      }).images,
  );
  const data = images.dataSync() as Float32Array;
  images.dispose();
  const per = data.length / GRID_PROMPTS.length;
  const arrays = GRID_PROMPTS.map((_, i) => data.slice(i * per, (i + 1) * per));
  post(
    { type: 'train-grid', step: t.step, size: [32, 32], images: arrays, prompts: GRID_PROMPTS },
    arrays.map((a) => a.buffer),
  );
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'init': {
      const info = await initBackend(message.backend as BackendChoice, {
        wasmPaths: {
          'tfjs-backend-wasm.wasm': wasmPlain,
          'tfjs-backend-wasm-simd.wasm': wasmSimd,
          'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
        },
      });
      bundled = await loadRunFromFiles(checkpointFilesFromUrl(message.modelUrl));
      post({
        type: 'ready',
        info: {
          backend: info.name,
          choice: info.choice,
          ...(info.wasm ? { wasm: info.wasm } : {}),
          crossOriginIsolated: Boolean((self as unknown as { crossOriginIsolated?: boolean }).crossOriginIsolated),
          bundledModel: `shapes-mmdit-d2, step ${bundled.step}, ${bundled.config.formulation}`,
        },
      });
      return;
    }
    case 'sample': {
      const run = message.model === 'trained' ? trained : bundled;
      if (!run)
        throw new Error(
          message.model === 'trained' ? 'no trained model yet: train, or load a checkpoint first' : 'the engine is not ready',
        );
      sample(message.id, run, message.request);
      return;
    }
    case 'train':
      if (training) throw new Error('training is already running; pause it or wait for it to finish');
      await trainLoop(message.request);
      return;
    case 'pause':
      paused = true;
      return;
    case 'resume':
      paused = false;
      return;
    case 'save': {
      if (!trainer) throw new Error('nothing to save: train first');
      const files = [...(await trainer.checkpointFiles()).entries()];
      trained?.dispose();
      trained = await loadRunFromFiles(checkpointFilesFromMap(new Map(files), 'this page'));
      post({ type: 'saved', files });
      return;
    }
    case 'load': {
      const run = await loadRunFromFiles(checkpointFilesFromMap(new Map(message.files), 'the loaded checkpoint'));
      trained?.dispose();
      trained = run;
      post({ type: 'loaded', step: run.step });
      return;
    }
  }
}

self.addEventListener('message', (event: MessageEvent<ToWorker>) => {
  handle(event.data).catch((e: unknown) => {
    training = false;
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  });
});
