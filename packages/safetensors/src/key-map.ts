/**
 * Key-mapping helpers for checkpoint converters: prefixes, rename rules, collisions.
 * They work on any `Map<string, T>` or record (tensors, tensor infos, shapes).
 */
import { RectiflowError } from '@rectiflow/core';

/** A map or record of entries by key. */
export type Entries<T> = Map<string, T> | Record<string, T>;

function toEntries<T>(input: Entries<T>): Array<[string, T]> {
  return input instanceof Map ? [...input.entries()] : Object.entries(input);
}

/** A rename rule: a regular expression (or an exact key) and its replacement (`$1` etc. allowed). */
export interface RenameRule {
  from: RegExp | string;
  to: string;
}

/** Two keys were mapped to the same name. */
export class KeyCollisionError extends RectiflowError {
  override name = 'KeyCollisionError';
  constructor(
    readonly target: string,
    readonly first: string,
    readonly second: string,
  ) {
    super(`keys ${JSON.stringify(first)} and ${JSON.stringify(second)} both map to ${JSON.stringify(target)}`);
  }
}

/**
 * Map every key through `fn`; `null` drops the entry.
 * @throws {@link KeyCollisionError} when two keys map to the same name.
 */
export function mapKeys<T>(input: Entries<T>, fn: (key: string) => string | null): Map<string, T> {
  const out = new Map<string, T>();
  const origin = new Map<string, string>();
  for (const [key, value] of toEntries(input)) {
    const next = fn(key);
    if (next === null) continue;
    const seen = origin.get(next);
    if (seen !== undefined) throw new KeyCollisionError(next, seen, key);
    origin.set(next, key);
    out.set(next, value);
  }
  return out;
}

/** Keep the entries whose key starts with `prefix`, without it. Others are dropped unless `keepOthers`. */
export function stripPrefix<T>(input: Entries<T>, prefix: string, options: { keepOthers?: boolean } = {}): Map<string, T> {
  return mapKeys(input, (k) => (k.startsWith(prefix) ? k.slice(prefix.length) : options.keepOthers ? k : null));
}

/** Prepend `prefix` to every key. */
export function addPrefix<T>(input: Entries<T>, prefix: string): Map<string, T> {
  return mapKeys(input, (k) => prefix + k);
}

/** Keep the entries whose key starts with `prefix` (unchanged) or passes a predicate. */
export function filterKeys<T>(input: Entries<T>, keep: string | ((key: string) => boolean)): Map<string, T> {
  const test = typeof keep === 'string' ? (k: string) => k.startsWith(keep) : keep;
  return mapKeys(input, (k) => (test(k) ? k : null));
}

/** Apply the first matching rule to a key, or return it unchanged (`matched` false). */
export function renameKey(key: string, rules: readonly RenameRule[]): { key: string; matched: boolean } {
  for (const rule of rules) {
    if (typeof rule.from === 'string') {
      if (key === rule.from) return { key: rule.to, matched: true };
    } else {
      const re = new RegExp(rule.from.source, rule.from.flags.replace('g', ''));
      if (re.test(key)) return { key: key.replace(re, rule.to), matched: true };
    }
  }
  return { key, matched: false };
}

/**
 * Rename keys with ordered rules (first match wins). Unmatched keys are kept, or rejected
 * with `strict`.
 */
export function renameKeys<T>(input: Entries<T>, rules: readonly RenameRule[], options: { strict?: boolean } = {}): Map<string, T> {
  return mapKeys(input, (k) => {
    const r = renameKey(k, rules);
    if (!r.matched && options.strict) throw new RectiflowError(`key ${JSON.stringify(k)} matches no rename rule`);
    return r.key;
  });
}

/**
 * The first candidate prefix under which `required` exists in `keys`
 * (e.g. `['model.diffusion_model.', '']` for SD3 single-file and bare checkpoints).
 */
export function findPrefix(keys: Iterable<string>, candidates: readonly string[], required: string): string | undefined {
  const set = new Set(keys);
  return candidates.find((p) => set.has(p + required));
}
