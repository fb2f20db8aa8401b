/**
 * Output folders checked before a long job starts: `checkWritableDir` says, without creating
 * anything, whether a path is or can become a writable folder; `ensureWritableDir` creates it
 * one level at a time (a recursive mkdir can spin forever under `/proc`). Errors name the flag.
 */
import { existsSync, mkdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describeIoError, RectiflowError } from '@rectiflow/core';

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
