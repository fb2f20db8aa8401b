/**
 * `rectiflow-train --verify DIR`: check every checkpoint of a run folder against its
 * manifest and say which one a resume or a sample would use.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { RectiflowError } from '@rectiflow/core';
import { checkRun } from '@rectiflow/pipeline/node';
import { TRAIN_CHECKPOINT } from './trainer';

/** The report lines, and whether at least one checkpoint is valid. */
export function verifyRunFolder(dir: string): { lines: string[]; ok: boolean } {
  const runDir = resolve(dir);
  if (!existsSync(runDir)) throw new RectiflowError(`verify: ${runDir} does not exist; expected a run folder`);
  const verdicts = checkRun(runDir, TRAIN_CHECKPOINT);
  if (!verdicts.length) throw new RectiflowError(`verify: no checkpoint in ${runDir}/checkpoints; expected a run folder`);
  const lines = verdicts.map((v) => `${v.problem ? 'damaged' : 'ok     '} ${v.name} (step ${v.step})${v.problem ? `: ${v.problem}` : ''}`);
  const good = verdicts.find((v) => !v.problem);
  lines.push(good ? `resume and sampling use ${good.dir}` : `no valid checkpoint in ${runDir}`);
  return { lines, ok: Boolean(good) };
}
