/** Shared by the tests: the golden fixtures, read from this package's test-data folder. */
import type { tf } from '@rectiflow/core';
import { fixturePath, readFixtureJson } from '@rectiflow/core/testing';
import { readSafetensors, type SafetensorsFile } from '@rectiflow/safetensors';

/** The fixture description (`text_encoders_tiny.json`). */
export function fixtureInfo(): {
  configs: Record<string, Record<string, number | string>>;
  special_tokens: Record<string, number>;
} {
  return readFixtureJson('text_encoders_tiny.json');
}

let io: SafetensorsFile | undefined;

/** One tensor of `text_encoders_tiny_io.safetensors`; the caller disposes it. */
export async function ioTensor(key: string): Promise<tf.Tensor> {
  io ??= await readSafetensors(fixturePath('text_encoders_tiny_io.safetensors'));
  return io.tensor(key);
}

/** Token rows of the IO file as plain arrays. */
export async function ioTokens(key: string): Promise<number[][]> {
  const t = await ioTensor(key);
  const rows = t.rank === 1 ? [t.arraySync() as number[]] : (t.arraySync() as number[][]);
  t.dispose();
  return rows;
}

/**
 * A tiny CLIP-style byte-level BPE `tokenizer.json`: letters with and without `</w>`,
 * merges for "cat", "dog", "photo" and "of", and the two CLIP special tokens.
 */
export function tinyClipTokenizerJson(): object {
  const vocab: Record<string, number> = {};
  const add = (t: string) => {
    if (!(t in vocab)) vocab[t] = Object.keys(vocab).length;
  };
  for (const c of 'abcdefghijklmnopqrstuvwxyz!,.') {
    add(c);
    add(`${c}</w>`);
  }
  const merges = ['c a', 'ca t</w>', 'd o', 'do g</w>', 'p h', 'ph o', 'pho t', 'phot o</w>', 'o f</w>'];
  for (const m of merges) add(m.replace(' ', ''));
  const start = Object.keys(vocab).length;
  vocab['<|startoftext|>'] = start;
  vocab['<|endoftext|>'] = start + 1;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      { id: start, content: '<|startoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: true, special: true },
      { id: start + 1, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: true, special: true },
    ],
    normalizer: {
      type: 'Sequence',
      normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }],
    },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        {
          type: 'Split',
          pattern: { Regex: "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+" },
          behavior: 'Removed',
          invert: true,
        },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<|endoftext|>',
      continuing_subword_prefix: '',
      end_of_word_suffix: '</w>',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
}

/** A tiny T5-style unigram `tokenizer.json` (`<pad>` 0, `</s>` 1, `<unk>` 2). */
export function tinyT5TokenizerJson(): object {
  const pieces: [string, number][] = [
    ['<pad>', 0],
    ['</s>', 0],
    ['<unk>', 0],
    ['▁', -2],
    ['▁a', -3],
    ['▁cat', -4],
    ['▁dog', -4],
    ['▁photo', -5],
    ['▁of', -4],
    ['▁the', -4],
  ];
  for (const c of 'abcdefghijklmnopqrstuvwxyz') pieces.push([c, -8]);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: ['<pad>', '</s>', '<unk>'].map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true }],
    },
    post_processor: null,
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: 2, vocab: pieces, byte_fallback: false },
  };
}
