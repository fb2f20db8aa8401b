/**
 * A word-level vocabulary built from a caption set, for the small trainable text encoder:
 * lower-cased words split at anything that is not a letter or a digit; special ids
 * `[PAD]` 0, `[UNK]` 1 (words not in the vocabulary), `[BOS]` 2 (starts every row, so the
 * empty prompt still has one real token).
 */
import { checkNumber, formatValue, ValidationError } from '@rectiflow/core';

/** The special tokens and their ids. */
export const SPECIAL_WORDS = { pad: '[PAD]', unknown: '[UNK]', start: '[BOS]' } as const;
export const PAD_ID = 0;
export const UNKNOWN_ID = 1;
export const START_ID = 2;

/** Options of {@link WordVocabulary.fromCaptions}. */
export interface VocabularyOptions {
  /** Words seen fewer times are left out (they become `[UNK]`). Default 1. */
  minCount?: number;
  /** Keep at most this many words (most frequent first), specials excluded. Default unbounded. */
  maxWords?: number;
}

/** One caption as ids. */
export interface EncodedWords {
  /** Exactly `length` ids: `[BOS]`, words, `[PAD]`... */
  ids: number[];
  /** 1 for `[BOS]` and words, 0 for padding. */
  mask: number[];
  /** Words not in the vocabulary (encoded as `[UNK]`). */
  unknown: number;
  /** Words cut off because the caption was too long. */
  truncated: number;
}

/** The serialised form of a {@link WordVocabulary}. */
export interface VocabularyJson {
  type: 'word-vocabulary';
  /** Every token in id order, specials first. */
  tokens: string[];
}

/** Split a caption into lower-case words. */
export function splitWords(text: string): string[] {
  if (typeof text !== 'string') throw new ValidationError('caption', text, 'a string');
  return text
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/** A word-level vocabulary. */
export class WordVocabulary {
  private readonly index: Map<string, number>;

  private constructor(readonly tokens: readonly string[]) {
    this.index = new Map(tokens.map((t, i) => [t, i]));
  }

  /** Build from captions: the words by count (then alphabetically), after the specials. */
  static fromCaptions(captions: Iterable<string>, options: VocabularyOptions = {}): WordVocabulary {
    const minCount = checkNumber('minCount', options.minCount ?? 1, { integer: true, min: 1 });
    const maxWords = options.maxWords === undefined ? Infinity : checkNumber('maxWords', options.maxWords, { integer: true, min: 0 });
    const counts = new Map<string, number>();
    for (const caption of captions) for (const w of splitWords(caption)) counts.set(w, (counts.get(w) ?? 0) + 1);
    const words = [...counts]
      .filter(([, n]) => n >= minCount)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, maxWords)
      .map(([w]) => w);
    return new WordVocabulary([SPECIAL_WORDS.pad, SPECIAL_WORDS.unknown, SPECIAL_WORDS.start, ...words]);
  }

  /** Restore from {@link toJSON}. */
  static fromJSON(json: VocabularyJson): WordVocabulary {
    const ok =
      json?.type === 'word-vocabulary' &&
      Array.isArray(json.tokens) &&
      json.tokens[PAD_ID] === SPECIAL_WORDS.pad &&
      json.tokens[UNKNOWN_ID] === SPECIAL_WORDS.unknown &&
      json.tokens[START_ID] === SPECIAL_WORDS.start &&
      json.tokens.every((t) => typeof t === 'string') &&
      new Set(json.tokens).size === json.tokens.length;
    if (!ok) throw new ValidationError('vocabulary', json, "{ type: 'word-vocabulary', tokens: [[PAD], [UNK], [BOS], distinct words...] }");
    return new WordVocabulary([...json.tokens]);
  }

  /** Number of ids, specials included. */
  get size(): number {
    return this.tokens.length;
  }

  /** The id of a word, or `[UNK]`'s. */
  id(word: string): number {
    return this.index.get(word) ?? UNKNOWN_ID;
  }

  /**
   * Encode a caption to exactly `length` ids. Unknown words become `[UNK]` (counted);
   * words beyond `length - 1` are dropped (counted).
   */
  encode(caption: string, length: number): EncodedWords {
    checkNumber('length', length, { integer: true, min: 1 });
    const words = splitWords(caption);
    const kept = words.slice(0, length - 1);
    const ids = [START_ID, ...kept.map((w) => this.id(w))];
    const used = ids.length;
    while (ids.length < length) ids.push(PAD_ID);
    return {
      ids,
      mask: ids.map((_, i) => (i < used ? 1 : 0)),
      unknown: kept.filter((w) => !this.index.has(w)).length,
      truncated: words.length - kept.length,
    };
  }

  /** The serialisable form. */
  toJSON(): VocabularyJson {
    return { type: 'word-vocabulary', tokens: [...this.tokens] };
  }

  /** e.g. `WordVocabulary(12 words)`. */
  toString(): string {
    return `WordVocabulary(${formatValue(this.size - 3)} words)`;
  }
}
