/**
 * The runs of a study: one per formulation and seed (or, for the shift study, one per seed),
 * each with its full training configuration (the training app's defaults at run time, the
 * study's `train` options, and what the study fixes: formulation, seed, the step budget, no
 * scheduled evaluations) and its evaluation settings. A shard keeps every n-th run.
 */
import { join } from 'node:path';
import { formatSpec, registry, withDefaults } from '@rectiflow/core';
import '@rectiflow/losses';
import { parseConfig, type TrainConfig } from '@rectiflow/train-app/training';
import { type StudyConfig, StudyConfigError, shardOf } from './study-config';

/** How a run is evaluated after training. */
export interface EvalPlan {
  kind: 'formulation' | 'shift';
  /** Noise seeds per evaluation prompt. */
  evalSeeds: number;
  /** Euler steps of each evaluated setting. */
  sampleSteps: number[];
  weights: Array<'ema' | 'raw'>;
  guidance: number;
  /** Prompts of the run's sample grid (undefined: the training run's sample prompts). */
  gridPrompts?: string[];
  /** Shift study: the sampling image size. */
  targetSize?: number;
}

/** One run of a study. */
export interface StudyTask {
  /** Stable id, also the run folder's name under `runs/`. */
  id: string;
  formulation: string;
  seed: number;
  /** The run folder. */
  runDir: string;
  /** The complete training configuration (validated by the training app). */
  train: TrainConfig;
  evaluation: EvalPlan;
}

/**
 * A file-name-safe slug of a formulation spec: `rf/lognorm(0.00, 1.00)` -> `rf-lognorm-0.00-1.00`;
 * a negative number keeps its sign as `m` (`rf/lognorm(-0.50, 1.00)` -> `rf-lognorm-m0.50-1.00`),
 * so two specs that differ in a sign never share a run folder.
 */
export function formulationSlug(spec: string): string {
  return spec
    .replace(/(^|[(,=\s])-(?=[\d.])/g, '$1m')
    .replace(/[^A-Za-z0-9.+-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
}

/** A run's training configuration: training defaults, then the study's options, then what the study fixes. */
function trainConfig(study: StudyConfig, extra: Record<string, unknown>, runDir: string, formulation: string, seed: number, steps: number) {
  try {
    return parseConfig({
      ...study.train,
      ...extra,
      out: runDir,
      formulation,
      seed,
      maxSteps: steps,
      // The budget is in steps; no wall-clock limit (a year).
      minutes: 525_600,
      evalEvery: 0,
      evalSeeds: 0,
    });
  } catch (e) {
    throw new StudyConfigError(`train: ${(e as Error).message.replace(/:\n\s+/, ': ').replace(/\n\s+/g, '; ')}`);
  }
}

/** Every run of a study, in a stable order (formulation-major, then seed). */
export function planStudy(study: StudyConfig): StudyTask[] {
  const ids = new Set<string>();
  const tasks: StudyTask[] = [];
  if (study.shiftStudy) {
    const s = study.shiftStudy;
    const base = trainConfig(study, {}, study.out, s.formulation, 0, 1);
    const dataset = withDefaults('dataset', base.dataset, {});
    if (!(registry.definition('dataset', dataset.name).params ?? []).some((p) => p.name === 'size')) {
      throw new StudyConfigError(`shiftStudy: the dataset ${base.dataset} has no size parameter; use shapes(...) or mnist(...)`);
    }
    const datasetSpec = formatSpec({ ...dataset, kwargs: { ...dataset.kwargs, size: s.baseSize } });
    // The position-embedding grid must cover the larger sampling size (patches per side).
    const model = withDefaults('model', base.model, {});
    const patch = Number(model.kwargs.patch ?? 2);
    const posGrid = Math.max(Number(model.kwargs.posGrid ?? 0), Math.ceil(s.targetSize / patch));
    const modelSpec = formatSpec({ ...model, kwargs: { ...model.kwargs, posGrid } });
    for (let seed = 0; seed < study.seeds; seed++) {
      const id = `shift-${formulationSlug(s.formulation)}-${s.baseSize}to${s.targetSize}-seed${seed}`;
      const runDir = join(study.out, 'runs', id);
      const train = trainConfig(study, { dataset: datasetSpec, model: modelSpec }, runDir, s.formulation, seed, s.steps ?? study.steps);
      tasks.push({
        id,
        formulation: s.formulation,
        seed,
        runDir,
        train,
        evaluation: { ...evalPlan(study, train, 'shift'), targetSize: s.targetSize },
      });
    }
    return tasks;
  }
  for (const formulation of study.formulations) {
    try {
      registry.resolve('formulation', formulation);
    } catch (e) {
      throw new StudyConfigError(`formulations: got ${JSON.stringify(formulation)}; ${(e as Error).message.split('\n')[0]}`);
    }
    for (let seed = 0; seed < study.seeds; seed++) {
      const id = `${formulationSlug(formulation)}-seed${seed}`;
      if (ids.has(id))
        throw new StudyConfigError(`formulations: ${JSON.stringify(formulation)} names the same run folder as another formulation`);
      ids.add(id);
      const runDir = join(study.out, 'runs', id);
      const train = trainConfig(study, {}, runDir, formulation, seed, study.steps);
      tasks.push({ id, formulation, seed, runDir, train, evaluation: evalPlan(study, train, 'formulation') });
    }
  }
  return tasks;
}

function evalPlan(study: StudyConfig, train: TrainConfig, kind: EvalPlan['kind']): EvalPlan {
  return {
    kind,
    evalSeeds: study.evalSeeds,
    sampleSteps: [...study.sampleSteps].sort((a, b) => a - b),
    weights: [...study.weights],
    guidance: study.guidance ?? train.guidance,
    gridPrompts: study.gridPrompts ?? train.samplePrompts,
  };
}

/** The tasks of shard i/n: every n-th task starting at i-1. */
export function shardTasks(tasks: readonly StudyTask[], study: Pick<StudyConfig, 'shard'>): StudyTask[] {
  const { index, count } = shardOf(study);
  return tasks.filter((_, k) => k % count === index - 1);
}

/** What must match for a finished run to count for the same study: everything but the folder. */
export function taskFingerprint(task: StudyTask): string {
  const { out: _out, resume: _resume, ...train } = task.train;
  return JSON.stringify({ formulation: task.formulation, seed: task.seed, train, evaluation: task.evaluation });
}
