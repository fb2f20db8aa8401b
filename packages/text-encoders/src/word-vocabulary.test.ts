import { describe, expect, it } from 'vitest';
import { PAD_ID, START_ID, splitWords, UNKNOWN_ID, WordVocabulary } from './word-vocabulary';

describe('WordVocabulary', () => {
  const captions = ['A red circle.', 'a blue square', 'A RED square!', 'green-ish triangle'];

  it('splits lower-cased words and orders them by count, then alphabetically, after the specials', () => {
    expect(splitWords('A RED, square!\nnumber 7')).toEqual(['a', 'red', 'square', 'number', '7']);
    const v = WordVocabulary.fromCaptions(captions);
    expect(v.tokens).toEqual(['[PAD]', '[UNK]', '[BOS]', 'a', 'red', 'square', 'blue', 'circle', 'green', 'ish', 'triangle']);
    expect(WordVocabulary.fromCaptions(captions, { minCount: 2 }).tokens.slice(3)).toEqual(['a', 'red', 'square']);
    expect(WordVocabulary.fromCaptions(captions, { maxWords: 1 }).size).toBe(4);
  });

  it('encodes to a fixed length with [BOS], [UNK] for unknown words, and counts truncation', () => {
    const v = WordVocabulary.fromCaptions(captions);
    expect(v.encode('a purple circle', 6)).toEqual({
      ids: [START_ID, v.id('a'), UNKNOWN_ID, v.id('circle'), PAD_ID, PAD_ID],
      mask: [1, 1, 1, 1, 0, 0],
      unknown: 1,
      truncated: 0,
    });
    expect(v.encode('', 3)).toEqual({ ids: [START_ID, PAD_ID, PAD_ID], mask: [1, 0, 0], unknown: 0, truncated: 0 });
    expect(v.encode('a red blue square', 3)).toMatchObject({ ids: [START_ID, v.id('a'), v.id('red')], truncated: 2 });
  });

  it('round-trips through JSON and rejects malformed JSON', () => {
    const v = WordVocabulary.fromCaptions(captions);
    expect(WordVocabulary.fromJSON(JSON.parse(JSON.stringify(v))).tokens).toEqual(v.tokens);
    expect(() => WordVocabulary.fromJSON({ type: 'word-vocabulary', tokens: ['a', 'b'] })).toThrow(/vocabulary/);
    expect(() => WordVocabulary.fromCaptions([3 as unknown as string])).toThrow(/caption: got 3/);
  });
});
