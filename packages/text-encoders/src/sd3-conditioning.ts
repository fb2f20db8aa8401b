/**
 * SD3's conditioning stack: CLIP-L and CLIP-G penultimate features side by side,
 * zero-padded to the T5 width, followed along the sequence by the T5 tokens; the pooled
 * vector is CLIP-L's pooled output (unprojected) next to CLIP-G's (projected). T5 is
 * optional: without it its tokens are zeros.
 */
import { checkNumber, type TextEncoder, type TextEncoding, tf, ValidationError } from '@rectiflow/core';
import type { WeightSource } from '@rectiflow/safetensors';
import { type ClipLoadOptions, ClipTextModel } from './clip-text-model';
import { type EncoderBlock, EncoderDropout, type EncoderDropoutOptions } from './encoder-dropout';
import { clipTokenizer, type PromptTokenizer, type TokenizerJson, t5Tokenizer } from './prompt-tokenizer';
import { T5Encoder, type T5LoadOptions } from './t5-encoder';
import type { TokenIds } from './token-ids';

/** The width SD3 pads to when it has no T5 to take it from: T5-XXL's 4096. */
export const T5_XXL_WIDTH = 4096;

/**
 * Concatenate CLIP-L and CLIP-G features `[B, Lc, Dl]`, `[B, Lc, Dg]`, zero-pad them to
 * `contextDim`, and append the T5 tokens `[B, Lt, contextDim]` (`sd3_infer.get_cond`).
 * The inputs are not disposed.
 */
export function assembleSd3Context(clipL: tf.Tensor3D, clipG: tf.Tensor3D, t5: tf.Tensor3D | null, contextDim: number): tf.Tensor3D {
  const [B, L, Dl] = clipL.shape;
  const [Bg, Lg, Dg] = clipG.shape;
  if (Bg !== B || Lg !== L) throw new ValidationError('clipG.shape', [Bg, Lg, Dg], `[${B}, ${L}, *], matching CLIP-L`);
  if (Dl + Dg > contextDim) throw new ValidationError('contextDim', contextDim, `at least ${Dl + Dg}, the CLIP-L + CLIP-G width`);
  if (t5 && (t5.shape[0] !== B || t5.shape[2] !== contextDim)) {
    throw new ValidationError('t5.shape', t5.shape, `[${B}, *, ${contextDim}]`);
  }
  return tf.tidy(() => {
    const clip = tf.pad(tf.concat([clipL, clipG], 2), [
      [0, 0],
      [0, 0],
      [0, contextDim - Dl - Dg],
    ]);
    return t5 ? tf.concat([clip, t5], 1) : clip;
  }) as tf.Tensor3D;
}

/** Token rows for each encoder of the stack. */
export interface Sd3Tokens {
  clipL: TokenIds;
  clipG: TokenIds;
  /** Ignored (zeros are used) when the stack has no T5. */
  t5?: TokenIds;
}

/** The models and tokenizers of the stack. */
export interface Sd3TextEncoderParts {
  clipL: ClipTextModel;
  clipG: ClipTextModel;
  /** Absent or null: T5's share of the context is zeros. */
  t5?: T5Encoder | null;
  /** Needed by {@link Sd3TextEncoder.encode}; {@link Sd3TextEncoder.encodeTokens} works without. */
  tokenizers?: { clipL: PromptTokenizer; clipG: PromptTokenizer; t5?: PromptTokenizer | null };
}

/** Options of the stack. */
export interface Sd3TextEncoderOptions {
  /** T5 tokens in the context. Default: the T5 tokenizer's length, else 77 (the official code; diffusers uses 256). */
  t5Length?: number;
  /** Context width. Default the T5 width, or 4096 without T5. */
  contextDim?: number;
  /** Per-encoder dropout used by {@link Sd3TextEncoder.encodeForTraining}. */
  dropout?: EncoderDropoutOptions;
  /** Default `sd3-text`. */
  name?: string;
}

/** What {@link Sd3TextEncoder.load} reads. */
export interface Sd3LoadSources {
  clipL: WeightSource;
  clipG: WeightSource;
  t5?: WeightSource | null;
  /** `tokenizer.json` files; CLIP-L and CLIP-G share the CLIP one. */
  tokenizers?: { clip: TokenizerJson; t5?: TokenizerJson | null };
  clipLOptions?: ClipLoadOptions;
  clipGOptions?: ClipLoadOptions;
  t5Options?: T5LoadOptions;
}

/** The SD3 text conditioning: a `TextEncoder` over CLIP-L, CLIP-G and (optionally) T5. */
export class Sd3TextEncoder implements TextEncoder {
  readonly name: string;
  readonly contextDim: number;
  readonly pooledDim: number;
  readonly t5Length: number;
  /** Where each encoder's output sits in the encoding (for dropout and inspection). */
  readonly blocks: readonly EncoderBlock[];
  private readonly dropout?: EncoderDropout;
  private unconditional?: TextEncoding;
  private disposed = false;

  constructor(
    private readonly parts: Sd3TextEncoderParts,
    options: Sd3TextEncoderOptions = {},
  ) {
    const { clipL, clipG, t5 } = parts;
    if (!(clipL instanceof ClipTextModel) || !(clipG instanceof ClipTextModel)) {
      throw new ValidationError('clipL/clipG', [clipL, clipG], 'two loaded ClipTextModel instances');
    }
    if (!clipG.hasProjection) throw new ValidationError('clipG', 'no text_projection', 'a CLIP-G checkpoint with text_projection.weight');
    this.name = options.name ?? 'sd3-text';
    const Dl = clipL.config.hiddenSize;
    const Dg = clipG.config.hiddenSize;
    this.contextDim = checkNumber('contextDim', options.contextDim ?? t5?.config.dModel ?? T5_XXL_WIDTH, { integer: true, min: Dl + Dg });
    if (t5 && t5.config.dModel !== this.contextDim)
      throw new ValidationError('contextDim', this.contextDim, `the T5 width ${t5.config.dModel}`);
    this.pooledDim = Dl + (clipG.config.projectionDim as number);
    this.t5Length = checkNumber('t5Length', options.t5Length ?? parts.tokenizers?.t5?.length ?? 77, { integer: true, min: 1 });
    const t5TokenizerLength = parts.tokenizers?.t5?.length;
    if (t5TokenizerLength !== undefined && t5TokenizerLength !== this.t5Length) {
      throw new ValidationError('t5Length', this.t5Length, `${t5TokenizerLength}, the length of the T5 tokenizer`);
    }
    const clipLength = parts.tokenizers?.clipL.length ?? 77;
    this.blocks = [
      { name: 'clipL', rows: [0, clipLength], columns: [0, Dl], pooled: [0, Dl] },
      { name: 'clipG', rows: [0, clipLength], columns: [Dl, Dl + Dg], pooled: [Dl, this.pooledDim] },
      { name: 't5', rows: [clipLength, clipLength + this.t5Length], columns: [0, this.contextDim], pooled: null },
    ];
    if (options.dropout) this.dropout = new EncoderDropout(this.blocks, options.dropout);
  }

  /** Load the three checkpoints (and tokenizers) and build the stack. */
  static async load(sources: Sd3LoadSources, options: Sd3TextEncoderOptions = {}): Promise<Sd3TextEncoder> {
    const clipL = await ClipTextModel.load(sources.clipL, { prefix: ['', 'text_encoders.clip_l.transformer.'], ...sources.clipLOptions });
    const rest: { dispose(): void }[] = [clipL];
    try {
      const clipG = await ClipTextModel.load(sources.clipG, { prefix: ['', 'text_encoders.clip_g.transformer.'], ...sources.clipGOptions });
      rest.push(clipG);
      const t5 = sources.t5 ? await T5Encoder.load(sources.t5, sources.t5Options) : null;
      if (t5) rest.push(t5);
      const tk = sources.tokenizers;
      const tokenizers = tk && {
        clipL: clipTokenizer(tk.clip, { padWithEnd: true }),
        clipG: clipTokenizer(tk.clip, { padWithEnd: false }),
        t5: tk.t5 ? t5Tokenizer(tk.t5, options.t5Length ? { length: options.t5Length } : {}) : null,
      };
      return new Sd3TextEncoder({ clipL, clipG, t5, tokenizers }, options);
    } catch (e) {
      for (const r of rest) r.dispose();
      throw e;
    }
  }

  /** Whether T5 runs (otherwise its tokens are zeros). */
  get hasT5(): boolean {
    return !!this.parts.t5;
  }

  /**
   * Encode prompts: `context [B, 77 + t5Length, contextDim]`, `pooled [B, pooledDim]`.
   * The empty prompt gives the unconditional input.
   */
  encode(prompts: readonly string[]): TextEncoding {
    this.assertLive();
    const tk = this.parts.tokenizers;
    if (!tk) throw new ValidationError('tokenizers', undefined, 'tokenizers for encode(prompts); use encodeTokens(tokens) without them');
    if (!Array.isArray(prompts) || prompts.length === 0) throw new ValidationError('prompts', prompts, 'a non-empty array of strings');
    const ids = (t: PromptTokenizer) => t.encodeBatch(prompts).map((e) => e.ids);
    const t5Tokens = this.parts.t5 && tk.t5 ? ids(tk.t5) : undefined;
    if (this.parts.t5 && !t5Tokens)
      throw new ValidationError('tokenizers.t5', undefined, 'a T5 tokenizer, since the stack has a T5 encoder');
    return this.encodeTokens({ clipL: ids(tk.clipL), clipG: ids(tk.clipG), t5: t5Tokens });
  }

  /** Encode token rows directly (the fixtures' path; also for custom tokenization). */
  encodeTokens(tokens: Sd3Tokens): TextEncoding {
    this.assertLive();
    const { clipL, clipG, t5 } = this.parts;
    const B = tokens.clipL?.length;
    if (tokens.clipG?.length !== B) throw new ValidationError('tokens.clipG.length', tokens.clipG?.length, `${B}, as tokens.clipL`);
    const l = clipL.forward(tokens.clipL);
    const g = clipG.forward(tokens.clipG);
    try {
      return tf.tidy(() => {
        let t5Hidden: tf.Tensor3D;
        if (t5) {
          if (!tokens.t5 || tokens.t5.length !== B)
            throw new ValidationError('tokens.t5.length', tokens.t5?.length, `${B}, as tokens.clipL`);
          if (tokens.t5[0]?.length !== this.t5Length)
            throw new ValidationError('tokens.t5[0].length', tokens.t5[0]?.length, `${this.t5Length} (t5Length)`);
          t5Hidden = t5.forward(tokens.t5);
        } else {
          t5Hidden = tf.zeros([B, this.t5Length, this.contextDim]);
        }
        const context = assembleSd3Context(l.hidden, g.hidden, t5Hidden, this.contextDim);
        const pooled = tf.concat([l.pooled, g.pooledProjected as tf.Tensor2D], 1);
        return { context, pooled } as unknown as tf.TensorContainer;
      }) as unknown as TextEncoding;
    } finally {
      tf.dispose([l, g] as unknown as tf.TensorContainer);
    }
  }

  /** The encoding of the empty prompt `[1, ...]`, computed once and kept; do not dispose it. */
  unconditionalEncoding(): TextEncoding {
    this.assertLive();
    this.unconditional ??= this.encode(['']);
    return this.unconditional;
  }

  /**
   * Encode for training: {@link encode}, then each encoder's share dropped per sample with
   * the configured probability. Returns which were dropped, `dropped[b] = [clipL, clipG, t5]`.
   */
  encodeForTraining(prompts: readonly string[]): TextEncoding & { dropped: boolean[][] } {
    if (!this.dropout)
      throw new ValidationError('dropout', undefined, 'the dropout option (probability, rng) to train with encoder dropout');
    const encoding = this.encode(prompts);
    try {
      const dropped = this.dropout.draw(prompts.length);
      const unconditional = this.dropout.replaceWith === 'unconditional' ? this.unconditionalEncoding() : undefined;
      return { ...this.dropout.apply(encoding, dropped, unconditional), dropped };
    } finally {
      tf.dispose(encoding as unknown as tf.TensorContainer);
    }
  }

  /** Free the models and the kept unconditional encoding. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.parts.clipL.dispose();
    this.parts.clipG.dispose();
    this.parts.t5?.dispose();
    if (this.unconditional) tf.dispose(this.unconditional as unknown as tf.TensorContainer);
  }

  private assertLive(): void {
    if (this.disposed) throw new ValidationError(this.name, 'disposed', 'an encoder that has not been disposed');
  }
}
