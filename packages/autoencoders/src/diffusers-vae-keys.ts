/**
 * Converters between the official SD3 VAE key names (`encoder.down.0.block.0.conv1.weight`,
 * the layout of the single-file checkpoint's `first_stage_model.`) and diffusers'
 * `AutoencoderKL` names (`encoder.down_blocks.0.resnets.0.conv1.weight`, a `vae/` folder).
 * diffusers numbers the decoder's up blocks in the order they run (the reverse of the official
 * levels), calls the shortcut `conv_shortcut` and the output norm `conv_norm_out`, and stores
 * the mid-block attention's q, k, v and output as linear `[C, C]` weights instead of 1x1
 * convolutions `[C, C, 1, 1]`.
 */
import { RectiflowError, tf } from '@rectiflow/core';

const ATTN: Record<string, string> = { norm: 'group_norm', q: 'to_q', k: 'to_k', v: 'to_v', proj_out: 'to_out.0' };
const ATTN_BACK: Record<string, string> = Object.fromEntries(Object.entries(ATTN).map(([a, b]) => [b, a]));
const shortcut = (name: string) => (name === 'nin_shortcut' ? 'conv_shortcut' : name);
const shortcutBack = (name: string) => (name === 'conv_shortcut' ? 'nin_shortcut' : name);

/** Whether a key set is in diffusers' AutoencoderKL layout. */
export function isDiffusersVaeLayout(keys: Iterable<string>): boolean {
  for (const k of keys) if (/^(encoder\.down_blocks|decoder\.up_blocks|(encoder|decoder)\.mid_block)\./.test(k)) return true;
  return false;
}

function decoderLevels(keys: Iterable<string>, pattern: RegExp): number {
  let n = 0;
  for (const k of keys) {
    const m = pattern.exec(k);
    if (m) n = Math.max(n, Number(m[1]) + 1);
  }
  return n;
}

type Rule = readonly [RegExp, (m: RegExpExecArray, levels: number) => string];

const RES_OFFICIAL = '(norm1|conv1|norm2|conv2|nin_shortcut)';
const RES_DIFFUSERS = '(norm1|conv1|norm2|conv2|conv_shortcut)';
const flip = (levels: number, i: string) => levels - 1 - Number(i);

const TO_DIFFUSERS: readonly Rule[] = [
  [
    new RegExp(`^encoder\\.down\\.(\\d+)\\.block\\.(\\d+)\\.${RES_OFFICIAL}\\.(weight|bias)$`),
    (m) => `encoder.down_blocks.${m[1]}.resnets.${m[2]}.${shortcut(m[3])}.${m[4]}`,
  ],
  [/^encoder\.down\.(\d+)\.downsample\.conv\.(weight|bias)$/, (m) => `encoder.down_blocks.${m[1]}.downsamplers.0.conv.${m[2]}`],
  [
    new RegExp(`^decoder\\.up\\.(\\d+)\\.block\\.(\\d+)\\.${RES_OFFICIAL}\\.(weight|bias)$`),
    (m, n) => `decoder.up_blocks.${flip(n, m[1])}.resnets.${m[2]}.${shortcut(m[3])}.${m[4]}`,
  ],
  [/^decoder\.up\.(\d+)\.upsample\.conv\.(weight|bias)$/, (m, n) => `decoder.up_blocks.${flip(n, m[1])}.upsamplers.0.conv.${m[2]}`],
  [
    new RegExp(`^(encoder|decoder)\\.mid\\.block_([12])\\.${RES_OFFICIAL}\\.(weight|bias)$`),
    (m) => `${m[1]}.mid_block.resnets.${Number(m[2]) - 1}.${shortcut(m[3])}.${m[4]}`,
  ],
  [/^(encoder|decoder)\.mid\.attn_1\.(norm|q|k|v|proj_out)\.(weight|bias)$/, (m) => `${m[1]}.mid_block.attentions.0.${ATTN[m[2]]}.${m[3]}`],
  [/^(encoder|decoder)\.norm_out\.(weight|bias)$/, (m) => `${m[1]}.conv_norm_out.${m[2]}`],
  [/^(encoder|decoder)\.(conv_in|conv_out)\.(weight|bias)$/, (m) => m[0]],
];

const TO_OFFICIAL: readonly Rule[] = [
  [
    new RegExp(`^encoder\\.down_blocks\\.(\\d+)\\.resnets\\.(\\d+)\\.${RES_DIFFUSERS}\\.(weight|bias)$`),
    (m) => `encoder.down.${m[1]}.block.${m[2]}.${shortcutBack(m[3])}.${m[4]}`,
  ],
  [/^encoder\.down_blocks\.(\d+)\.downsamplers\.0\.conv\.(weight|bias)$/, (m) => `encoder.down.${m[1]}.downsample.conv.${m[2]}`],
  [
    new RegExp(`^decoder\\.up_blocks\\.(\\d+)\\.resnets\\.(\\d+)\\.${RES_DIFFUSERS}\\.(weight|bias)$`),
    (m, n) => `decoder.up.${flip(n, m[1])}.block.${m[2]}.${shortcutBack(m[3])}.${m[4]}`,
  ],
  [/^decoder\.up_blocks\.(\d+)\.upsamplers\.0\.conv\.(weight|bias)$/, (m, n) => `decoder.up.${flip(n, m[1])}.upsample.conv.${m[2]}`],
  [
    new RegExp(`^(encoder|decoder)\\.mid_block\\.resnets\\.([01])\\.${RES_DIFFUSERS}\\.(weight|bias)$`),
    (m) => `${m[1]}.mid.block_${Number(m[2]) + 1}.${shortcutBack(m[3])}.${m[4]}`,
  ],
  [
    /^(encoder|decoder)\.mid_block\.attentions\.0\.(group_norm|to_q|to_k|to_v|to_out\.0)\.(weight|bias)$/,
    (m) => `${m[1]}.mid.attn_1.${ATTN_BACK[m[2]]}.${m[3]}`,
  ],
  [/^(encoder|decoder)\.conv_norm_out\.(weight|bias)$/, (m) => `${m[1]}.norm_out.${m[2]}`],
  [/^(encoder|decoder)\.(conv_in|conv_out)\.(weight|bias)$/, (m) => m[0]],
];

function convertKey(rules: readonly Rule[], key: string, levels: number, why: string): string {
  for (const [pattern, to] of rules) {
    const m = pattern.exec(key);
    if (m) return to(m, levels);
  }
  throw new RectiflowError(`VAE key ${JSON.stringify(key)} ${why}`);
}

const officialToDiffusersKey = (key: string, levels: number) =>
  convertKey(TO_DIFFUSERS, key, levels, 'has no diffusers AutoencoderKL equivalent');
const diffusersToOfficialKey = (key: string, levels: number) =>
  convertKey(TO_OFFICIAL, key, levels, "has no SD3 VAE equivalent (SD3's VAE has no quant_conv layers)");

const isAttentionMatrix = (official: string) => /\.mid\.attn_1\.(q|k|v|proj_out)\.weight$/.test(official);

/**
 * Official SD3 VAE tensors (keys without `first_stage_model.`) in diffusers' AutoencoderKL
 * layout. Returns new tensors; the input is neither changed nor disposed.
 */
export function officialVaeToDiffusers(state: ReadonlyMap<string, tf.Tensor>): Map<string, tf.Tensor> {
  const levels = decoderLevels(state.keys(), /^decoder\.up\.(\d+)\./);
  const out = new Map<string, tf.Tensor>();
  for (const [key, t] of state) {
    const name = officialToDiffusersKey(key, levels);
    out.set(name, isAttentionMatrix(key) ? tf.reshape(t, [t.shape[0], t.size / t.shape[0]]) : t.clone());
  }
  return out;
}

/**
 * diffusers AutoencoderKL tensors (keys without `vae.`) in the official SD3 VAE layout.
 * Returns new tensors; the input is neither changed nor disposed.
 */
export function diffusersVaeToOfficial(state: ReadonlyMap<string, tf.Tensor>): Map<string, tf.Tensor> {
  const levels = decoderLevels(state.keys(), /^decoder\.up_blocks\.(\d+)\./);
  const out = new Map<string, tf.Tensor>();
  for (const [key, t] of state) {
    const name = diffusersToOfficialKey(key, levels);
    out.set(name, isAttentionMatrix(name) && t.rank === 2 ? tf.reshape(t, [t.shape[0], t.size / t.shape[0], 1, 1]) : t.clone());
  }
  return out;
}
