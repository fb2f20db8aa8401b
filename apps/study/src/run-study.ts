/**
 * Run a study (or this machine's shard of it): plan the runs, skip the finished ones (in the
 * state file, or with a result file in their run folder), train and evaluate the others with
 * at most `jobs` at once (separate worker processes, or in this process), record each in the
 * state file as it finishes, and write the report. Killed at any point, the same command
 * continues: finished runs are kept, an interrupted run resumes from its checkpoint.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RectiflowError } from '@rectiflow/core';
import { writeTextAtomic } from '@rectiflow/pipeline/node';
import { type RunResult, readRunResult } from './run-result';
import { runTask } from './run-task';
import type { StudyConfig } from './study-config';
import { planStudy, type StudyTask, shardTasks, taskFingerprint } from './study-plan';
import { writeStudyReport } from './study-report';
import { readStudyState, type StudyState, writeStudyState } from './study-state';
import { summarize } from './study-summary';
import { runPool } from './task-pool';

export interface RunStudyOptions {
  /** Progress lines (default: stdout). */
  log?: (line: string) => void;
  /** Returns true when the study should stop (Ctrl-C): running runs save and stop, no new ones start. */
  shouldStop?: () => boolean;
  /** `process` (default): each run in a worker process; `in-process`: here, one after another. */
  executor?: 'process' | 'in-process';
}

export interface StudyOutcome {
  /** Runs of this shard, and how many were already finished before this command. */
  planned: number;
  alreadyFinished: number;
  finishedNow: string[];
  failed: Array<{ id: string; error: string }>;
  /** Runs not started or stopped before the end (Ctrl-C). */
  stopped: string[];
  report: { html: string; markdown: string };
}

/** The worker entry next to the bundled CLI (dist/worker.js). */
function workerPath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'worker.js');
}

/** Run one task in a worker process; resolves with its result, undefined when it was stopped. */
function runInWorker(task: StudyTask, children: Set<ReturnType<typeof spawn>>): Promise<RunResult | undefined> {
  const worker = workerPath();
  if (!existsSync(worker)) throw new RectiflowError(`jobs: the worker ${worker} is missing; build the study app first (pnpm build)`);
  mkdirSync(resolve(task.runDir), { recursive: true });
  const taskFile = join(resolve(task.runDir), 'study-task.json');
  writeTextAtomic(taskFile, `${JSON.stringify(task, null, 2)}\n`);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [worker, taskFile], { stdio: ['ignore', 'inherit', 'inherit'] });
    children.add(child);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      children.delete(child);
      if (code === 0) resolvePromise(readRunResult(task.runDir, taskFingerprint(task)));
      else if (code === 130 || signal) resolvePromise(undefined);
      else reject(new RectiflowError(`run ${task.id}: the worker exited with code ${code}; see ${join(task.runDir, 'study.log')}`));
    });
  });
}

/** The state of a study folder, checked against the plan: a finished run must match its task. */
function loadState(study: StudyConfig, tasks: readonly StudyTask[]): StudyState {
  const state = readStudyState(study.out) ?? { version: 1 as const, study, runs: {} };
  for (const task of tasks) {
    const done = state.runs[task.id];
    if (done && done.result.fingerprint !== taskFingerprint(task)) {
      throw new RectiflowError(
        `out: ${study.out} holds run ${task.id} made with other settings (study options, or the training defaults, changed); ` +
          'use another --out for the new settings, or delete that run folder and its entry to redo it',
      );
    }
  }
  return { ...state, study };
}

/** Run (or continue) a study, then write its report. */
export async function runStudy(study: StudyConfig, options: RunStudyOptions = {}): Promise<StudyOutcome> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const shouldStop = options.shouldStop ?? (() => false);
  const all = planStudy(study);
  const mine = shardTasks(all, study);
  const state = loadState(study, all);
  let alreadyFinished = 0;
  const todo: StudyTask[] = [];
  for (const task of mine) {
    const fingerprint = taskFingerprint(task);
    if (state.runs[task.id]) {
      alreadyFinished++;
      continue;
    }
    // A run whose result was written but not yet recorded (killed in between).
    const result = readRunResult(task.runDir, fingerprint);
    if (result) {
      state.runs[task.id] = { runDir: relative(study.out, task.runDir), result };
      alreadyFinished++;
    } else todo.push(task);
  }
  writeStudyState(study.out, state);
  log(
    `study ${resolve(study.out)}: ${mine.length} runs in shard ${study.shard}, ${alreadyFinished} already finished, ${todo.length} to do with ${study.jobs} job(s)`,
  );
  const children = new Set<ReturnType<typeof spawn>>();
  const stopChildren = setInterval(() => {
    if (shouldStop()) for (const c of children) c.kill('SIGINT');
  }, 200);
  const finishedNow: string[] = [];
  const stopped: string[] = [];
  const failed: StudyOutcome['failed'] = [];
  try {
    const executor = options.executor ?? 'process';
    const jobs = executor === 'in-process' ? 1 : study.jobs;
    const outcomes = await runPool(
      todo,
      jobs,
      async (task) => {
        log(`  run ${task.id}: training ${task.train.maxSteps} steps, then evaluating`);
        const result = executor === 'in-process' ? await runTask(task, { shouldStop }) : await runInWorker(task, children);
        if (result) {
          state.runs[task.id] = { runDir: relative(study.out, task.runDir), result };
          writeStudyState(study.out, state);
          log(`  run ${task.id}: done (${result.diverged ? 'diverged' : `${result.settings.length} settings evaluated`})`);
        }
        return result;
      },
      shouldStop,
    );
    for (const o of outcomes) {
      if (o.ok && o.value) finishedNow.push(o.item.id);
      else if (o.ok || 'skipped' in o) stopped.push(o.item.id);
      else failed.push({ id: o.item.id, error: (o.error as Error).message ?? String(o.error) });
    }
  } finally {
    clearInterval(stopChildren);
  }
  for (const f of failed) log(`  run ${f.id} failed: ${f.error}`);
  const report = writeReportOf(study, state, all);
  return { planned: mine.length, alreadyFinished, finishedNow, failed, stopped, report };
}

/** Summarise the finished runs of a state for the plan's formulations and write the report. */
export function writeReportOf(study: StudyConfig, state: StudyState, all: readonly StudyTask[]): StudyOutcome['report'] {
  const runs = Object.values(state.runs).map((r) => ({ runDir: resolve(study.out, r.runDir), result: r.result }));
  const formulations = study.shiftStudy ? [study.shiftStudy.formulation] : study.formulations;
  const summary = summarize(formulations, runs, study.rankMetrics);
  const configFile = runs.map((r) => join(r.runDir, 'config.json')).find(existsSync);
  const train = configFile ? (JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>) : undefined;
  return writeStudyReport(study.out, {
    study,
    summary,
    finished: runs.length,
    planned: all.length,
    train,
    guidance: all[0]?.evaluation.guidance,
  });
}
