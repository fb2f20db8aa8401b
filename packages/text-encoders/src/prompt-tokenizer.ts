/**
 * Prompt tokenizers with SD3's rules, built on a Hugging Face `tokenizer.json` (CLIP
 * byte-level BPE, T5 unigram) through `@huggingface/tokenizers`:
 * `[start] tokens [end] pad...` to a fixed length, overlong prompts truncated (the end
 * token kept) with one warning, the empty prompt valid.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { checkNumber, formatValue, ValidationError } from '@rectiflow/core';

/** A `tokenizer.json` as an object, its text, or its UTF-8 bytes. */
export type TokenizerJson = object | string | Uint8Array;

/** A special token, by id or by its text in the vocabulary. */
export type SpecialToken = number | string;

/** Options of {@link PromptTokenizer.fromJson}. */
export interface PromptTokenizerOptions {
  /** The start token, or null when the model has none (T5). */
  start: SpecialToken | null;
  end: SpecialToken;
  pad: SpecialToken;
  /** Every row has exactly this many tokens. Default 77. */
  length?: number;
  /** Used in the truncation warning. Default `tokenizer`. */
  name?: string;
  /** Where the one truncation warning goes. Default `console.warn`. */
  warn?: (message: string) => void;
  /** The matching `tokenizer_config.json`, when it matters. Default `{}`. */
  config?: object;
}

/** One tokenized prompt. */
export interface TokenizedPrompt {
  /** Exactly `length` ids. */
  ids: number[];
  /** 1 for the start, prompt and end tokens, 0 for padding. */
  mask: number[];
  /** How many prompt tokens were cut off (0 when it fit). */
  truncated: number;
  /** How many pieces of the prompt the vocabulary did not know. */
  unknown: number;
}

function parseJson(json: TokenizerJson): object {
  if (json instanceof Uint8Array) return JSON.parse(new TextDecoder().decode(json));
  if (typeof json === 'string') return JSON.parse(json);
  if (typeof json === 'object' && json !== null) return json;
  throw new ValidationError('tokenizer.json', json, 'an object, its JSON text or its UTF-8 bytes');
}

/** A tokenizer that turns prompts into fixed-length rows of ids. */
export class PromptTokenizer {
  /** Ids of the special tokens. */
  readonly startId: number | null;
  readonly endId: number;
  readonly padId: number;
  readonly unknownId: number | null;
  readonly length: number;
  readonly name: string;
  private warned = false;
  private readonly warn: (message: string) => void;

  private constructor(
    private readonly tokenizer: Tokenizer,
    options: PromptTokenizerOptions,
    unknownToken: string | null,
  ) {
    this.length = checkNumber('length', options.length ?? 77, { integer: true, min: options.start === null ? 1 : 2 });
    this.name = options.name ?? 'tokenizer';
    this.warn = options.warn ?? ((m) => console.warn(m));
    this.startId = options.start === null ? null : this.resolve('start', options.start);
    this.endId = this.resolve('end', options.end);
    this.padId = this.resolve('pad', options.pad);
    this.unknownId = unknownToken === null ? null : (tokenizer.token_to_id(unknownToken) ?? null);
  }

  /**
   * Build from a `tokenizer.json`.
   * @throws {ValidationError} when the JSON is not a tokenizer or a special token is not in its vocabulary
   */
  static fromJson(json: TokenizerJson, options: PromptTokenizerOptions): PromptTokenizer {
    const parsed = parseJson(json) as { model?: { unk_token?: string; unk_id?: number; vocab?: unknown } };
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(parsed, options.config ?? {});
    } catch (e) {
      throw new ValidationError(
        'tokenizer.json',
        (e as Error).message,
        'a Hugging Face tokenizer.json that @huggingface/tokenizers can load',
      );
    }
    const model = parsed.model ?? {};
    let unknown: string | null = typeof model.unk_token === 'string' ? model.unk_token : null;
    if (unknown === null && typeof model.unk_id === 'number' && Array.isArray(model.vocab)) {
      const entry = model.vocab[model.unk_id];
      if (Array.isArray(entry) && typeof entry[0] === 'string') unknown = entry[0];
    }
    return new PromptTokenizer(tokenizer, options, unknown);
  }

  /** The id of a token text. */
  tokenId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  /** The prompt's tokens, without special tokens, truncation or padding. */
  tokenize(prompt: string): number[] {
    if (typeof prompt !== 'string') throw new ValidationError('prompt', prompt, 'a string (the empty string is the unconditional prompt)');
    const text = prompt.replace(/\r?\n/g, ' ');
    if (text.trim() === '') return [];
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  /**
   * Tokenize one prompt to exactly {@link length} ids. Text the vocabulary does not cover
   * becomes the unknown token, counted in `unknown`; where the unknown token is the end
   * token (CLIP), it is dropped instead, so that it cannot end the prompt early for pooling.
   */
  encode(prompt: string): TokenizedPrompt {
    const all = this.tokenize(prompt);
    const unknown = this.unknownId === null ? 0 : all.filter((id) => id === this.unknownId).length;
    const body = unknown > 0 && this.unknownId === this.endId ? all.filter((id) => id !== this.endId) : all;
    const room = this.length - 1 - (this.startId === null ? 0 : 1);
    const truncated = Math.max(0, body.length - room);
    if (truncated > 0 && !this.warned) {
      this.warned = true;
      this.warn(
        `${this.name}: the prompt ${formatValue(prompt.length > 60 ? `${prompt.slice(0, 57)}...` : prompt)} has ${body.length} tokens; ` +
          `only the first ${room} fit in ${this.length} with the special tokens, the rest is dropped. ` +
          'This warning is shown once per tokenizer.',
      );
    }
    const ids = this.startId === null ? [] : [this.startId];
    ids.push(...body.slice(0, room), this.endId);
    const used = ids.length;
    while (ids.length < this.length) ids.push(this.padId);
    const mask = ids.map((_, i) => (i < used ? 1 : 0));
    return { ids, mask, truncated, unknown };
  }

  /** Token rows for a batch of prompts. */
  encodeBatch(prompts: readonly string[]): TokenizedPrompt[] {
    if (!Array.isArray(prompts)) throw new ValidationError('prompts', prompts, 'an array of strings');
    return prompts.map((p) => this.encode(p));
  }

  /** The text of ids (special tokens skipped). */
  decode(ids: readonly number[]): string {
    return this.tokenizer.decode([...ids], { skip_special_tokens: true });
  }

  private resolve(which: string, token: SpecialToken): number {
    const id = typeof token === 'number' ? token : this.tokenizer.token_to_id(token);
    if (id === undefined || !Number.isInteger(id) || id < 0) {
      throw new ValidationError(`${which} token`, token, 'a token of the tokenizer vocabulary or a non-negative id');
    }
    return id;
  }
}

/**
 * SD3's CLIP tokenizer: `<|startoftext|>` prompt `<|endoftext|>`, padded to 77 with the end
 * token (CLIP-L, `padWithEnd` true) or with id 0 (CLIP-G).
 */
export function clipTokenizer(json: TokenizerJson, options: { padWithEnd: boolean } & Partial<PromptTokenizerOptions>): PromptTokenizer {
  const { padWithEnd, ...rest } = options;
  const end = rest.end ?? '<|endoftext|>';
  return PromptTokenizer.fromJson(json, {
    start: '<|startoftext|>',
    end,
    pad: padWithEnd ? end : 0,
    name: padWithEnd ? 'CLIP-L tokenizer' : 'CLIP-G tokenizer',
    ...rest,
  });
}

/** SD3's T5 tokenizer: prompt `</s>`, padded with `<pad>` to `length` (default 77; diffusers uses 256). */
export function t5Tokenizer(json: TokenizerJson, options: Partial<PromptTokenizerOptions> = {}): PromptTokenizer {
  return PromptTokenizer.fromJson(json, { start: null, end: '</s>', pad: '<pad>', name: 'T5 tokenizer', ...options });
}
