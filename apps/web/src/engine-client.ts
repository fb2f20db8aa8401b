/**
 * The page's side of the engine worker: requests as promises, step and training events as
 * callbacks. `window.rectiflowPage` exposes it to scripts (the browser test drives it).
 */
import type { BackendChoice } from '@rectiflow/core';
import type { EngineInfo, FromWorker, GeneratedImage, SampleRequest, ToWorker, TrainRequest } from './protocol';

export interface SampleResult {
  images: GeneratedImage[];
  seconds: number;
  imagesPerSecond: number;
}

export interface TrainEvents {
  onProgress?: (p: Extract<FromWorker, { type: 'train-progress' }>) => void;
  onGrid?: (g: Extract<FromWorker, { type: 'train-grid' }>) => void;
  onState?: (state: 'running' | 'paused' | 'done') => void;
}

export class EngineClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly sampling = new Map<
    number,
    { resolve: (r: SampleResult) => void; reject: (e: Error) => void; onStep?: (s: Extract<FromWorker, { type: 'step' }>) => void }
  >();
  private waiting: Array<{ type: FromWorker['type']; resolve: (m: FromWorker) => void; reject: (e: Error) => void }> = [];
  private training: { resolve: () => void; reject: (e: Error) => void } | undefined;
  readonly ready: Promise<EngineInfo>;
  events: TrainEvents = {};
  /** Errors that no pending request was waiting for. */
  onError: (message: string) => void = () => {};

  constructor(backend: BackendChoice) {
    this.worker = new Worker(new URL('./engine-worker.ts', import.meta.url), { type: 'module' });
    this.worker.addEventListener('message', (e: MessageEvent<FromWorker>) => this.receive(e.data));
    this.worker.addEventListener('error', (e) => this.fail(e.message || 'the engine worker failed to start'));
    this.ready = this.expect('ready').then((m) => (m as Extract<FromWorker, { type: 'ready' }>).info);
    this.send({ type: 'init', backend, modelUrl: new URL('models/shapes/', location.href).href });
  }

  private send(message: ToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private expect(type: FromWorker['type']): Promise<FromWorker> {
    return new Promise((resolve, reject) => this.waiting.push({ type, resolve, reject }));
  }

  private fail(message: string): void {
    const error = new Error(message);
    const pending = this.waiting.length + this.sampling.size + (this.training ? 1 : 0);
    this.training?.reject(error);
    this.training = undefined;
    for (const w of this.waiting) w.reject(error);
    for (const s of this.sampling.values()) s.reject(error);
    this.waiting = [];
    this.sampling.clear();
    if (!pending) this.onError(message);
  }

  private receive(m: FromWorker): void {
    switch (m.type) {
      case 'step':
        this.sampling.get(m.id)?.onStep?.(m);
        return;
      case 'sampled': {
        const s = this.sampling.get(m.id);
        this.sampling.delete(m.id);
        s?.resolve({ images: m.images, seconds: m.seconds, imagesPerSecond: m.imagesPerSecond });
        return;
      }
      case 'train-progress':
        this.events.onProgress?.(m);
        return;
      case 'train-grid':
        this.events.onGrid?.(m);
        return;
      case 'train-state':
        this.events.onState?.(m.state);
        if (m.state === 'done') {
          this.training?.resolve();
          this.training = undefined;
        }
        return;
      case 'error':
        this.fail(m.message);
        return;
    }
    const i = this.waiting.findIndex((w) => w.type === m.type);
    if (i >= 0) this.waiting.splice(i, 1)[0].resolve(m);
  }

  /** Generate images; `onStep` sees the decoded denoised estimate after every solver step. */
  sample(
    request: SampleRequest,
    model: 'bundled' | 'trained' = 'bundled',
    onStep?: (s: Extract<FromWorker, { type: 'step' }>) => void,
  ): Promise<SampleResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.sampling.set(id, { resolve, reject, ...(onStep ? { onStep } : {}) });
      this.send({ type: 'sample', id, request, model });
    });
  }

  /** Start training; resolves when it has run all its steps. */
  train(request: TrainRequest): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      this.training = { resolve, reject };
    });
    this.send({ type: 'train', request });
    return done;
  }

  pause(): void {
    this.send({ type: 'pause' });
  }

  resume(): void {
    this.send({ type: 'resume' });
  }

  /** The trained model's checkpoint files (also made the page's "trained" model). */
  async save(): Promise<Array<[string, Uint8Array]>> {
    const reply = this.expect('saved');
    this.send({ type: 'save' });
    return ((await reply) as Extract<FromWorker, { type: 'saved' }>).files;
  }

  /** Load checkpoint files as the page's "trained" model; resolves with its step. */
  async load(files: Array<[string, Uint8Array]>): Promise<number> {
    const reply = this.expect('loaded');
    this.send({ type: 'load', files });
    return ((await reply) as Extract<FromWorker, { type: 'loaded' }>).step;
  }
}
