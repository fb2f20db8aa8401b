/**
 * `rectiflow-study merge`: build one study folder's state and report from the folders of its
 * shards (each made with `--shard i/n` of the same study). Run folders stay where they are;
 * the merged state points at them.
 */
import { resolve } from 'node:path';
import { RectiflowError } from '@rectiflow/core';
import { writeReportOf } from './run-study';
import type { StudyConfig } from './study-config';
import { planStudy } from './study-plan';
import { readStudyState, type StudyState, writeStudyState } from './study-state';

/** What must agree between the shards: the study without its folder, shard and job count. */
function studyKey(study: StudyConfig): string {
  const { out: _out, shard: _shard, jobs: _jobs, rankMetrics: _rankMetrics, ...rest } = study;
  return JSON.stringify(rest);
}

/** Merge shard folders into `out`; returns the report paths and the run count. */
export function mergeStudies(
  out: string,
  inputs: readonly string[],
): { report: { html: string; markdown: string }; runs: number; planned: number } {
  if (!inputs.length)
    throw new RectiflowError('merge: give the shard folders, e.g. rectiflow-study merge --out runs/study runs/study-1 runs/study-2');
  let merged: StudyState | undefined;
  for (const input of inputs) {
    const state = readStudyState(input);
    if (!state) throw new RectiflowError(`merge: ${input} holds no study-state.json (not a study folder)`);
    if (merged && studyKey(merged.study) !== studyKey(state.study)) {
      throw new RectiflowError(`merge: ${input} is a shard of a different study than ${inputs[0]} (its options differ)`);
    }
    if (!merged) merged = { version: 1, study: { ...state.study, out, shard: '1/1' }, runs: {} };
    for (const [id, run] of Object.entries(state.runs)) {
      const runDir = resolve(input, run.runDir);
      const existing = merged.runs[id];
      if (existing && existing.result.fingerprint !== run.result.fingerprint) {
        throw new RectiflowError(`merge: run ${id} appears in two shards with different settings`);
      }
      merged.runs[id] = { runDir: resolve(runDir), result: run.result };
    }
  }
  const state = merged as StudyState;
  writeStudyState(out, state);
  const all = planStudy(state.study);
  return { report: writeReportOf(state.study, state, all), runs: Object.keys(state.runs).length, planned: all.length };
}
