import { describe, expect, it } from 'vitest';
import { clipTokenizer, PromptTokenizer, t5Tokenizer } from './prompt-tokenizer';
import { tinyClipTokenizerJson, tinyT5TokenizerJson } from './test-helpers';

function warnings() {
  const messages: string[] = [];
  return { messages, warn: (m: string) => messages.push(m) };
}

describe('clipTokenizer', () => {
  const json = tinyClipTokenizerJson();
  const id = (t: string) => PromptTokenizer.fromJson(json, { start: null, end: '<|endoftext|>', pad: 0 }).tokenId(t) as number;
  const [start, end] = [id('<|startoftext|>'), id('<|endoftext|>')];

  it('follows SD3: start, BPE tokens, end, then the end token (CLIP-L) or 0 (CLIP-G) up to 77', () => {
    const l = clipTokenizer(json, { padWithEnd: true }).encode('A photo of a CAT');
    const words = ['a', 'photo', 'of', 'a', 'cat'].map((w) => id(`${w}</w>`));
    expect(l.ids.slice(0, 8)).toEqual([start, ...words, end, end]);
    expect(l.ids).toHaveLength(77);
    expect(l.ids.slice(7).every((t) => t === end)).toBe(true);
    expect(l.mask.slice(0, 8)).toEqual([1, 1, 1, 1, 1, 1, 1, 0]);
    const g = clipTokenizer(json, { padWithEnd: false }).encode('A photo of a CAT');
    expect(g.ids.slice(0, 8)).toEqual([start, ...words, end, 0]);
    expect(g.ids.slice(7).every((t) => t === 0)).toBe(true);
  });

  it('makes the empty prompt (and whitespace) start + end + padding, as the fixture uncond tokens', () => {
    const tok = clipTokenizer(json, { padWithEnd: false });
    for (const p of ['', '   ', '\n']) {
      const e = tok.encode(p);
      expect(e.ids.slice(0, 3)).toEqual([start, end, 0]);
      expect(e.truncated).toBe(0);
    }
  });

  it('truncates an overlong prompt, keeps the end token, and warns once', () => {
    const w = warnings();
    const tok = clipTokenizer(json, { padWithEnd: true, warn: w.warn });
    const long = Array.from({ length: 100 }, () => 'cat').join(' ');
    const e = tok.encode(long);
    expect(e.ids).toHaveLength(77);
    expect(e.ids[0]).toBe(start);
    expect(e.ids[76]).toBe(end);
    expect(e.ids.slice(1, 76).every((t) => t === id('cat</w>'))).toBe(true);
    expect(e.truncated).toBe(25);
    tok.encode(long);
    expect(w.messages).toHaveLength(1);
    expect(w.messages[0]).toMatch(/100 tokens; only the first 75 fit in 77/);
    // a prompt of exactly 75 tokens fits
    expect(tok.encode(Array.from({ length: 75 }, () => 'dog').join(' ')).truncated).toBe(0);
  });

  it('counts characters outside the vocabulary and drops them rather than insert an early end token', () => {
    const e = clipTokenizer(json, { padWithEnd: false }).encode('cat 7 dog');
    expect(e.unknown).toBe(1);
    expect(e.ids.slice(0, 5)).toEqual([start, id('cat</w>'), id('dog</w>'), end, 0]);
  });

  it('rejects special tokens missing from the vocabulary and non-string prompts', () => {
    expect(() => PromptTokenizer.fromJson(json, { start: '<s>', end: '<|endoftext|>', pad: 0 })).toThrow(/start token: got "<s>"/);
    expect(() => PromptTokenizer.fromJson({ nope: 1 }, { start: null, end: 0, pad: 0 })).toThrow(/tokenizer\.json/);
    expect(() => clipTokenizer(json, { padWithEnd: true }).encode(5 as unknown as string)).toThrow(/prompt: got 5/);
  });
});

describe('t5Tokenizer', () => {
  const json = tinyT5TokenizerJson();

  it('has no start token, ends with </s> (1) and pads with <pad> (0) to the configured length', () => {
    const tok = t5Tokenizer(JSON.stringify(json), { length: 12 });
    const e = tok.encode('a photo of the dog');
    expect(e.ids).toEqual([4, 7, 8, 9, 6, 1, 0, 0, 0, 0, 0, 0]);
    expect(e.mask).toEqual([1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(tok.encode('').ids).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(t5Tokenizer(new TextEncoder().encode(JSON.stringify(json))).encode('').ids).toHaveLength(77);
    expect(tok.decode(e.ids)).toBe('a photo of the dog');
  });

  it('splits unknown words into known pieces, and maps the rest to <unk> (2)', () => {
    const e = t5Tokenizer(json, { length: 10 }).encode('cat ZZ');
    expect(e.ids[0]).toBe(5);
    expect(e.ids).toContain(2);
    expect(e.unknown).toBeGreaterThan(0);
  });

  it('truncates to length - 1 tokens plus </s>, warning once', () => {
    const w = warnings();
    const tok = t5Tokenizer(json, { length: 4, warn: w.warn });
    expect(tok.encode('a cat a dog').ids).toEqual([4, 5, 4, 1]);
    tok.encode('a cat a dog a cat');
    expect(w.messages).toHaveLength(1);
  });
});
