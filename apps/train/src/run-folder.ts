/**
 * The run folder before training starts: it must be a writable folder (checked without
 * ever looping on a path like `/proc/x`, by `ensureWritableDir` of `@rectiflow/pipeline/node`),
 * a new run never starts over an old one unless told to, and `--resume` never creates a folder.
 */
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RectiflowError } from '@rectiflow/core';
import { cleanStaleCheckpoints, ensureWritableDir, writeTextAtomic } from '@rectiflow/pipeline/node';

/** The files and folders that make a folder a run folder. */
const RUN_ENTRIES = ['checkpoints', 'metrics.jsonl', 'config.json', 'report.html', 'samples'];

/** Whether `runDir` holds (part of) a run: checkpoints, metrics, a configuration, samples or a report. */
export function holdsRun(runDir: string): boolean {
  if (!existsSync(runDir)) return false;
  const checkpoints = join(runDir, 'checkpoints');
  if (existsSync(checkpoints) && readdirSync(checkpoints).some((d) => /^step-\d+$/.test(d) || d === 'latest.json')) return true;
  return RUN_ENTRIES.slice(1).some((e) => existsSync(join(runDir, e)) && (!e.endsWith('.jsonl') || statSync(join(runDir, e)).size > 0));
}

/**
 * Prepare the run folder: refuse a missing folder on resume and an existing run without
 * `--resume` or `--overwrite`; with `overwrite`, remove the old run's files (renamed away
 * first). Leftovers of interrupted saves and prunes are cleaned. Returns the absolute path.
 */
export function prepareRunFolder(out: string, options: { resume: boolean; overwrite: boolean }): string {
  const runDir = resolve(out);
  if (options.resume && options.overwrite) throw new RectiflowError('overwrite: cannot be combined with --resume; choose one');
  if (options.resume && !existsSync(runDir)) throw new RectiflowError(`resume: ${runDir} does not exist; nothing to resume`);
  ensureWritableDir('out', runDir);
  if (!options.resume && holdsRun(runDir)) {
    if (!options.overwrite) {
      throw new RectiflowError(
        `out: ${runDir} already holds a run; pass --resume to continue it, --overwrite to replace it, or choose another --out`,
      );
    }
    for (const entry of RUN_ENTRIES) {
      const path = join(runDir, entry);
      if (!existsSync(path)) continue;
      const away = join(runDir, `.overwritten-${entry}-${process.pid}`);
      renameSync(path, away);
      rmSync(away, { recursive: true, force: true });
    }
  }
  for (const d of readdirSync(runDir)) if (d.startsWith('.overwritten-')) rmSync(join(runDir, d), { recursive: true, force: true });
  cleanStaleCheckpoints(runDir);
  return runDir;
}

/** Record a new run's configuration in its folder (`config.json`). */
export function writeRunConfig(runDir: string, config: unknown): void {
  writeTextAtomic(join(runDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
}
