/**
 * The study state file (`study-state.json`, written atomically by the one study process):
 * the study's configuration and every finished run with its result. A re-run of the same
 * command reads it and skips those runs; `merge` unions the state files of shards.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RectiflowError } from '@rectiflow/core';
import { writeTextAtomic } from '@rectiflow/pipeline/node';
import type { RunResult } from './run-result';
import type { StudyConfig } from './study-config';

export const STATE_FILE = 'study-state.json';

export interface StudyState {
  version: 1;
  /** The study's configuration (of the last command that wrote the state). */
  study: StudyConfig;
  /** Finished runs by id, with the run folder relative to the study folder. */
  runs: Record<string, { runDir: string; result: RunResult }>;
}

/** The state in a study folder, or undefined when there is none. */
export function readStudyState(dir: string): StudyState | undefined {
  const path = join(dir, STATE_FILE);
  if (!existsSync(path)) return undefined;
  let state: StudyState;
  try {
    state = JSON.parse(readFileSync(path, 'utf8')) as StudyState;
  } catch (e) {
    throw new RectiflowError(`${path}: not a study state file (${(e as Error).message})`);
  }
  if (state.version !== 1 || typeof state.runs !== 'object') throw new RectiflowError(`${path}: not a version-1 study state file`);
  return state;
}

/** Write the state atomically (a kill leaves the old or the new file, never half of one). */
export function writeStudyState(dir: string, state: StudyState): void {
  mkdirSync(dir, { recursive: true });
  writeTextAtomic(join(dir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
}
