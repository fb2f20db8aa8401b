import { tf } from '@rectiflow/core';
import { DiTBlock } from './dit-block';
import { JointAttention, type TraceFn } from './joint-attention';
import type { ParamStore } from './parameters';

/** Options of {@link JointBlock}. */
export interface JointBlockOptions {
  mlpHidden: number;
  qkNorm: boolean;
  qkvBias: boolean;
  /** The last block: its context half is pre-only. */
  contextPreOnly: boolean;
  /** MMDiT-X dual attention in the image half. */
  dualAttention: boolean;
}

/**
 * One MM-DiT joint block (keys `<key>.context_block.*`, `<key>.x_block.*`): two
 * {@link DiTBlock} halves with their own weights, coupled by one {@link JointAttention}.
 */
export class JointBlock {
  readonly contextBlock: DiTBlock;
  readonly xBlock: DiTBlock;
  readonly attention: JointAttention;

  constructor(
    store: ParamStore,
    key: string,
    readonly hidden: number,
    readonly heads: number,
    options: JointBlockOptions,
  ) {
    const common = { mlpHidden: options.mlpHidden, qkNorm: options.qkNorm, qkvBias: options.qkvBias };
    this.contextBlock = new DiTBlock(store, `${key}.context_block`, hidden, heads, { ...common, preOnly: options.contextPreOnly });
    this.xBlock = new DiTBlock(store, `${key}.x_block`, hidden, heads, { ...common, dualAttention: options.dualAttention });
    this.attention = new JointAttention(this.contextBlock.attn, this.xBlock.attn, heads);
  }

  /**
   * `context [B, Lc, D]`, `x [B, Lx, D]`, `c [B, D]` -> the updated streams (context is
   * null after a pre-only block). `trace` receives `context_block.adaLN_out`,
   * `x_block.adaLN_out`, `q`, `k`, `v`, `attn`, `context_out` and `x_out`.
   */
  apply(context: tf.Tensor3D, x: tf.Tensor3D, c: tf.Tensor2D, trace?: TraceFn): { context: tf.Tensor3D | null; x: tf.Tensor3D } {
    const [xOut, ctxOut] = tf.tidy((): tf.Tensor3D[] => {
      const cm = this.contextBlock.modulate(c);
      const xm = this.xBlock.modulate(c);
      trace?.('context_block.adaLN_out', cm.raw);
      trace?.('x_block.adaLN_out', xm.raw);
      const out = this.attention.apply(this.contextBlock.attentionInput(context, cm.mod), this.xBlock.attentionInput(x, xm.mod), trace);
      const ctx = out.context ? this.contextBlock.postAttention(context, out.context, cm.mod) : null;
      const xo = this.xBlock.postAttention(x, out.x, xm.mod);
      if (ctx) trace?.('context_out', ctx);
      trace?.('x_out', xo);
      return ctx ? [xo, ctx] : [xo];
    });
    return { context: ctxOut ?? null, x: xOut };
  }
}
