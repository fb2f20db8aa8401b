/**
 * A small trainable text encoder for models trained from scratch on small datasets: a
 * word-level vocabulary, token + position embeddings, a few pre-LN transformer layers
 * (bidirectional, padding masked), and a pooled output (masked mean, then a linear layer).
 *
 * Everything is differentiable on the wasm backend: embeddings are `oneHot(ids) × W`
 * (wasm has no gather gradient) and every linear layer is a plain 2-D matMul.
 */
import {
  checkNumber,
  createRng,
  type Serialisable,
  type TextEncoder,
  type TextEncoding,
  type Trainable,
  tf,
  ValidationError,
} from '@rectiflow/core';
import { geluTanh, layerNorm, multiHeadAttention, NEGATIVE_LARGE } from '@rectiflow/nn';
import { WordVocabulary } from './word-vocabulary';

/** The architecture of a {@link SmallTextEncoder}. */
export interface SmallTextEncoderConfig {
  /** Tokens per caption, `[BOS]` included. Default 32. */
  length: number;
  /** Model width. Default 64. */
  dim: number;
  /** Transformer layers. Default 2. */
  depth: number;
  /** Attention heads (must divide `dim`). Default 4. */
  heads: number;
  /** Feed-forward width as a multiple of `dim`. Default 4. */
  mlpRatio: number;
  /** Width of the pooled vector. Default `dim`. */
  pooledDim: number;
}

/** Options of {@link SmallTextEncoder}. */
export interface SmallTextEncoderOptions extends Partial<SmallTextEncoderConfig> {
  /** Seed of the initial weights. Default 0. */
  seed?: number | string;
  /** Whether the weights train (default true); false freezes them. */
  trainable?: boolean;
  /** Default `small-text`. */
  name?: string;
  /** Where the one truncation warning goes. Default `console.warn`. */
  warn?: (message: string) => void;
}

const EPS = 1e-5;
let encoderSerial = 0;

/**
 * A small transformer text encoder over a {@link WordVocabulary}. `Trainable` (its weights
 * by name, none when frozen) and `Serialisable` (`spec()`: its configuration and vocabulary).
 */
export class SmallTextEncoder implements TextEncoder, Trainable, Serialisable {
  readonly name: string;
  readonly config: SmallTextEncoderConfig;
  readonly trainable: boolean;
  private readonly params = new Map<string, tf.Variable>();
  private readonly warn: (message: string) => void;
  private warned = false;
  private disposed = false;

  constructor(
    readonly vocabulary: WordVocabulary,
    options: SmallTextEncoderOptions = {},
  ) {
    if (!(vocabulary instanceof WordVocabulary)) throw new ValidationError('vocabulary', vocabulary, 'a WordVocabulary');
    const dim = checkNumber('dim', options.dim ?? 64, { integer: true, min: 1 });
    const heads = checkNumber('heads', options.heads ?? 4, { integer: true, min: 1 });
    if (dim % heads !== 0) throw new ValidationError('heads', heads, `a divisor of dim ${dim}`);
    this.config = {
      length: checkNumber('length', options.length ?? 32, { integer: true, min: 1 }),
      dim,
      depth: checkNumber('depth', options.depth ?? 2, { integer: true, min: 0 }),
      heads,
      mlpRatio: checkNumber('mlpRatio', options.mlpRatio ?? 4, { greaterThan: 0 }),
      pooledDim: checkNumber('pooledDim', options.pooledDim ?? dim, { integer: true, min: 1 }),
    };
    this.name = options.name ?? 'small-text';
    this.trainable = options.trainable ?? true;
    this.warn = options.warn ?? ((m) => console.warn(m));
    const rng = createRng(options.seed ?? 0);
    const { length, depth, pooledDim } = this.config;
    const hidden = Math.max(1, Math.round(dim * this.config.mlpRatio));
    const add = (name: string, make: () => tf.Tensor) => {
      const init = make();
      this.params.set(name, tf.variable(init, this.trainable, `${this.name}.${name}.${encoderSerial++}`));
      init.dispose();
    };
    const normal = (shape: number[]) => () => rng.normal(shape, 0, 0.02);
    const zeros = (shape: number[]) => () => tf.zeros(shape);
    const ones = (shape: number[]) => () => tf.ones(shape);
    add('token_embedding', normal([vocabulary.size, dim]));
    add('position_embedding', normal([length, dim]));
    for (let i = 0; i < depth; i++) {
      const p = `layers.${i}.`;
      add(`${p}norm1.weight`, ones([dim]));
      add(`${p}norm1.bias`, zeros([dim]));
      add(`${p}qkv.weight`, normal([dim, 3 * dim]));
      add(`${p}qkv.bias`, zeros([3 * dim]));
      add(`${p}out.weight`, normal([dim, dim]));
      add(`${p}out.bias`, zeros([dim]));
      add(`${p}norm2.weight`, ones([dim]));
      add(`${p}norm2.bias`, zeros([dim]));
      add(`${p}fc1.weight`, normal([dim, hidden]));
      add(`${p}fc1.bias`, zeros([hidden]));
      add(`${p}fc2.weight`, normal([hidden, dim]));
      add(`${p}fc2.bias`, zeros([dim]));
    }
    add('final_norm.weight', ones([dim]));
    add('final_norm.bias', zeros([dim]));
    add('pooled.weight', normal([dim, pooledDim]));
    add('pooled.bias', zeros([pooledDim]));
  }

  /** Build the vocabulary from the captions and the encoder on it. */
  static fromCaptions(
    captions: Iterable<string>,
    options: SmallTextEncoderOptions & { minCount?: number; maxWords?: number } = {},
  ): SmallTextEncoder {
    const { minCount, maxWords, ...rest } = options;
    return new SmallTextEncoder(WordVocabulary.fromCaptions(captions, { minCount, maxWords }), rest);
  }

  get contextDim(): number {
    return this.config.dim;
  }

  get pooledDim(): number {
    return this.config.pooledDim;
  }

  /** Tokens per caption. */
  get length(): number {
    return this.config.length;
  }

  /** The variables to hand to an optimizer (empty when frozen). */
  trainableVariables(): tf.Variable[] {
    return this.trainable ? [...this.params.values()] : [];
  }

  /**
   * The weights by name (`[in, out]` layout for linear layers), for saving with
   * `writeSafetensors`. The variables themselves: do not dispose them.
   */
  weights(): Map<string, tf.Variable> {
    return new Map(this.params);
  }

  /** The trainable variables by name (empty when frozen). */
  trainableWeights(): Map<string, tf.Variable> {
    return this.trainable ? new Map(this.params) : new Map();
  }

  /** Copies of the weights by name (new tensors; the caller disposes them). */
  stateDict(): Map<string, tf.Tensor> {
    return new Map([...this.params].map(([name, v]) => [name, v.clone()]));
  }

  /** Assign saved weights; see {@link loadWeights}. */
  loadStateDict(weights: ReadonlyMap<string, tf.Tensor>): void {
    this.loadWeights(weights);
  }

  /** The configuration and the vocabulary: with the weights, `new SmallTextEncoder(WordVocabulary.fromJSON(vocabulary), config)`. */
  spec(): { config: SmallTextEncoderConfig; vocabulary: ReturnType<WordVocabulary['toJSON']> } {
    return { config: this.config, vocabulary: this.vocabulary.toJSON() };
  }

  /**
   * Assign saved weights (all names of {@link weights}, same shapes).
   * @throws {ValidationError} naming the key, expected and found shape
   */
  loadWeights(weights: ReadonlyMap<string, tf.Tensor> | Readonly<Record<string, tf.Tensor>>): void {
    const get = (k: string) => (weights instanceof Map ? weights.get(k) : (weights as Record<string, tf.Tensor>)[k]);
    for (const [name, v] of this.params) {
      const t: tf.Tensor | undefined = get(name);
      if (!t) throw new ValidationError(`weight "${name}"`, 'no such key', `a tensor of shape [${v.shape.join(', ')}]`);
      if (t.shape.length !== v.shape.length || t.shape.some((d: number, i: number) => d !== v.shape[i])) {
        throw new ValidationError(`weight "${name}"`, [...t.shape], `shape [${v.shape.join(', ')}]`);
      }
    }
    for (const [name, v] of this.params) v.assign(get(name) as tf.Tensor);
  }

  /**
   * `context [B, length, dim]` (final-layer-normed), `pooled [B, pooledDim]` and the
   * padding `mask [B, length]`. Differentiable with respect to {@link trainableVariables}.
   */
  encode(prompts: readonly string[]): TextEncoding {
    if (this.disposed) throw new ValidationError(this.name, 'disposed', 'an encoder that has not been disposed');
    if (!Array.isArray(prompts) || prompts.length === 0) throw new ValidationError('prompts', prompts, 'a non-empty array of strings');
    const { length: L, dim: D, depth, heads } = this.config;
    const B = prompts.length;
    const ids = new Int32Array(B * L);
    const maskData = new Float32Array(B * L);
    prompts.forEach((p, b) => {
      const e = this.vocabulary.encode(p, L);
      if (e.truncated > 0 && !this.warned) {
        this.warned = true;
        this.warn(
          `${this.name}: a caption has ${e.truncated + L - 1} words; only the first ${L - 1} are used. This warning is shown once.`,
        );
      }
      ids.set(e.ids, b * L);
      maskData.set(e.mask, b * L);
    });
    const keyBias = maskData.map((m) => (m ? 0 : NEGATIVE_LARGE));
    const w = (name: string) => this.params.get(name) as tf.Variable;
    return tf.tidy(() => {
      const mask = tf.tensor2d(maskData, [B, L]);
      const onehot = tf.cast(tf.oneHot(tf.tensor1d(ids, 'int32'), this.vocabulary.size), 'float32') as tf.Tensor2D;
      let x = tf.reshape(tf.add(tf.reshape(tf.matMul(onehot, w('token_embedding') as tf.Tensor2D), [B, L, D]), w('position_embedding')), [
        B * L,
        D,
      ]) as tf.Tensor2D;
      const bias = tf.tensor4d(keyBias, [B, 1, 1, L]);
      const linear = (h: tf.Tensor2D, name: string) =>
        tf.add(tf.matMul(h, w(`${name}.weight`) as tf.Tensor2D), w(`${name}.bias`)) as tf.Tensor2D;
      const norm = (h: tf.Tensor, name: string) => layerNorm(h, EPS, w(`${name}.weight`), w(`${name}.bias`)) as tf.Tensor2D;
      for (let i = 0; i < depth; i++) {
        const p = `layers.${i}.`;
        const [q, k, v] = tf.split(linear(norm(x, `${p}norm1`), `${p}qkv`), 3, 1) as tf.Tensor2D[];
        x = tf.add(x, linear(multiHeadAttention(q, k, v, B, L, heads, { scale: 1 / Math.sqrt(D / heads), bias }), `${p}out`));
        const h = geluTanh(linear(norm(x, `${p}norm2`), `${p}fc1`)) as tf.Tensor2D;
        x = tf.add(x, linear(h, `${p}fc2`));
      }
      const context = tf.reshape(norm(x, 'final_norm'), [B, L, D]) as tf.Tensor3D;
      const summed = tf.sum(tf.mul(context, tf.expandDims(mask, 2)), 1);
      const mean = tf.div(summed, tf.sum(mask, 1, true)) as tf.Tensor2D;
      const pooled = linear(mean, 'pooled');
      return { context, pooled, mask } as unknown as tf.TensorContainer;
    }) as unknown as TextEncoding;
  }

  /** Free the variables. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.params.values()) v.dispose();
  }
}
