/**
 * The messages between the page and its engine worker. All tensors stay in the worker;
 * images cross as CHW float32 arrays in [-1, 1] and PNG bytes.
 */
import type { BackendChoice } from '@rectiflow/core';

/** Settings of one sampling request. */
export interface SampleRequest {
  prompts: string[];
  steps: number;
  guidance: number;
  seed: number;
}

/** Settings of a browser training run. */
export interface TrainRequest {
  /** Optimizer steps to run (the page can pause and resume). */
  steps: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Steps between sample grids. */
  sampleEvery: number;
}

export type ToWorker =
  | { type: 'init'; backend: BackendChoice; modelUrl: string }
  | { type: 'sample'; id: number; request: SampleRequest; model: 'bundled' | 'trained' }
  | { type: 'train'; request: TrainRequest }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'save' }
  | { type: 'load'; files: Array<[string, Uint8Array]> };

/** Where the engine runs and how fast. */
export interface EngineInfo {
  backend: string;
  choice: string;
  wasm?: { simd: boolean; threads: boolean };
  crossOriginIsolated: boolean;
  bundledModel: string;
}

/** One generated image. */
export interface GeneratedImage {
  prompt: string;
  /** CHW float32 in [-1, 1]. */
  pixels: Float32Array;
  height: number;
  width: number;
  png: Uint8Array;
  /** @rectiflow/eval's verdict per attribute, and whether the whole prompt is right. */
  attributes: Record<string, boolean>;
  whole: boolean;
}

export type FromWorker =
  | { type: 'ready'; info: EngineInfo }
  | { type: 'step'; id: number; step: number; steps: number; size: [number, number]; previews: Float32Array[] }
  | { type: 'sampled'; id: number; images: GeneratedImage[]; seconds: number; imagesPerSecond: number }
  | {
      type: 'train-progress';
      step: number;
      steps: number;
      loss: number;
      lossByDecile: Array<number | null>;
      stepsPerSecond: number;
    }
  | { type: 'train-grid'; step: number; size: [number, number]; images: Float32Array[]; prompts: string[] }
  | { type: 'train-state'; state: 'running' | 'paused' | 'done' }
  | { type: 'saved'; files: Array<[string, Uint8Array]> }
  | { type: 'loaded'; step: number }
  | { type: 'error'; message: string };
