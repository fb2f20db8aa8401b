/**
 * The run folder before training starts: it must be a writable folder (checked without
 * ever looping on a path like `/proc/x`), a new run never starts over an old one unless
 * told to, and `--resume` never creates a folder.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { RectiflowError } from '@rectiflow/core';
import { cleanStaleCheckpoints, writeTextAtomic } from './checkpoint';
import { describeIoError } from './io-error';

function errnoText(e: unknown): string {
  return describeIoError(e) ?? String((e as Error)?.message ?? e);
}

/** The nearest existing folder at or above `target` (errors name `field` when it is a file). */
function nearestFolder(field: string, target: string): { existing: string; missing: string[] } {
  const missing: string[] = [];
  let existing = target;
  while (!existsSync(existing)) {
    missing.unshift(existing);
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(existing);
  } catch (e) {
    throw new RectiflowError(`${field}: cannot use ${target} (${errnoText(e)})`);
  }
  if (!stat.isDirectory()) {
    throw new RectiflowError(
      existing === target
        ? `${field}: ${target} is a file; expected a folder (give a new or existing folder path)`
        : `${field}: ${target} is under ${existing}, which is a file; expected a folder path`,
    );
  }
  return { existing, missing };
}

function probeWrite(field: string, folder: string, target: string): void {
  const probe = join(folder, `.rectiflow-write-test-${process.pid}`);
  try {
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (e) {
    throw new RectiflowError(
      folder === target
        ? `${field}: cannot write into ${target} (${errnoText(e)}); expected a writable folder`
        : `${field}: cannot create ${target} (${errnoText(e)} in ${folder}); expected a writable folder`,
    );
  }
}

/**
 * Check, without creating anything, that `path` is or can become a writable folder (so a
 * long job fails before it starts, not when it writes its result).
 */
export function checkWritableDir(field: string, path: string): string {
  const target = resolve(path);
  const { existing } = nearestFolder(field, target);
  probeWrite(field, existing, target);
  return target;
}

/**
 * Make sure `path` is a folder this process can write into, creating missing folders one
 * level at a time (a recursive mkdir can spin forever under `/proc`). Errors name `field`.
 */
export function ensureWritableDir(field: string, path: string): string {
  const target = resolve(path);
  const { missing } = nearestFolder(field, target);
  for (const dir of missing) {
    try {
      mkdirSync(dir);
    } catch (e) {
      throw new RectiflowError(`${field}: cannot create ${dir} (${errnoText(e)}); expected a writable folder`);
    }
  }
  probeWrite(field, target, target);
  return target;
}

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
