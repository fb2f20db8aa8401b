/**
 * The T5 v1.1 encoder (T5-XXL in SD3) in the Hugging Face key layout: RMS layer norms,
 * attention without the 1/sqrt(d) scaling and with a learned relative position bias
 * (computed by block 0, added in every block), and a gated GELU(tanh) feed-forward.
 */
import { checkNumber, tf, ValidationError } from '@rectiflow/core';
import { geluTanh, multiHeadAttention, NEGATIVE_LARGE, rmsNorm } from '@rectiflow/nn';
import type { WeightSource } from '@rectiflow/safetensors';
import { Linear } from './linear';
import { relativePositionBuckets } from './relative-position-bucket';
import { flattenTokenIds, type TokenIds } from './token-ids';
import { countLayers, openWeights } from './weight-reader';

/** The architecture of a T5 encoder. */
export interface T5EncoderConfig {
  vocabSize: number;
  dModel: number;
  dFf: number;
  numHeads: number;
  numLayers: number;
  relativeAttentionNumBuckets: number;
  relativeAttentionMaxDistance: number;
  layerNormEps: number;
}

/** Options of {@link T5Encoder.load}. Every size is read from the tensor shapes. */
export interface T5LoadOptions {
  /** Key prefix or candidates. Default: `''`, then `text_encoders.t5xxl.transformer.`. */
  prefix?: string | readonly string[];
  /** Default 128. */
  relativeAttentionMaxDistance?: number;
  /** Default 1e-6. */
  layerNormEps?: number;
}

/** Options of {@link T5Encoder.forward}. */
export interface T5ForwardOptions {
  /**
   * 1 for real tokens, 0 for padding, one row per token row. Padding keys are then
   * masked out. SD3 uses no mask (the default).
   */
  attentionMask?: ReadonlyArray<ArrayLike<number>>;
}

interface T5Block {
  ln0: tf.Tensor1D;
  qkv: Linear;
  o: Linear;
  ln1: tf.Tensor1D;
  wi: Linear;
  wo: Linear;
}

const PREFIXES = ['', 'text_encoders.t5xxl.transformer.'];
const BIAS_KEY = 'encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight';

/** A T5 v1.1 encoder with frozen weights. */
export class T5Encoder {
  private disposed = false;

  private constructor(
    readonly config: T5EncoderConfig,
    private readonly embedding: tf.Tensor2D,
    private readonly relativeBias: tf.Tensor2D,
    private readonly blocks: T5Block[],
    private readonly finalNorm: tf.Tensor1D,
  ) {}

  /**
   * Load a checkpoint in the Hugging Face layout (`encoder.embed_tokens.weight` or
   * `shared.weight`, `encoder.block.{i}.layer.0.SelfAttention.q.weight`, ...,
   * `encoder.final_layer_norm.weight`). Sizes, heads and depth come from the shapes.
   * @throws WeightMismatchError (core) naming the key, the expected and the found shape
   */
  static async load(weights: WeightSource, options: T5LoadOptions = {}): Promise<T5Encoder> {
    const reader = await openWeights(weights, options.prefix ?? PREFIXES, BIAS_KEY);
    const loaded: { dispose(): void }[] = [];
    const keep = <T extends { dispose(): void }>(t: T): T => {
      loaded.push(t);
      return t;
    };
    try {
      const embedKey = reader.has('encoder.embed_tokens.weight') ? 'encoder.embed_tokens.weight' : 'shared.weight';
      const [vocabSize, dModel] = reader.shape(embedKey);
      const [numBuckets, numHeads] = reader.shape(BIAS_KEY);
      const numLayers = countLayers(reader, 'encoder.block.');
      const [dFf] = reader.shape('encoder.block.0.layer.1.DenseReluDense.wi_0.weight');
      const [inner] = reader.shape('encoder.block.0.layer.0.SelfAttention.q.weight');
      if (inner % numHeads !== 0)
        throw new ValidationError(
          `weight ${JSON.stringify(`${reader.prefix}${BIAS_KEY}`)}`,
          numHeads,
          `a head count dividing the attention width ${inner}`,
        );
      const config: T5EncoderConfig = {
        vocabSize,
        dModel,
        dFf,
        numHeads,
        numLayers,
        relativeAttentionNumBuckets: numBuckets,
        relativeAttentionMaxDistance: checkNumber('relativeAttentionMaxDistance', options.relativeAttentionMaxDistance ?? 128, {
          greaterThan: 0,
        }),
        layerNormEps: options.layerNormEps ?? 1e-6,
      };
      const embedding = keep((await reader.tensor(embedKey, [vocabSize, dModel])) as tf.Tensor2D);
      const relativeBias = keep((await reader.tensor(BIAS_KEY, [numBuckets, numHeads])) as tf.Tensor2D);
      const blocks: T5Block[] = [];
      for (let i = 0; i < numLayers; i++) {
        const p = `encoder.block.${i}.layer.`;
        const ln0 = keep((await reader.tensor(`${p}0.layer_norm.weight`, [dModel])) as tf.Tensor1D);
        const qkv = keep(
          await Linear.loadFused(
            reader,
            ['q', 'k', 'v'].map((n) => `${p}0.SelfAttention.${n}`),
            inner,
            dModel,
            false,
          ),
        );
        const o = keep(await Linear.load(reader, `${p}0.SelfAttention.o`, dModel, inner, false));
        const ln1 = keep((await reader.tensor(`${p}1.layer_norm.weight`, [dModel])) as tf.Tensor1D);
        const wi = keep(await Linear.loadFused(reader, [`${p}1.DenseReluDense.wi_0`, `${p}1.DenseReluDense.wi_1`], dFf, dModel, false));
        const wo = keep(await Linear.load(reader, `${p}1.DenseReluDense.wo`, dModel, dFf, false));
        blocks.push({ ln0, qkv, o, ln1, wi, wo });
      }
      const finalNorm = keep((await reader.tensor('encoder.final_layer_norm.weight', [dModel])) as tf.Tensor1D);
      return new T5Encoder(config, embedding, relativeBias, blocks, finalNorm);
    } catch (e) {
      for (const t of loaded) t.dispose();
      throw e;
    } finally {
      await reader.close();
    }
  }

  /** The relative position buckets `[L, L]` of this model's configuration. */
  buckets(length: number): Int32Array {
    return relativePositionBuckets(length, length, {
      bidirectional: true,
      numBuckets: this.config.relativeAttentionNumBuckets,
      maxDistance: this.config.relativeAttentionMaxDistance,
    });
  }

  /** The position bias `[1, H, L, L]` that every block adds to its attention scores. */
  positionBias(length: number): tf.Tensor4D {
    this.assertLive();
    checkNumber('length', length, { integer: true, min: 1 });
    const buckets = this.buckets(length);
    const H = this.config.numHeads;
    return tf.tidy(() => {
      const rows = tf.gather(this.relativeBias, tf.tensor1d(buckets, 'int32'));
      return tf.reshape(tf.transpose(rows), [1, H, length, length]);
    });
  }

  /**
   * The last hidden state `[B, L, dModel]` (after the final layer norm), which SD3 uses.
   * @throws {ValidationError} on ids outside the vocabulary or ragged rows
   */
  forward(tokens: TokenIds, options: T5ForwardOptions = {}): tf.Tensor3D {
    this.assertLive();
    const { vocabSize, dModel, dFf, numHeads, layerNormEps: eps } = this.config;
    const flat = flattenTokenIds('tokens', tokens, vocabSize);
    const { batch: B, length: L } = flat;
    let maskData: Float32Array | undefined;
    if (options.attentionMask) {
      const mask = options.attentionMask;
      if (mask.length !== B) throw new ValidationError('attentionMask.length', mask.length, `${B}, one row per token row`);
      maskData = new Float32Array(B * L);
      mask.forEach((row, b) => {
        if (row.length !== L) throw new ValidationError(`attentionMask[${b}].length`, row.length, `${L}`);
        for (let j = 0; j < L; j++) maskData![b * L + j] = row[j] ? 0 : NEGATIVE_LARGE;
      });
    }
    return tf.tidy(() => {
      let bias: tf.Tensor = this.positionBias(L);
      if (maskData) bias = tf.add(bias, tf.tensor4d(maskData, [B, 1, 1, L]));
      let x = tf.gather(this.embedding, tf.tensor1d(flat.ids, 'int32')) as tf.Tensor2D;
      for (const block of this.blocks) {
        const h = rmsNorm(x, block.ln0, eps) as tf.Tensor2D;
        const [q, k, v] = tf.split(block.qkv.apply(h), 3, 1) as tf.Tensor2D[];
        // T5 folds the 1/sqrt(d) into its initialisation: the scores are not scaled.
        x = tf.add(x, block.o.apply(multiHeadAttention(q, k, v, B, L, numHeads, { scale: 1, bias })));
        const h2 = rmsNorm(x, block.ln1, eps) as tf.Tensor2D;
        const [gate, up] = tf.split(block.wi.apply(h2), [dFf, dFf], 1);
        x = tf.add(x, block.wo.apply(tf.mul(geluTanh(gate), up) as tf.Tensor2D));
      }
      return tf.reshape(rmsNorm(x, this.finalNorm, eps), [B, L, dModel]);
    });
  }

  /** Free the weights. Further calls throw. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.embedding.dispose();
    this.relativeBias.dispose();
    for (const b of this.blocks) {
      b.ln0.dispose();
      b.ln1.dispose();
      for (const l of [b.qkv, b.o, b.wi, b.wo]) l.dispose();
    }
    this.finalNorm.dispose();
  }

  private assertLive(): void {
    if (this.disposed) throw new ValidationError('T5Encoder', 'disposed', 'a model that has not been disposed');
  }
}
