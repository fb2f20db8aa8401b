/**
 * What one study run produces (`study-result.json` in its run folder): the training outcome
 * and one evaluation per sampler setting.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The evaluation of one sampler setting. */
export interface SettingResult {
  weights: 'ema' | 'raw';
  /** Euler steps. */
  sampleSteps: number;
  /** Image size sampled (pixels). */
  size: number;
  /** Time shift of the sampling grid. */
  shift: number;
  /** Shift study: which arm (`base`, `target`, `target+shift`). */
  arm?: 'base' | 'target' | 'target+shift';
  /** Mean validation loss on the held-out split, and per t-decile (depends on the weights only). */
  validation?: { mean: number; byDecile: number[] };
  /** Frechet distance on the shipped feature net. */
  fd?: number;
  /** Whole-prompt accuracy over all evaluation prompts, and of one- and two-shape prompts (shapes). */
  whole?: number;
  oneWhole?: number;
  /** Attribute rate over all evaluation images (shapes): the fraction of attribute checks passed. */
  attributes?: number;
  twoWhole?: number;
  /** mnist: digit accuracy. */
  digitAccuracy?: number;
  seconds: number;
}

export interface RunResult {
  id: string;
  formulation: string;
  seed: number;
  /** {@link taskFingerprint} of the task this result is for. */
  fingerprint: string;
  /** Training steps done. */
  step: number;
  /** Whether training stopped on a NaN/Inf (then there are no evaluations: the run ranks last). */
  diverged: boolean;
  settings: SettingResult[];
  /** Sample grids (file names in the run folder) with their captions. */
  grids: Array<{ label: string; file: string }>;
  /** Seconds of training in the last session, and of the evaluations. */
  trainSeconds: number;
  evalSeconds: number;
}

/** The result file of a run folder. */
export const RESULT_FILE = 'study-result.json';

/** The result in a run folder, if it is there and for this fingerprint. */
export function readRunResult(runDir: string, fingerprint?: string): RunResult | undefined {
  const path = join(runDir, RESULT_FILE);
  if (!existsSync(path)) return undefined;
  const result = JSON.parse(readFileSync(path, 'utf8')) as RunResult;
  return fingerprint === undefined || result.fingerprint === fingerprint ? result : undefined;
}
