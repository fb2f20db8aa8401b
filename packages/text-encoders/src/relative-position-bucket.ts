/**
 * T5's relative position buckets: exact buckets for small distances, logarithmic ones up
 * to `maxDistance`, and (bidirectional) separate halves for keys before and after the query.
 */
import { checkNumber } from '@rectiflow/core';

/** Options of {@link relativePositionBuckets}. */
export interface BucketOptions {
  /** Encoder attention is bidirectional (default true); decoder attention is not. */
  bidirectional?: boolean;
  /** Default 32. */
  numBuckets?: number;
  /** Distances at or beyond this share the last bucket. Default 128. */
  maxDistance?: number;
}

/**
 * The bucket of relative position `relative = key - query`. The logarithm is evaluated
 * step by step in float32, as PyTorch does, so bucket edges agree with the reference.
 */
export function relativePositionBucket(relative: number, options: BucketOptions = {}): number {
  const { bidirectional = true, numBuckets = 32, maxDistance = 128 } = options;
  let buckets = numBuckets;
  let bucket = 0;
  let n: number;
  if (bidirectional) {
    buckets = Math.floor(buckets / 2);
    if (relative > 0) bucket += buckets;
    n = Math.abs(relative);
  } else {
    n = Math.max(-relative, 0);
  }
  const maxExact = Math.floor(buckets / 2);
  if (n < maxExact) return bucket + n;
  const f = Math.fround;
  const ratio = f(f(Math.log(f(n / maxExact))) / f(Math.log(maxDistance / maxExact)));
  const large = maxExact + Math.trunc(f(ratio * (buckets - maxExact)));
  return bucket + Math.min(large, buckets - 1);
}

/** `bucket[i * keyLength + j]` for query position `i` and key position `j`. */
export function relativePositionBuckets(queryLength: number, keyLength: number, options: BucketOptions = {}): Int32Array {
  checkNumber('queryLength', queryLength, { integer: true, min: 1 });
  checkNumber('keyLength', keyLength, { integer: true, min: 1 });
  checkNumber('numBuckets', options.numBuckets ?? 32, { integer: true, min: 2 });
  checkNumber('maxDistance', options.maxDistance ?? 128, { greaterThan: 0 });
  const out = new Int32Array(queryLength * keyLength);
  const byOffset = new Map<number, number>();
  for (let i = 0; i < queryLength; i++) {
    for (let j = 0; j < keyLength; j++) {
      const rel = j - i;
      let b = byOffset.get(rel);
      if (b === undefined) {
        b = relativePositionBucket(rel, options);
        byOffset.set(rel, b);
      }
      out[i * keyLength + j] = b;
    }
  }
  return out;
}
