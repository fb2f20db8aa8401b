/** Token-id batches: the input of every model in this package, checked at the boundary. */
import { ValidationError } from '@rectiflow/core';

/** A batch of token-id rows of equal length (plain arrays or typed arrays). */
export type TokenIds = ReadonlyArray<ArrayLike<number>>;

/** A checked batch, flattened row-major. */
export interface FlatTokenIds {
  batch: number;
  length: number;
  /** `batch * length` ids. */
  ids: Int32Array;
}

/**
 * Check that `tokens` is a non-empty batch of equal-length rows of integer ids in
 * `[0, vocabSize)`, at most `maxLength` long, and flatten it.
 * @throws {ValidationError} naming the row and position of the first bad id
 */
export function flattenTokenIds(field: string, tokens: TokenIds, vocabSize: number, maxLength = Infinity): FlatTokenIds {
  if (!Array.isArray(tokens) || tokens.length === 0) throw new ValidationError(field, tokens, 'a non-empty array of token-id rows');
  const length = tokens[0]?.length;
  if (typeof length !== 'number' || length < 1 || length > maxLength) {
    throw new ValidationError(`${field}[0].length`, length, `an integer in [1, ${maxLength}]`);
  }
  const ids = new Int32Array(tokens.length * length);
  tokens.forEach((row, b) => {
    if (row?.length !== length) throw new ValidationError(`${field}[${b}].length`, row?.length, `${length}, the length of row 0`);
    for (let i = 0; i < length; i++) {
      const id = row[i];
      if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
        throw new ValidationError(`${field}[${b}][${i}]`, id, `a token id, an integer in [0, ${vocabSize})`);
      }
      ids[b * length + i] = id;
    }
  });
  return { batch: tokens.length, length, ids };
}

/** The index of the first largest id of each row (where CLIP pools: the first end token). */
export function argmaxPerRow(flat: FlatTokenIds): number[] {
  const out: number[] = [];
  for (let b = 0; b < flat.batch; b++) {
    let best = 0;
    for (let i = 1; i < flat.length; i++) if (flat.ids[b * flat.length + i] > flat.ids[b * flat.length + best]) best = i;
    out.push(best);
  }
  return out;
}
