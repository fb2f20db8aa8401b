/**
 * The LDM encoder: conv_in, per level `numResBlocks` ResNet blocks and a downsampling
 * (except the last level), mid block (ResNet, attention, ResNet), GroupNorm, SiLU and
 * conv_out to 2·z channels (mean and log-variance).
 */
import { tf } from '@rectiflow/core';
import { silu } from '@rectiflow/nn';
import { AttentionBlock } from './attention-block';
import { Conv2d } from './conv2d';
import { Downsample } from './downsample';
import { GroupNorm } from './group-norm';
import { ResnetBlock } from './resnet-block';
import type { SD3VAEConfig } from './sd3-vae-config';
import { stepped } from './stepped';
import { getWeight } from './weights';

/** The encoder over NHWC tensors. Owns its tensors. */
export class VAEEncoder {
  private readonly convIn: Conv2d;
  private readonly levels: { blocks: ResnetBlock[]; downsample: Downsample | null }[] = [];
  private readonly mid: [ResnetBlock, AttentionBlock, ResnetBlock];
  private readonly normOut: GroupNorm;
  private readonly convOut: Conv2d;

  /** Build from weights validated against {@link sd3VaeWeightShapes} (keys without prefix); tensors are copied. */
  constructor(config: SD3VAEConfig, weights: ReadonlyMap<string, tf.Tensor>) {
    const w = (key: string) => getWeight(weights, key);
    this.convIn = new Conv2d(w('encoder.conv_in.weight'), w('encoder.conv_in.bias'));
    const n = config.chMult.length;
    for (let i = 0; i < n; i++) {
      const blocks: ResnetBlock[] = [];
      for (let j = 0; j < config.numResBlocks; j++) blocks.push(new ResnetBlock(weights, `encoder.down.${i}.block.${j}.`));
      this.levels.push({ blocks, downsample: i === n - 1 ? null : new Downsample(weights, `encoder.down.${i}.downsample.`) });
    }
    this.mid = [
      new ResnetBlock(weights, 'encoder.mid.block_1.'),
      new AttentionBlock(weights, 'encoder.mid.attn_1.'),
      new ResnetBlock(weights, 'encoder.mid.block_2.'),
    ];
    this.normOut = new GroupNorm(w('encoder.norm_out.weight'), w('encoder.norm_out.bias'));
    this.convOut = new Conv2d(w('encoder.conv_out.weight'), w('encoder.conv_out.bias'));
  }

  /** NHWC images [B, H, W, C] to the encoder output [B, H/f, W/f, 2z]. */
  apply(images: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let h = this.convIn.apply(images);
      for (const level of this.levels) {
        for (const block of level.blocks) h = stepped(h, (x) => block.apply(x));
        if (level.downsample) h = stepped(h, (x) => level.downsample!.apply(x));
      }
      for (const m of this.mid) h = stepped(h, (x) => m.apply(x));
      return this.convOut.apply(silu(this.normOut.apply(h)));
    });
  }

  dispose(): void {
    this.convIn.dispose();
    for (const level of this.levels) {
      for (const b of level.blocks) b.dispose();
      level.downsample?.dispose();
    }
    for (const m of this.mid) m.dispose();
    this.normOut.dispose();
    this.convOut.dispose();
  }
}
