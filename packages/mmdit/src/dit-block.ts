import { tf } from '@rectiflow/core';
import { attendHeads, mergeHeads } from '@rectiflow/nn';
import { AdaLNModulation, layerNormModulate } from './adaln-modulation';
import { AttentionProjections } from './attention-projections';
import { gatedResidual } from './gated-residual';
import { Mlp } from './mlp';
import type { ParamStore } from './parameters';

/** Options of {@link DiTBlock}. */
export interface DiTBlockOptions {
  mlpHidden: number;
  qkNorm: boolean;
  qkvBias: boolean;
  /** The last context block: 2 modulation chunks, no output projection, no MLP. */
  preOnly?: boolean;
  /** SD3.5 MMDiT-X: a second self-attention `attn2` over this stream, 9 modulation chunks. */
  dualAttention?: boolean;
}

/** The per-token modulation values of one block half, `[B, D]` each. */
export interface BlockModulation {
  shiftMsa: tf.Tensor2D;
  scaleMsa: tf.Tensor2D;
  gateMsa?: tf.Tensor2D;
  shiftMlp?: tf.Tensor2D;
  scaleMlp?: tf.Tensor2D;
  gateMlp?: tf.Tensor2D;
  shiftMsa2?: tf.Tensor2D;
  scaleMsa2?: tf.Tensor2D;
  gateMsa2?: tf.Tensor2D;
}

/**
 * One stream's half of a joint block (official `DismantledBlock`, keys
 * `<key>.adaLN_modulation.1`, `<key>.attn.*`, `<key>.attn2.*`, `<key>.mlp.*`): adaLN
 * modulation, the attention weights, and the gated residual updates
 * `x += gate_msa * proj(attn)`, `x += gate_mlp * mlp(modulate(LN(x)))`.
 */
export class DiTBlock {
  readonly modulation: AdaLNModulation;
  readonly attn: AttentionProjections;
  readonly attn2: AttentionProjections | null;
  readonly mlp: Mlp | null;
  readonly preOnly: boolean;

  constructor(
    store: ParamStore,
    key: string,
    readonly hidden: number,
    readonly heads: number,
    options: DiTBlockOptions,
  ) {
    this.preOnly = options.preOnly ?? false;
    const dual = options.dualAttention ?? false;
    if (dual && this.preOnly) throw new Error(`${key}: a pre-only block cannot have dual attention`);
    const chunks = dual ? 9 : this.preOnly ? 2 : 6;
    this.modulation = new AdaLNModulation(store, `${key}.adaLN_modulation`, hidden, chunks);
    const attnOptions = { qkNorm: options.qkNorm, qkvBias: options.qkvBias };
    this.attn = new AttentionProjections(store, `${key}.attn`, hidden, heads, {
      ...attnOptions,
      preOnly: this.preOnly,
      queryUnused: this.preOnly,
    });
    this.attn2 = dual ? new AttentionProjections(store, `${key}.attn2`, hidden, heads, attnOptions) : null;
    this.mlp = this.preOnly ? null : new Mlp(store, `${key}.mlp`, hidden, options.mlpHidden);
  }

  /** The raw modulation `[B, n*D]` and its named chunks. */
  modulate(c: tf.Tensor2D): { raw: tf.Tensor2D; mod: BlockModulation } {
    const raw = this.modulation.raw(c);
    const parts = this.modulation.split(raw);
    const names: Array<keyof BlockModulation> = [
      'shiftMsa',
      'scaleMsa',
      'gateMsa',
      'shiftMlp',
      'scaleMlp',
      'gateMlp',
      'shiftMsa2',
      'scaleMsa2',
      'gateMsa2',
    ];
    const mod = {} as BlockModulation;
    parts.forEach((p, i) => {
      mod[names[i]] = p;
    });
    return { raw, mod };
  }

  /** The attention input: `modulate(LN(x), shift_msa, scale_msa)`. */
  attentionInput(x: tf.Tensor3D, mod: BlockModulation): tf.Tensor3D {
    return tf.tidy(() => layerNormModulate(x, mod.shiftMsa, mod.scaleMsa) as tf.Tensor3D);
  }

  /**
   * The residual updates after attention: the gated projected attention output, the
   * second attention when dual, then the gated MLP. `attnOut` is already projected.
   */
  postAttention(x: tf.Tensor3D, attnOut: tf.Tensor3D, mod: BlockModulation): tf.Tensor3D {
    if (!this.mlp) throw new Error('postAttention(): a pre-only block has no output');
    const mlp = this.mlp;
    return tf.tidy(() => {
      let h = gatedResidual(x, mod.gateMsa!, attnOut);
      if (this.attn2) {
        const attn2 = this.attn2;
        const { q, k, v } = attn2.project(layerNormModulate(x, mod.shiftMsa2!, mod.scaleMsa2!) as tf.Tensor3D);
        const [nh, b, l, d] = q.shape;
        const flat = (t: tf.Tensor4D) => tf.reshape(t, [nh * b, l, d]) as tf.Tensor3D;
        const out2 = attn2.output(mergeHeads(tf.reshape(attendHeads(flat(q), flat(k), flat(v)), [nh, b, l, d])));
        h = gatedResidual(h, mod.gateMsa2!, out2 as tf.Tensor3D);
      }
      const m = mlp.apply(layerNormModulate(h, mod.shiftMlp!, mod.scaleMlp!));
      return gatedResidual(h, mod.gateMlp!, m as tf.Tensor3D);
    });
  }
}
