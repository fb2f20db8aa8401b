/**
 * The page: sample the bundled shapes model with the denoising shown step by step, train a
 * small model in the engine worker (live loss, loss by t-decile, sample grids, pause and
 * resume), and save or load its checkpoint (IndexedDB or files `rectiflow-sample` reads).
 */
import type { BackendChoice } from '@rectiflow/core';
import { download, readPickedFiles, readStoredCheckpoint, storeCheckpoint } from './checkpoint-store';
import { drawImage, drawLossChart, figure } from './draw';
import { EngineClient, type SampleResult } from './engine-client';
import type { EngineInfo, SampleRequest, TrainRequest } from './protocol';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const requested = params.get('backend') ?? 'auto';
// The choices are the select's options (the page's script stays free of TensorFlow.js: the worker has it).
const choices = [...$<HTMLSelectElement>('backend').options].map((o) => o.value);
const backend = (choices.includes(requested) ? requested : 'auto') as BackendChoice;
$<HTMLSelectElement>('backend').value = backend;
$<HTMLSelectElement>('backend').addEventListener('change', (e) => {
  params.set('backend', (e.target as HTMLSelectElement).value);
  location.search = params.toString();
});

const engine = new EngineClient(backend);
const status = $('status');
let info: EngineInfo | undefined;
let speed = '';

function showStatus(): void {
  if (!info) return;
  const wasm = info.wasm ? ` (SIMD ${info.wasm.simd ? 'on' : 'off'}, threads ${info.wasm.threads ? 'on' : 'off'})` : '';
  status.textContent = `backend ${info.backend}${wasm}; cross-origin isolated: ${info.crossOriginIsolated ? 'yes' : 'no'}; model ${info.bundledModel}${speed}`;
}

engine.onError = (message) => {
  status.textContent = `error: ${message}`;
  status.className = 'bad';
};

// ---- Sampling -------------------------------------------------------------------------------

function readSampleRequest(): SampleRequest {
  const prompts = $<HTMLTextAreaElement>('prompts')
    .value.split('\n')
    .map((p) => p.trim())
    .filter(Boolean);
  return {
    prompts,
    steps: Number($<HTMLInputElement>('steps').value),
    guidance: Number($<HTMLInputElement>('guidance').value),
    seed: Number($<HTMLInputElement>('seed').value),
  };
}

async function generate(request: SampleRequest, model: 'bundled' | 'trained'): Promise<SampleResult> {
  $<HTMLTextAreaElement>('prompts').value = request.prompts.join('\n');
  const box = $('images');
  box.replaceChildren();
  const figures = request.prompts.map((p) => figure(box, p));
  const line = $('sample-status');
  const result = await engine.sample(request, model, (s) => {
    for (const [i, p] of s.previews.entries()) drawImage(figures[i].canvas, p, s.size[0], s.size[1]);
    line.textContent = `step ${s.step} / ${s.steps}`;
  });
  result.images.forEach((img, i) => {
    drawImage(figures[i].canvas, img.pixels, img.height, img.width);
    const scored = Object.keys(img.attributes).length > 0;
    const verdict = document.createElement('div');
    verdict.className = img.whole ? 'ok' : 'bad';
    verdict.textContent = scored
      ? `${img.whole ? 'whole prompt right' : 'wrong'}: ${Object.entries(img.attributes)
          .map(([k, v]) => `${k} ${v ? '✓' : '✗'}`)
          .join(', ')}`
      : 'not a shapes prompt (no score)';
    const link = document.createElement('a');
    link.href = '#';
    link.textContent = 'PNG';
    link.addEventListener('click', (e) => {
      e.preventDefault();
      download(`${img.prompt.replace(/[^a-z0-9]+/gi, '-')}.png`, img.png, 'image/png');
    });
    figures[i].caption.append(verdict, link);
  });
  line.textContent = `${result.images.length} images in ${result.seconds.toFixed(2)} s (${result.imagesPerSecond.toFixed(2)} images/s, ${request.steps} steps)`;
  speed = `; sampling ${result.imagesPerSecond.toFixed(2)} images/s`;
  showStatus();
  return result;
}

$('generate').addEventListener('click', () => {
  generate(readSampleRequest(), $<HTMLSelectElement>('model').value as 'bundled' | 'trained').catch((e: Error) => {
    $('sample-status').textContent = `error: ${e.message}`;
  });
});

// ---- Training -------------------------------------------------------------------------------

const losses: number[] = [];
engine.events.onProgress = (p) => {
  losses.push(p.loss);
  if (p.step % 5 === 0 || p.step === p.steps) {
    drawLossChart($<HTMLCanvasElement>('loss-chart'), losses);
    $('train-status').textContent = `step ${p.step} / ${p.steps}, loss ${p.loss.toFixed(4)}, ${p.stepsPerSecond.toFixed(2)} steps/s`;
    $('deciles').innerHTML =
      `loss by t-decile (t = 0 → 1, running mean): ${p.lossByDecile.map((l) => `<span>${l === null ? '–' : l.toFixed(3)}</span>`).join('')}`;
  }
};
engine.events.onGrid = (g) => {
  const box = $('train-grid');
  box.replaceChildren();
  for (const [i, img] of g.images.entries()) drawImage(figure(box, `${g.prompts[i]} (step ${g.step})`).canvas, img, g.size[0], g.size[1]);
};
engine.events.onState = (state) => {
  $<HTMLButtonElement>('pause').textContent = state === 'paused' ? 'Resume' : 'Pause';
  $<HTMLButtonElement>('pause').disabled = state === 'done';
  $<HTMLButtonElement>('train').disabled = state !== 'done';
  $<HTMLButtonElement>('save').disabled = false;
};

function readTrainRequest(): TrainRequest {
  return {
    steps: Number($<HTMLInputElement>('train-steps').value),
    batchSize: Number($<HTMLInputElement>('train-batch').value),
    learningRate: Number($<HTMLInputElement>('train-lr').value),
    seed: 0,
    sampleEvery: Number($<HTMLInputElement>('train-every').value),
  };
}

async function train(request: TrainRequest): Promise<number[]> {
  losses.length = 0;
  await engine.train(request);
  return [...losses];
}

$('train').addEventListener('click', () => {
  train(readTrainRequest()).catch((e: Error) => {
    $('train-status').textContent = `error: ${e.message}`;
  });
});
$('pause').addEventListener('click', () => {
  if ($('pause').textContent === 'Resume') engine.resume();
  else engine.pause();
});

async function saveCheckpoint(): Promise<Array<[string, Uint8Array]>> {
  const files = await engine.save();
  await storeCheckpoint(files);
  $('train-status').textContent =
    `checkpoint saved in this browser (${files.map(([n]) => n).join(', ')}); "trained in this page" samples it`;
  return files;
}

$('save').addEventListener('click', () => {
  saveCheckpoint()
    .then((files) => {
      for (const [name, bytes] of files) download(name, bytes);
    })
    .catch((e: Error) => {
      $('train-status').textContent = `error: ${e.message}`;
    });
});

async function restoreCheckpoint(): Promise<number> {
  const files = await readStoredCheckpoint();
  if (!files) throw new Error('no checkpoint saved in this browser yet');
  return engine.load(files);
}

$('restore').addEventListener('click', () => {
  restoreCheckpoint()
    .then((step) => {
      $('train-status').textContent = `loaded the saved checkpoint (step ${step}); "trained in this page" samples it`;
    })
    .catch((e: Error) => {
      $('train-status').textContent = `error: ${e.message}`;
    });
});
$<HTMLInputElement>('load-files').addEventListener('change', (e) => {
  const list = (e.target as HTMLInputElement).files;
  if (!list) return;
  readPickedFiles(list)
    .then((files) => engine.load(files))
    .then((step) => {
      $('train-status').textContent = `loaded the picked checkpoint (step ${step})`;
    })
    .catch((err: Error) => {
      $('train-status').textContent = `error: ${err.message}`;
    });
});

// ---- Start ----------------------------------------------------------------------------------

engine.ready
  .then((ready) => {
    info = ready;
    showStatus();
    for (const id of ['generate', 'train', 'restore', 'load-files']) $<HTMLButtonElement>(id).disabled = false;
  })
  .catch((e: Error) => {
    status.textContent = `error: ${e.message}`;
    status.className = 'bad';
  });

/** What scripts (and the browser test) drive. */
declare global {
  interface Window {
    rectiflowPage: {
      ready: Promise<EngineInfo>;
      generate: typeof generate;
      train: typeof train;
      pause: () => void;
      resume: () => void;
      saveCheckpoint: typeof saveCheckpoint;
      restoreCheckpoint: typeof restoreCheckpoint;
    };
  }
}
window.rectiflowPage = {
  ready: engine.ready,
  generate,
  train,
  pause: () => engine.pause(),
  resume: () => engine.resume(),
  saveCheckpoint,
  restoreCheckpoint,
};
