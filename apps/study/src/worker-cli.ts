/**
 * The study's worker process (`dist/worker.js TASK.json`): trains and evaluates one run
 * (see run-task.ts). Exit 0: result written; 130: stopped by a signal after saving a
 * checkpoint; 1: failed.
 */
import { readFileSync } from 'node:fs';
import { initBackend } from '@rectiflow/core';
import { runTask } from './run-task';
import type { StudyTask } from './study-plan';

async function main(argv: string[]): Promise<number> {
  if (argv.length !== 1) {
    process.stderr.write('usage: worker.js TASK.json (started by rectiflow-study)\n');
    return 2;
  }
  const task = JSON.parse(readFileSync(argv[0], 'utf8')) as StudyTask;
  await initBackend();
  let stop = false;
  const onSignal = () => {
    stop = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const result = await runTask(task, { shouldStop: () => stop });
  return result ? 0 : 130;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`study worker: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
