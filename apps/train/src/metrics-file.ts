/**
 * `metrics.jsonl`, one JSON record per line, appended during training. A line torn by a
 * crash or a full disk is dropped (and reported) when a run is resumed, and the file is
 * rewritten atomically with the records up to the resumed step.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describeIoError, RectiflowError } from '@rectiflow/core';
import { writeTextAtomic } from '@rectiflow/pipeline/node';

/** Start an empty file (a new run). */
export function startMetrics(path: string): void {
  writeFileSync(path, '');
}

/**
 * Append one record; a failure to write says which step was lost and `good`, the phrase
 * for the last good checkpoint.
 */
export function appendMetrics(path: string, record: { step: number }, good: string): void {
  try {
    appendFileSync(path, `${JSON.stringify(record)}\n`);
  } catch (e) {
    const io = describeIoError(e);
    if (!io) throw e;
    throw new RectiflowError(`metrics.jsonl: cannot append the record of step ${record.step} (${io}); ${good}`);
  }
}

/**
 * Read the records (training metrics and evaluations, each with a `step`) up to `upToStep`,
 * repair the file, and say what was dropped.
 */
export function restoreMetrics<T extends { step: number }>(path: string, upToStep: number, log: (line: string) => void): T[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  const records: T[] = [];
  let torn = 0;
  for (const line of lines) {
    if (!line.trim()) continue;
    try {
      const record = JSON.parse(line) as T;
      if (typeof record?.step !== 'number') throw new Error('no step');
      records.push(record);
    } catch {
      torn++;
    }
  }
  if (torn) log(`metrics.jsonl: dropped ${torn} unreadable (torn) line(s); the file is repaired`);
  const kept = records.filter((m) => m.step <= upToStep);
  writeTextAtomic(path, kept.map((m) => `${JSON.stringify(m)}\n`).join(''));
  return kept;
}
