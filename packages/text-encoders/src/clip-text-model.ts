/**
 * The CLIP text transformer (OpenAI CLIP-L/14, OpenCLIP bigG/14) in the Hugging Face key
 * layout: token + position embeddings, pre-LN layers with a causal mask, a final layer
 * norm, the pooled output at the end token, and an optional text projection.
 */
import { checkNumber, tf, ValidationError } from '@rectiflow/core';
import { causalMask, layerNorm, multiHeadAttention } from '@rectiflow/nn';
import type { WeightSource } from '@rectiflow/safetensors';
import { type ClipActivation, clipActivation } from './clip-activation';
import { Linear } from './linear';
import { argmaxPerRow, flattenTokenIds, type TokenIds } from './token-ids';
import { countLayers, openWeights } from './weight-reader';

/** The architecture of a CLIP text model. */
export interface ClipTextConfig {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numHeads: number;
  numLayers: number;
  /** Rows of the position table (77). */
  maxPositions: number;
  hiddenAct: ClipActivation;
  /** Output width of `text_projection`, or null when the checkpoint has none. */
  projectionDim: number | null;
  layerNormEps: number;
}

/** Options of {@link ClipTextModel.load}: what the tensor shapes cannot tell. */
export interface ClipLoadOptions {
  /** Attention heads. Default 12 for width 768 (CLIP-L), 20 for 1280 (CLIP-G); required otherwise. */
  numHeads?: number;
  /** Default `quick_gelu` for width 768 (OpenAI CLIP-L), `gelu` for 1280 (OpenCLIP bigG); required otherwise. */
  hiddenAct?: ClipActivation;
  /**
   * Key prefix, or candidates tried in order. Default: `''`, then the SD3 single-file
   * prefixes `text_encoders.clip_l.transformer.` and `text_encoders.clip_g.transformer.`.
   */
  prefix?: string | readonly string[];
  /** Default 1e-5. */
  layerNormEps?: number;
}

/** Options of {@link ClipTextModel.forward}. */
export interface ClipForwardOptions {
  /**
   * The layer whose output is `hidden`: 0-based, negative from the end. Default -2, the
   * penultimate layer SD3 uses.
   */
  layer?: number;
  /** Apply the final layer norm to `hidden`. Default false (SD3). */
  finalLayerNormOnHidden?: boolean;
  /** Also return the embeddings (token + position). */
  returnEmbeddings?: boolean;
  /** Also return the last layer after the final layer norm. */
  returnLastHiddenState?: boolean;
}

/** What {@link ClipTextModel.forward} returns; the caller owns every tensor. */
export interface ClipTextOutput {
  /** The chosen layer's output `[B, L, D]`. */
  hidden: tf.Tensor3D;
  /** The final-layer-normed last layer at each row's largest token id (the first end token) `[B, D]`. */
  pooled: tf.Tensor2D;
  /** `text_projection(pooled)` `[B, P]`, when the model has a projection. */
  pooledProjected?: tf.Tensor2D;
  embeddings?: tf.Tensor3D;
  lastHiddenState?: tf.Tensor3D;
}

interface ClipLayer {
  ln1: [tf.Tensor1D, tf.Tensor1D];
  qkv: Linear;
  out: Linear;
  ln2: [tf.Tensor1D, tf.Tensor1D];
  fc1: Linear;
  fc2: Linear;
}

const PROBE = 'text_model.embeddings.token_embedding.weight';
/** Heads of the known CLIP text models by width: OpenAI CLIP-L/14 and OpenCLIP bigG/14. */
const KNOWN_HEADS: Readonly<Record<number, number>> = { 768: 12, 1280: 20 };
const DEFAULT_PREFIXES = ['', 'text_encoders.clip_l.transformer.', 'text_encoders.clip_g.transformer.'];

/** A CLIP text transformer with frozen weights. */
export class ClipTextModel {
  private readonly mask: tf.Tensor2D;
  private disposed = false;

  private constructor(
    readonly config: ClipTextConfig,
    private readonly tokenEmbedding: tf.Tensor2D,
    private readonly positionEmbedding: tf.Tensor2D,
    private readonly layers: ClipLayer[],
    private readonly finalNorm: [tf.Tensor1D, tf.Tensor1D],
    private readonly projection: Linear | undefined,
  ) {
    this.mask = causalMask(config.maxPositions);
  }

  /**
   * Load a checkpoint in the Hugging Face layout (`text_model.embeddings.token_embedding.weight`,
   * `text_model.encoder.layers.{i}.self_attn.q_proj.weight`, ..., `text_projection.weight`).
   * Sizes and depth are read from the tensor shapes.
   * @throws WeightMismatchError (core) naming the key, the expected and the found shape
   */
  static async load(weights: WeightSource, options: ClipLoadOptions = {}): Promise<ClipTextModel> {
    const reader = await openWeights(weights, options.prefix ?? DEFAULT_PREFIXES, PROBE);
    const loaded: { dispose(): void }[] = [];
    const keep = <T extends { dispose(): void }>(t: T): T => {
      loaded.push(t);
      return t;
    };
    try {
      const [vocabSize, hiddenSize] = reader.shape(PROBE);
      const [maxPositions] = reader.shape('text_model.embeddings.position_embedding.weight');
      const numLayers = countLayers(reader, 'text_model.encoder.layers.');
      if (numLayers < 1)
        throw new ValidationError(`weights under ${JSON.stringify(reader.prefix)}`, 0, 'at least one text_model.encoder.layers.{i}');
      const [intermediateSize] = reader.shape('text_model.encoder.layers.0.mlp.fc1.weight');
      const numHeads = options.numHeads ?? KNOWN_HEADS[hiddenSize];
      if (numHeads === undefined) {
        throw new ValidationError(
          'numHeads',
          numHeads,
          `a positive integer dividing the hidden size ${hiddenSize} (it cannot be inferred for hidden size ${hiddenSize}; only 768 -> 12 and 1280 -> 20 are known)`,
        );
      }
      checkNumber('numHeads', numHeads, { integer: true, min: 1 });
      if (hiddenSize % numHeads !== 0) throw new ValidationError('numHeads', numHeads, `a divisor of the hidden size ${hiddenSize}`);
      const hiddenAct = options.hiddenAct ?? (hiddenSize === 768 ? 'quick_gelu' : hiddenSize === 1280 ? 'gelu' : undefined);
      if (hiddenAct !== 'quick_gelu' && hiddenAct !== 'gelu') {
        throw new ValidationError('hiddenAct', hiddenAct, `'quick_gelu' or 'gelu' (it cannot be inferred for hidden size ${hiddenSize})`);
      }
      const projectionDim = reader.has('text_projection.weight') ? reader.shape('text_projection.weight')[0] : null;
      const config: ClipTextConfig = {
        vocabSize,
        hiddenSize,
        intermediateSize,
        numHeads,
        numLayers,
        maxPositions,
        hiddenAct,
        projectionDim,
        layerNormEps: options.layerNormEps ?? 1e-5,
      };
      const D = hiddenSize;
      const norm = async (key: string): Promise<[tf.Tensor1D, tf.Tensor1D]> => [
        keep((await reader.tensor(`${key}.weight`, [D])) as tf.Tensor1D),
        keep((await reader.tensor(`${key}.bias`, [D])) as tf.Tensor1D),
      ];
      const tokenEmbedding = keep((await reader.tensor(PROBE, [vocabSize, D])) as tf.Tensor2D);
      const positionEmbedding = keep(
        (await reader.tensor('text_model.embeddings.position_embedding.weight', [maxPositions, D])) as tf.Tensor2D,
      );
      const layers: ClipLayer[] = [];
      for (let i = 0; i < numLayers; i++) {
        const p = `text_model.encoder.layers.${i}.`;
        const ln1 = await norm(`${p}layer_norm1`);
        const qkv = keep(
          await Linear.loadFused(
            reader,
            ['q_proj', 'k_proj', 'v_proj'].map((n) => `${p}self_attn.${n}`),
            D,
            D,
            true,
          ),
        );
        const out = keep(await Linear.load(reader, `${p}self_attn.out_proj`, D, D, true));
        const ln2 = await norm(`${p}layer_norm2`);
        const fc1 = keep(await Linear.load(reader, `${p}mlp.fc1`, intermediateSize, D, true));
        const fc2 = keep(await Linear.load(reader, `${p}mlp.fc2`, D, intermediateSize, true));
        layers.push({ ln1, qkv, out, ln2, fc1, fc2 });
      }
      const finalNorm = await norm('text_model.final_layer_norm');
      const projection = projectionDim === null ? undefined : keep(await Linear.load(reader, 'text_projection', projectionDim, D, false));
      return new ClipTextModel(config, tokenEmbedding, positionEmbedding, layers, finalNorm, projection);
    } catch (e) {
      for (const t of loaded) t.dispose();
      throw e;
    } finally {
      await reader.close();
    }
  }

  /** Whether the model has a text projection. */
  get hasProjection(): boolean {
    return this.projection !== undefined;
  }

  /**
   * Run the transformer on a batch of token ids `[B, L]` with `L <= maxPositions`.
   * @throws {ValidationError} on ids outside the vocabulary or ragged rows
   */
  forward(tokens: TokenIds, options: ClipForwardOptions = {}): ClipTextOutput {
    this.assertLive();
    const { numLayers, hiddenSize: D, numHeads, layerNormEps: eps, vocabSize, maxPositions } = this.config;
    const flat = flattenTokenIds('tokens', tokens, vocabSize, maxPositions);
    const layerIndex = options.layer ?? -2;
    checkNumber('layer', layerIndex, { integer: true, min: -numLayers, max: numLayers - 1 });
    const chosen = layerIndex < 0 ? numLayers + layerIndex : layerIndex;
    const { batch: B, length: L } = flat;
    const poolRows = argmaxPerRow(flat).map((i, b) => b * L + i);
    const act = clipActivation(this.config.hiddenAct);
    return tf.tidy(() => {
      const ids = tf.tensor1d(flat.ids, 'int32');
      const positions = L === maxPositions ? this.positionEmbedding : tf.slice(this.positionEmbedding, [0, 0], [L, D]);
      const embeddings = tf.reshape(tf.add(tf.reshape(tf.gather(this.tokenEmbedding, ids), [B, L, D]), positions), [
        B * L,
        D,
      ]) as tf.Tensor2D;
      const mask = L === maxPositions ? this.mask : tf.slice(this.mask, [0, 0], [L, L]);
      let x = embeddings;
      let hidden: tf.Tensor2D | undefined;
      for (let i = 0; i < numLayers; i++) {
        const layer = this.layers[i];
        const h = layerNorm(x, eps, layer.ln1[0], layer.ln1[1]) as tf.Tensor2D;
        const [q, k, v] = tf.split(layer.qkv.apply(h), 3, 1) as tf.Tensor2D[];
        const attended = multiHeadAttention(q, k, v, B, L, numHeads, { scale: 1 / Math.sqrt(D / numHeads), bias: mask });
        x = tf.add(x, layer.out.apply(attended));
        const h2 = layerNorm(x, eps, layer.ln2[0], layer.ln2[1]) as tf.Tensor2D;
        x = tf.add(x, layer.fc2.apply(act(layer.fc1.apply(h2)) as tf.Tensor2D));
        if (i === chosen) hidden = x;
      }
      const finalNorm = (t: tf.Tensor) => layerNorm(t, eps, this.finalNorm[0], this.finalNorm[1]) as tf.Tensor2D;
      const chosenHidden = options.finalLayerNormOnHidden ? finalNorm(hidden as tf.Tensor2D) : (hidden as tf.Tensor2D);
      const pooled = finalNorm(tf.gather(x, tf.tensor1d(poolRows, 'int32')));
      const out: ClipTextOutput = { hidden: tf.reshape(chosenHidden, [B, L, D]), pooled };
      if (this.projection) out.pooledProjected = this.projection.apply(pooled);
      if (options.returnEmbeddings) out.embeddings = tf.reshape(embeddings, [B, L, D]);
      if (options.returnLastHiddenState) out.lastHiddenState = tf.reshape(finalNorm(x), [B, L, D]);
      return out as unknown as tf.TensorContainer;
    }) as unknown as ClipTextOutput;
  }

  /** Free the weights. Further calls throw. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.tokenEmbedding.dispose();
    this.positionEmbedding.dispose();
    for (const l of this.layers) {
      for (const t of [...l.ln1, ...l.ln2]) t.dispose();
      for (const lin of [l.qkv, l.out, l.fc1, l.fc2]) lin.dispose();
    }
    for (const t of this.finalNorm) t.dispose();
    this.projection?.dispose();
    this.mask.dispose();
  }

  private assertLive(): void {
    if (this.disposed) throw new ValidationError('ClipTextModel', 'disposed', 'a model that has not been disposed');
  }
}
