/**
 * One study run, start to end: train the run folder to the step budget (a new run, a resumed
 * one, or none when its checkpoint is already at the budget), then evaluate it under every
 * sampler setting, write its sample grid(s) and `study-result.json`. Used in the worker
 * process (`--jobs`) and in-process.
 */
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RectiflowError, tf } from '@rectiflow/core';
import { evaluatePromptAdherence } from '@rectiflow/eval';
import { gridPng, imageArrays, type LoadedRun, textToImage } from '@rectiflow/pipeline';
import { loadRun, openCheckpoint, writeTextAtomic } from '@rectiflow/pipeline/node';
import {
  configSamplePrompts,
  evaluateModel,
  isShapesDataset,
  RESUMABLE_OPTIONS,
  type TrainConfig,
  Trainer,
  type TrainState,
} from '@rectiflow/train-app/training';
import { RESULT_FILE, type RunResult, type SettingResult } from './run-result';
import { type StudyTask, taskFingerprint } from './study-plan';

export interface RunTaskHooks {
  /** Returns true when the run should stop and save (Ctrl-C). */
  shouldStop?: () => boolean;
}

/** Train and evaluate one task; returns its result, or undefined when stopped before the end. */
export async function runTask(task: StudyTask, hooks: RunTaskHooks = {}): Promise<RunResult | undefined> {
  const runDir = resolve(task.runDir);
  mkdirSync(runDir, { recursive: true });
  const logFile = join(runDir, 'study.log');
  const log = (line: string) => appendFileSync(logFile, `${line}\n`);
  const budget = task.train.maxSteps as number;
  const started = performance.now();
  let step = 0;
  let diverged = false;
  const hasCheckpoint = existsSync(join(runDir, 'checkpoints', 'latest.json'));
  const saved = hasCheckpoint ? openCheckpoint<TrainState>(runDir).state : undefined;
  const savedStep = saved ? saved.step : -1;
  if (saved) {
    // A run folder started with other settings (e.g. other training defaults) is not continued under this task.
    for (const key of Object.keys(task.train) as Array<keyof typeof task.train>) {
      if (RESUMABLE_OPTIONS.includes(key)) continue;
      if (JSON.stringify(saved.config[key]) !== JSON.stringify(task.train[key])) {
        throw new RectiflowError(
          `run ${task.id}: its checkpoint was trained with ${key} ${JSON.stringify(saved.config[key])}, this study asks for ${JSON.stringify(task.train[key])}; use another --out or delete ${runDir}`,
        );
      }
    }
  }
  if (savedStep >= budget) {
    step = savedStep;
    log(`checkpoint at step ${savedStep} reaches the budget of ${budget} steps; not retrained`);
  } else {
    const config = { ...task.train, resume: hasCheckpoint };
    // On resume only the options a resume may change are given; the rest come from the checkpoint.
    const given = hasCheckpoint ? { out: task.train.out, resume: true, maxSteps: budget, minutes: task.train.minutes } : undefined;
    const trainer = await Trainer.create(config, { log, stream: { isTTY: false, write: () => true }, shouldStop: hooks.shouldStop }, given);
    try {
      const result = await trainer.run();
      step = result.steps;
      if (result.stoppedBy === 'signal') return undefined;
      diverged = result.stoppedBy === 'non-finite';
    } finally {
      trainer.dispose();
    }
  }
  const trainSeconds = (performance.now() - started) / 1000;
  const evalStarted = performance.now();
  const settings: SettingResult[] = [];
  const grids: RunResult['grids'] = [];
  if (!diverged) {
    for (const weights of task.evaluation.weights) {
      if (hooks.shouldStop?.()) return undefined;
      const run = await loadRun<TrainConfig>(runDir, weights === 'ema');
      try {
        if (task.evaluation.kind === 'shift') settings.push(...(await evaluateShift(task, run, weights)));
        else settings.push(...(await evaluateFormulation(task, run, weights)));
        if (weights === task.evaluation.weights[0]) grids.push(...writeGrids(task, run, runDir, weights));
      } finally {
        run.dispose();
      }
    }
  }
  const result: RunResult = {
    id: task.id,
    formulation: task.formulation,
    seed: task.seed,
    fingerprint: taskFingerprint(task),
    step,
    diverged,
    settings,
    grids,
    trainSeconds,
    evalSeconds: (performance.now() - evalStarted) / 1000,
  };
  writeTextAtomic(join(runDir, RESULT_FILE), `${JSON.stringify(result, null, 2)}\n`);
  log(`study result written (${settings.length} settings${diverged ? '; the run diverged' : ''})`);
  return result;
}

async function evaluateFormulation(task: StudyTask, run: LoadedRun<TrainConfig>, weights: 'ema' | 'raw'): Promise<SettingResult[]> {
  const c = run.config;
  const out: SettingResult[] = [];
  const size = run.latentShape[1] * run.autoencoder.downsampleFactor;
  for (const steps of task.evaluation.sampleSteps) {
    const { scores: _scores, ...record } = await evaluateModel(
      {
        model: run.model.predict,
        textEncoder: run.textEncoder,
        autoencoder: run.autoencoder,
        latentShape: run.latentShape,
        formulation: run.formulation,
      },
      c.dataset,
      { steps, solver: 'euler', guidance: task.evaluation.guidance, shift: run.shift },
      run.step,
      task.evaluation.evalSeeds,
    );
    out.push({
      weights,
      sampleSteps: steps,
      size,
      shift: run.shift,
      validation: record.validation,
      fd: record.fd?.value,
      whole: record.adherence?.whole,
      attributes: record.adherence?.attributes,
      oneWhole: record.adherence?.one.whole,
      twoWhole: record.adherence?.two.whole,
      digitAccuracy: record.digitAccuracy,
      seconds: record.seconds,
    });
  }
  return out;
}

/** The shift study's arms: the training size, the target size without and with the shift alpha = sqrt(m/n). */
function shiftArms(
  task: StudyTask,
  run: LoadedRun<TrainConfig>,
): Array<{ arm: NonNullable<SettingResult['arm']>; size: number; shift: number }> {
  const f = run.autoencoder.downsampleFactor;
  const base = run.latentShape[1] * f;
  const target = task.evaluation.targetSize as number;
  // m/n tokens = (target/base)^2, so alpha = target/base.
  const alpha = target / base;
  return [
    { arm: 'base', size: base, shift: run.shift },
    { arm: 'target', size: target, shift: run.shift },
    { arm: 'target+shift', size: target, shift: run.shift * alpha },
  ];
}

async function evaluateShift(task: StudyTask, run: LoadedRun<TrainConfig>, weights: 'ema' | 'raw'): Promise<SettingResult[]> {
  if (!isShapesDataset(run.config.dataset)) throw new Error(`shiftStudy: the dataset ${run.config.dataset} is not shapes(...)`);
  const f = run.autoencoder.downsampleFactor;
  const out: SettingResult[] = [];
  for (const steps of task.evaluation.sampleSteps) {
    for (const { arm, size, shift } of shiftArms(task, run)) {
      const started = performance.now();
      const latentShape = [run.latentShape[0], size / f, size / f] as const;
      const { summary } = await evaluatePromptAdherence(
        (prompts, seed) => {
          const { images } = textToImage({
            model: run.model.predict,
            formulation: run.formulation,
            textEncoder: run.textEncoder,
            autoencoder: run.autoencoder,
            prompts,
            latentShape,
            seed,
            steps,
            solver: 'euler',
            guidance: task.evaluation.guidance,
            shift,
          });
          try {
            return imageArrays(images);
          } finally {
            images.dispose();
          }
        },
        { height: size, width: size, seeds: Array.from({ length: task.evaluation.evalSeeds }, (_, i) => i) },
      );
      out.push({
        weights,
        sampleSteps: steps,
        size,
        shift,
        arm,
        whole: summary.whole,
        oneWhole: summary.one.whole,
        twoWhole: summary.two.whole,
        seconds: (performance.now() - started) / 1000,
      });
    }
  }
  return out;
}

/** The run's sample grid(s): the study's prompts and noise, the most Euler steps evaluated. */
function writeGrids(task: StudyTask, run: LoadedRun<TrainConfig>, runDir: string, weights: 'ema' | 'raw'): RunResult['grids'] {
  const f = run.autoencoder.downsampleFactor;
  const steps = Math.max(...task.evaluation.sampleSteps);
  const prompts = task.evaluation.gridPrompts ?? configSamplePrompts(run.config);
  const arms =
    task.evaluation.kind === 'shift'
      ? shiftArms(task, run).map((a) => ({
          label: `${a.arm} (${a.size} px, shift ${a.shift.toFixed(2)})`,
          file: `study-grid-${a.arm.replace('+', '-')}.png`,
          ...a,
        }))
      : [{ label: `${weights}, ${steps} Euler steps`, file: 'study-grid.png', size: run.latentShape[1] * f, shift: run.shift }];
  return arms.map((a) => {
    const { images } = textToImage({
      model: run.model.predict,
      formulation: run.formulation,
      textEncoder: run.textEncoder,
      autoencoder: run.autoencoder,
      prompts,
      latentShape: [run.latentShape[0], a.size / f, a.size / f],
      seed: run.config.sampleSeed,
      steps,
      solver: 'euler',
      guidance: task.evaluation.guidance,
      shift: a.shift,
    });
    try {
      writeFileSync(join(runDir, a.file), gridPng(images, Math.ceil(Math.sqrt(prompts.length)), prompts));
    } finally {
      tf.dispose(images);
    }
    return { label: a.label, file: a.file };
  });
}
