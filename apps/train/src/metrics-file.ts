/**
 * `metrics.jsonl`, one JSON record per line, appended during training. A line torn by a
 * crash or a full disk is dropped (and reported) when a run is resumed, and the file is
 * rewritten atomically with the records up to the resumed step.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeTextAtomic } from '@rectiflow/pipeline/node';

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
