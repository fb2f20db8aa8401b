/**
 * Resuming a run: its latest checkpoint is opened (and verified) once, its configuration
 * applied before the parts are built, and its tensors, generator and loader positions and
 * metrics put back after, so the run continues bit-identically.
 */
import { join } from 'node:path';
import { RectiflowError, type Rng, tf, withField } from '@rectiflow/core';
import type { DataLoader } from '@rectiflow/data';
import { type LoadedCheckpoint, openCheckpoint } from '@rectiflow/pipeline/node';
import { TRAIN_CHECKPOINT, type TrainingWeights, type TrainState, textEncoderState } from './checkpoint-writer';
import { resumeConfig, type TrainConfig } from './config';
import type { EvalRecord } from './evaluation';
import { restoreMetrics } from './metrics-file';
import type { MetricRecord } from './report';

/** The configuration a run trains with, and the checkpoint it resumes from (when `config.resume`). */
export function openResume(
  config: TrainConfig,
  runDir: string,
  given: Record<string, unknown> | undefined,
  log?: (line: string) => void,
): { config: TrainConfig; checkpoint?: LoadedCheckpoint<TrainState> } {
  if (!config.resume) return { config };
  const checkpoint = openCheckpoint<TrainState>(runDir, TRAIN_CHECKPOINT, log);
  // The run's own configuration, with only the options the user gave now applied over it.
  const saved = checkpoint.state.config;
  const effective = resumeConfig(saved, given ?? { ...config, out: saved.out });
  return { config: { ...effective, out: config.out }, checkpoint };
}

/** Put a checkpoint's weights, optimizer state, EMA, generator and loader positions back. */
export async function restoreTraining(
  ckpt: LoadedCheckpoint<TrainState>,
  weights: TrainingWeights,
  rng: Rng,
  loader: DataLoader,
): Promise<void> {
  const s = ckpt.state;
  const { model, textEncoder, optimizer, ema } = weights;
  if (JSON.stringify(s.vocabulary) !== JSON.stringify(textEncoderState(textEncoder).vocabulary)) {
    throw new RectiflowError('resume: the caption vocabulary differs from the checkpoint (was the dataset changed?)');
  }
  await loadFile(ckpt, 'model', (t) => withField(`resume: ${ckpt.dir}/model.safetensors`, () => model.loadStateDict(t)));
  await loadFile(ckpt, 'text-encoder', (t) => textEncoder.loadStateDict(t));
  await loadFile(ckpt, 'optimizer', (state) => {
    optimizer.load(s.optimizerStep, state);
    ema.load(s.emaUpdates, new Map([...state].filter(([k]) => k.startsWith('ema.')).map(([k, t]) => [k.slice(4), t])));
  });
  rng.setState(s.rng);
  loader.setState(s.loader);
}

/** Read one safetensors file of a checkpoint, hand its tensors to `use`, then free them. */
async function loadFile(ckpt: LoadedCheckpoint<TrainState>, name: string, use: (tensors: Map<string, tf.Tensor>) => void): Promise<void> {
  const file = await ckpt.open(name);
  const tensors = await file.tensors();
  await file.close();
  try {
    use(tensors);
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

/** The training metrics and evaluations of `metrics.jsonl` up to the resumed step (the file is repaired). */
export function restoreRecords(
  runDir: string,
  step: number,
  log: (line: string) => void,
): { metrics: MetricRecord[]; evals: EvalRecord[] } {
  const records = restoreMetrics<MetricRecord | EvalRecord>(join(runDir, 'metrics.jsonl'), step, log);
  return {
    metrics: records.filter((m): m is MetricRecord => !('type' in m)),
    evals: records.filter((m): m is EvalRecord => 'type' in m && m.type === 'eval'),
  };
}
