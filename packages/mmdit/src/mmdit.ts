import { createRng, invalid, tf } from '@rectiflow/core';
import { type MMDiTConfig, type MMDiTOptions, resolveMMDiTConfig } from './config';
import { ContextEmbedder } from './context-embedder';
import { FinalLayer } from './final-layer';
import type { TraceFn } from './joint-attention';
import { JointBlock } from './joint-block';
import { initSource, type ParamEntry, type ParamSource, ParamStore, toOfficialLayout } from './parameters';
import { PatchEmbed } from './patch-embed';
import { PosEmbed } from './pos-embed';
import { TimestepEmbedder } from './timestep-embedder';
import { unpatchify } from './unpatchify';
import { VectorEmbedder } from './vector-embedder';

/** Options of the {@link MMDiT} constructor. */
export interface MMDiTCreateOptions {
  /** Seed of the initialisation of a new model. Default 0. */
  seed?: number | string;
  /** Where the tensors come from (a checkpoint); default: a new adaLN-zero initialisation. */
  source?: ParamSource;
}

/** Per-call options of {@link MMDiT.forward}. */
export interface MMDiTForwardOptions {
  /** Blocks evaluated as the identity (skip-layer guidance). */
  skipLayers?: readonly number[];
  /**
   * Receives named intermediates (`x_embedder_out`, `pos_embed_cropped`, `x_tokens_in`,
   * `t_freq`, `t_emb`, `y_emb`, `c`, `context_tokens_in`, `block{i}.*`, `final_layer_out`)
   * during the call; they are disposed afterwards unless kept.
   */
  trace?: TraceFn;
}

/**
 * The MM-DiT of Stable Diffusion 3 / 3.5 (the official `MMDiTX`), with parameters under
 * the official key names. New models get an adaLN-zero initialisation: every block's
 * modulation and the final layer start at zero, so the model starts as the zero velocity
 * and each block as the identity.
 *
 * `forward` takes NCHW latents, timesteps as fed to the official model (sigma x 1000),
 * the pooled vector and the context tokens, and returns the velocity in NCHW.
 */
export class MMDiT {
  readonly config: MMDiTConfig;
  readonly xEmbedder: PatchEmbed;
  readonly posEmbed: PosEmbed;
  readonly tEmbedder: TimestepEmbedder;
  readonly yEmbedder: VectorEmbedder | null;
  readonly contextEmbedder: ContextEmbedder | null;
  /** Register tokens `[1, R, D]`, or null. */
  readonly register: tf.Variable | null;
  readonly blocks: JointBlock[];
  readonly finalLayer: FinalLayer;
  private readonly store: ParamStore;
  private disposed = false;

  constructor(config: MMDiTOptions | MMDiTConfig, options: MMDiTCreateOptions = {}) {
    const cfg = resolveMMDiTConfig(config);
    this.config = cfg;
    const store = new ParamStore(options.source ?? initSource(createRng(options.seed ?? 0)));
    this.store = store;
    try {
      const d = cfg.hidden;
      this.posEmbed = new PosEmbed(store, cfg.posEmbedMaxSize, d);
      this.xEmbedder = new PatchEmbed(store, 'x_embedder', cfg.inChannels, d, cfg.patchSize);
      this.tEmbedder = new TimestepEmbedder(store, 't_embedder', d, cfg.frequencyDim);
      this.yEmbedder = cfg.pooledDim === null ? null : new VectorEmbedder(store, 'y_embedder', cfg.pooledDim, d);
      this.contextEmbedder = cfg.contextDim === null ? null : new ContextEmbedder(store, 'context_embedder', cfg.contextDim, d);
      this.register =
        cfg.registerTokens > 0 ? store.create('register', [1, cfg.registerTokens, d], 'plain', { kind: 'normal', std: 1 }) : null;
      this.blocks = [];
      for (let i = 0; i < cfg.depth; i++) {
        this.blocks.push(
          new JointBlock(store, `joint_blocks.${i}`, d, cfg.heads, {
            mlpHidden: cfg.mlpHidden,
            qkNorm: cfg.qkNorm,
            qkvBias: cfg.qkvBias,
            contextPreOnly: i === cfg.depth - 1,
            dualAttention: cfg.dualAttentionLayers.includes(i),
          }),
        );
      }
      this.finalLayer = new FinalLayer(store, 'final_layer', d, cfg.patchSize * cfg.patchSize * cfg.outChannels);
    } catch (e) {
      for (const entry of store.entries) entry.variable.dispose();
      throw e;
    }
  }

  /** Every tensor of the model with its official key, shape and stored layout. */
  parameters(): readonly ParamEntry[] {
    return this.store.entries;
  }

  /** The trainable variables (everything except the position table and dead weights). */
  trainableVariables(): tf.Variable[] {
    return this.store.entries.filter((e) => e.variable.trainable).map((e) => e.variable);
  }

  /** Number of scalar parameters, buffers included. */
  parameterCount(): number {
    return this.store.entries.reduce((n, e) => n + e.variable.size, 0);
  }

  /** The weights under the official key names and layouts (new tensors; the caller disposes them). */
  stateDict(): Map<string, tf.Tensor> {
    this.checkAlive();
    return new Map(this.store.entries.map((e) => [e.key, toOfficialLayout(e.variable, e.layout, e.officialShape)]));
  }

  /**
   * The velocity for NCHW latents.
   * @param x latents `[B, C, H, W]`; H and W divisible by the patch size, at most M patches.
   * @param t timesteps `[B]` as fed to the official model (sigma x 1000).
   * @param y pooled vector `[B, pooledDim]` (ignored by a model without a y embedder).
   * @param context tokens `[B, L, contextDim]`.
   * @returns `[B, outChannels, H, W]`.
   */
  forward(
    x: tf.Tensor,
    t: tf.Tensor,
    y: tf.Tensor | undefined,
    context: tf.Tensor | undefined,
    options: MMDiTForwardOptions = {},
  ): tf.Tensor4D {
    this.checkAlive();
    const cfg = this.config;
    const p = cfg.patchSize;
    if (x.rank !== 4 || x.shape[1] !== cfg.inChannels) invalid('x.shape', [...x.shape], `[B, ${cfg.inChannels}, H, W] (NCHW latents)`);
    const [b, , hgt, wid] = x.shape;
    if (hgt % p !== 0 || wid % p !== 0) invalid('x.shape', [...x.shape], `height and width divisible by the patch size ${p}`);
    const h = hgt / p;
    const w = wid / p;
    const m = cfg.posEmbedMaxSize;
    if (h > m || w > m) {
      invalid('x.shape', [...x.shape], `at most ${m * p} x ${m * p} (the ${m} x ${m} position grid times patch ${p})`);
    }
    if (t.rank !== 1 || t.shape[0] !== b) invalid('t.shape', [...t.shape], `[${b}] (one timestep per sample)`);
    if (this.yEmbedder) {
      if (!y) invalid('y', y, `a pooled vector [${b}, ${cfg.pooledDim}]`);
      if (y.rank !== 2 || y.shape[0] !== b || y.shape[1] !== cfg.pooledDim) invalid('y.shape', [...y.shape], `[${b}, ${cfg.pooledDim}]`);
    }
    const ctxWidth = cfg.contextDim ?? cfg.hidden;
    if (!context) invalid('context', context, `context tokens [${b}, L, ${ctxWidth}]`);
    if (context.rank !== 3 || context.shape[0] !== b || context.shape[2] !== ctxWidth) {
      invalid('context.shape', [...context.shape], `[${b}, L, ${ctxWidth}] (the context width of this model is ${ctxWidth})`);
    }
    const skip = new Set<number>();
    for (const i of options.skipLayers ?? []) {
      if (!Number.isInteger(i) || i < 0 || i >= cfg.depth)
        invalid('skipLayers', options.skipLayers, `block indices in [0, ${cfg.depth - 1}]`);
      skip.add(i);
    }
    const trace = options.trace;
    return tf.tidy(() => {
      const patches = this.xEmbedder.apply(x as tf.Tensor4D);
      const pos = this.posEmbed.crop(h, w);
      let tokens = tf.add(patches, pos) as tf.Tensor3D;
      const tFreq = this.tEmbedder.features(t as tf.Tensor1D);
      const tEmb = this.tEmbedder.embed(tFreq);
      let c: tf.Tensor2D = tEmb;
      let yEmb: tf.Tensor2D | undefined;
      if (this.yEmbedder && y) {
        yEmb = this.yEmbedder.apply(y as tf.Tensor2D);
        c = tf.add(tEmb, yEmb);
      }
      let ctx = this.contextEmbedder ? this.contextEmbedder.apply(context as tf.Tensor3D) : (context as tf.Tensor3D);
      if (trace) {
        trace('x_embedder_out', patches);
        trace('pos_embed_cropped', pos);
        trace('x_tokens_in', tokens);
        trace('t_freq', tFreq);
        trace('t_emb', tEmb);
        if (yEmb) trace('y_emb', yEmb);
        trace('c', c);
        trace('context_tokens_in', ctx);
      }
      if (this.register) {
        ctx = tf.concat([tf.tile(this.register, [b, 1, 1]), ctx], 1) as tf.Tensor3D;
      }
      let ctxOrNull: tf.Tensor3D | null = ctx;
      this.blocks.forEach((block, i) => {
        if (skip.has(i)) return;
        if (!ctxOrNull) throw new Error(`block ${i}: no context stream (a pre-only block ran before the last block)`);
        const out = block.apply(ctxOrNull, tokens, c, trace ? (name, value) => trace(`block${i}.${name}`, value) : undefined);
        ctxOrNull = out.context;
        tokens = out.x;
      });
      const final = this.finalLayer.apply(tokens, c);
      trace?.('final_layer_out', final);
      return unpatchify(final, p, cfg.outChannels, h, w);
    });
  }

  /** Free every variable. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const e of this.store.entries) e.variable.dispose();
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('this MMDiT has been disposed');
  }
}
