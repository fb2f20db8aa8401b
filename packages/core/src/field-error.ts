/**
 * Errors that name the configuration field they came from: `model: ...`, `dataset: ...`,
 * so every spec, size or file error tells the user which option to fix.
 */
import { RectiflowError } from './errors';
import { describeIoError } from './io-error';

/** `e` with `field: ` in front (file-system errors become one line); other errors unchanged. */
export function fieldError(field: string, e: unknown): unknown {
  const io = describeIoError(e);
  if (io) return new RectiflowError(`${field}: ${io}`);
  if (e instanceof RectiflowError && !e.message.startsWith(`${field}:`)) return new RectiflowError(`${field}: ${e.message}`);
  return e;
}

/** Run `fn`; a failure is rethrown through {@link fieldError}. */
export function withField<T>(field: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw fieldError(field, e);
  }
}

/** The async form of {@link withField}. */
export async function withFieldAsync<T>(field: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw fieldError(field, e);
  }
}
