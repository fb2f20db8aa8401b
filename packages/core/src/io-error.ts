/**
 * File-system errors (ENOSPC, ENOENT, EACCES, ...) as one phrase for a one-line message,
 * without Node's stack trace.
 */

/** `CODE: what happened` for a Node file-system error; undefined for anything else. */
export function describeIoError(e: unknown): string | undefined {
  const err = e as { code?: unknown; message?: unknown; path?: unknown } | undefined;
  if (!err || typeof err.code !== 'string' || !/^E[A-Z]+$/.test(err.code)) return undefined;
  const what = String(err.message ?? '')
    .replace(/^E[A-Z]+: /, '')
    .replace(/, \w+ '.*'$/, '');
  return `${err.code}: ${what}${err.path ? ` (${String(err.path)})` : ''}`;
}
