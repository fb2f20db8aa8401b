/**
 * The LDM decoder: conv_in from z channels, mid block (ResNet, attention, ResNet), per level
 * from the deepest `numResBlocks + 1` ResNet blocks and a nearest ×2 upsampling (except
 * level 0), GroupNorm, SiLU and conv_out to image channels.
 */
import { tf } from '@rectiflow/core';
import { silu } from '@rectiflow/nn';
import { AttentionBlock } from './attention-block';
import { Conv2d } from './conv2d';
import { GroupNorm } from './group-norm';
import { ResnetBlock } from './resnet-block';
import type { SD3VAEConfig } from './sd3-vae-config';
import { stepped } from './stepped';
import { Upsample } from './upsample';
import { getWeight } from './weights';

/** The decoder over NHWC tensors. Owns its tensors. */
export class VAEDecoder {
  private readonly convIn: Conv2d;
  private readonly mid: [ResnetBlock, AttentionBlock, ResnetBlock];
  /** From the deepest level to level 0, in the order they run. */
  private readonly levels: { blocks: ResnetBlock[]; upsample: Upsample | null }[] = [];
  private readonly normOut: GroupNorm;
  private readonly convOut: Conv2d;

  /** Build from weights validated against {@link sd3VaeWeightShapes} (keys without prefix); tensors are copied. */
  constructor(config: SD3VAEConfig, weights: ReadonlyMap<string, tf.Tensor>) {
    const w = (key: string) => getWeight(weights, key);
    this.convIn = new Conv2d(w('decoder.conv_in.weight'), w('decoder.conv_in.bias'));
    this.mid = [
      new ResnetBlock(weights, 'decoder.mid.block_1.'),
      new AttentionBlock(weights, 'decoder.mid.attn_1.'),
      new ResnetBlock(weights, 'decoder.mid.block_2.'),
    ];
    for (let i = config.chMult.length - 1; i >= 0; i--) {
      const blocks: ResnetBlock[] = [];
      for (let j = 0; j < config.numResBlocks + 1; j++) blocks.push(new ResnetBlock(weights, `decoder.up.${i}.block.${j}.`));
      this.levels.push({ blocks, upsample: i === 0 ? null : new Upsample(weights, `decoder.up.${i}.upsample.`) });
    }
    this.normOut = new GroupNorm(w('decoder.norm_out.weight'), w('decoder.norm_out.bias'));
    this.convOut = new Conv2d(w('decoder.conv_out.weight'), w('decoder.conv_out.bias'));
  }

  /** NHWC latents [B, h, w, z] (raw, not normalised) to images [B, h·f, w·f, C]. */
  apply(latents: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let h = this.convIn.apply(latents);
      for (const m of this.mid) h = stepped(h, (x) => m.apply(x));
      for (const level of this.levels) {
        for (const block of level.blocks) h = stepped(h, (x) => block.apply(x));
        if (level.upsample) h = stepped(h, (x) => level.upsample!.apply(x));
      }
      return this.convOut.apply(silu(this.normOut.apply(h)));
    });
  }

  dispose(): void {
    this.convIn.dispose();
    for (const m of this.mid) m.dispose();
    for (const level of this.levels) {
      for (const b of level.blocks) b.dispose();
      level.upsample?.dispose();
    }
    this.normOut.dispose();
    this.convOut.dispose();
  }
}
