/**
 * Converters between the official SD3 / SD3.5 MM-DiT key names and diffusers'
 * `SD3Transformer2DModel` names. diffusers splits each qkv projection into to_q/to_k/to_v
 * (image) and add_q_proj/add_k_proj/add_v_proj (context), and stores the final layer's and
 * the pre-only last context block's modulation as (scale, shift) instead of (shift, scale).
 */
import { RectiflowError, tf } from '@rectiflow/core';
import { type Entries, mapKeys } from '@rectiflow/safetensors';

/** Pairs of (official, diffusers) key prefixes; `#` stands for the block index. */
const RENAMES: ReadonlyArray<readonly [string, string]> = [
  ['pos_embed', 'pos_embed.pos_embed'],
  ['x_embedder.proj.', 'pos_embed.proj.'],
  ['t_embedder.mlp.0.', 'time_text_embed.timestep_embedder.linear_1.'],
  ['t_embedder.mlp.2.', 'time_text_embed.timestep_embedder.linear_2.'],
  ['y_embedder.mlp.0.', 'time_text_embed.text_embedder.linear_1.'],
  ['y_embedder.mlp.2.', 'time_text_embed.text_embedder.linear_2.'],
  ['context_embedder.', 'context_embedder.'],
  ['final_layer.linear.', 'proj_out.'],
  ['final_layer.adaLN_modulation.1.', 'norm_out.linear.'],
  ['joint_blocks.#.x_block.attn.ln_q.', 'transformer_blocks.#.attn.norm_q.'],
  ['joint_blocks.#.x_block.attn.ln_k.', 'transformer_blocks.#.attn.norm_k.'],
  ['joint_blocks.#.context_block.attn.ln_q.', 'transformer_blocks.#.attn.norm_added_q.'],
  ['joint_blocks.#.context_block.attn.ln_k.', 'transformer_blocks.#.attn.norm_added_k.'],
  ['joint_blocks.#.x_block.attn.proj.', 'transformer_blocks.#.attn.to_out.0.'],
  ['joint_blocks.#.context_block.attn.proj.', 'transformer_blocks.#.attn.to_add_out.'],
  ['joint_blocks.#.x_block.attn2.ln_q.', 'transformer_blocks.#.attn2.norm_q.'],
  ['joint_blocks.#.x_block.attn2.ln_k.', 'transformer_blocks.#.attn2.norm_k.'],
  ['joint_blocks.#.x_block.attn2.proj.', 'transformer_blocks.#.attn2.to_out.0.'],
  ['joint_blocks.#.x_block.adaLN_modulation.1.', 'transformer_blocks.#.norm1.linear.'],
  ['joint_blocks.#.context_block.adaLN_modulation.1.', 'transformer_blocks.#.norm1_context.linear.'],
  ['joint_blocks.#.x_block.mlp.fc1.', 'transformer_blocks.#.ff.net.0.proj.'],
  ['joint_blocks.#.x_block.mlp.fc2.', 'transformer_blocks.#.ff.net.2.'],
  ['joint_blocks.#.context_block.mlp.fc1.', 'transformer_blocks.#.ff_context.net.0.proj.'],
  ['joint_blocks.#.context_block.mlp.fc2.', 'transformer_blocks.#.ff_context.net.2.'],
];

/** (official qkv prefix, diffusers q, k, v prefixes). */
const QKV: ReadonlyArray<readonly [string, readonly [string, string, string]]> = [
  [
    'joint_blocks.#.x_block.attn.qkv.',
    ['transformer_blocks.#.attn.to_q.', 'transformer_blocks.#.attn.to_k.', 'transformer_blocks.#.attn.to_v.'],
  ],
  [
    'joint_blocks.#.context_block.attn.qkv.',
    ['transformer_blocks.#.attn.add_q_proj.', 'transformer_blocks.#.attn.add_k_proj.', 'transformer_blocks.#.attn.add_v_proj.'],
  ],
  [
    'joint_blocks.#.x_block.attn2.qkv.',
    ['transformer_blocks.#.attn2.to_q.', 'transformer_blocks.#.attn2.to_k.', 'transformer_blocks.#.attn2.to_v.'],
  ],
];

const SUFFIX = '(weight|bias)';

function pattern(template: string): RegExp {
  const escaped = template.replace(/\./g, '\\.').replace('#', '(\\d+)');
  return new RegExp(template.endsWith('.') ? `^${escaped}${SUFFIX}$` : `^${escaped}$`);
}

/** Match `key` against a template; returns [blockIndex, suffix] or null. */
function match(template: string, key: string): [string, string] | null {
  const m = pattern(template).exec(key);
  if (!m) return null;
  const hasIndex = template.includes('#');
  return [hasIndex ? m[1] : '', template.endsWith('.') ? m[hasIndex ? 2 : 1] : ''];
}

function fill(template: string, index: string, suffix: string): string {
  return template.replace('#', index) + suffix;
}

function toMap(input: Entries<tf.Tensor>): Map<string, tf.Tensor> {
  return input instanceof Map ? input : new Map(Object.entries(input));
}

/** Swap the two halves of a modulation weight/bias along the first axis. */
function swapHalves(t: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [a, b] = tf.split(t, 2, 0);
    return tf.concat([b, a], 0);
  });
}

/** Whether a (context) modulation tensor has 2 chunks: weight [2D, D] or bias [2D] next to its weight. */
function isTwoChunk(weightShape: readonly number[] | undefined): boolean {
  return weightShape !== undefined && weightShape[0] === 2 * weightShape[1];
}

class UnknownKeyError extends RectiflowError {
  override name = 'UnknownKeyError';
}

function rename(key: string, from: 0 | 1): string | null {
  for (const pair of RENAMES) {
    const m = match(pair[from], key);
    if (m) return fill(pair[1 - from], m[0], m[1]);
  }
  return null;
}

/**
 * Convert official MM-DiT tensors (keys without the `model.diffusion_model.` prefix) to
 * diffusers' names. Returns new tensors; the input is neither changed nor disposed.
 * @throws when a key has no diffusers equivalent (e.g. register tokens).
 */
export function officialToDiffusers(state: Entries<tf.Tensor>): Map<string, tf.Tensor> {
  const input = toMap(state);
  const out = new Map<string, tf.Tensor>();
  const simple = new Map<string, tf.Tensor>();
  for (const [key, value] of input) {
    const qkv = QKV.map(([official, parts]) => [match(official, key), parts] as const).find(([m]) => m);
    if (qkv) {
      const [[index, suffix], parts] = qkv as readonly [[string, string], readonly string[]];
      const pieces = tf.split(value, 3, 0);
      pieces.forEach((piece, i) => {
        out.set(fill(parts[i], index, suffix), piece);
      });
      continue;
    }
    if (rename(key, 0) === null) throw new UnknownKeyError(`official key ${JSON.stringify(key)} has no diffusers equivalent`);
    simple.set(key, value);
  }
  const renamed = mapKeys(simple, (key) => rename(key, 0));
  for (const [key, value] of renamed) {
    let converted: tf.Tensor;
    const finalMod = /^norm_out\.linear\.(weight|bias)$/.test(key);
    const ctxMod = /^transformer_blocks\.(\d+)\.norm1_context\.linear\.(weight|bias)$/.exec(key);
    const ctxWeightKey = ctxMod ? `joint_blocks.${ctxMod[1]}.context_block.adaLN_modulation.1.weight` : '';
    if (finalMod || (ctxMod && isTwoChunk(input.get(ctxWeightKey)?.shape))) converted = swapHalves(value);
    else converted = value.clone();
    out.set(key, converted);
  }
  return out;
}

/**
 * Convert diffusers `SD3Transformer2DModel` tensors to the official key names (the
 * inverse of {@link officialToDiffusers}). Returns new tensors; the input is neither
 * changed nor disposed.
 * @throws when a key has no official equivalent or a q/k/v triple is incomplete.
 */
export function diffusersToOfficial(state: Entries<tf.Tensor>): Map<string, tf.Tensor> {
  const input = toMap(state);
  const out = new Map<string, tf.Tensor>();
  const simple = new Map<string, tf.Tensor>();
  const groups = new Map<string, { parts: readonly string[]; index: string; suffix: string; official: string }>();
  for (const [key, value] of input) {
    let handled = false;
    for (const [official, parts] of QKV) {
      for (const part of parts) {
        const m = match(part, key);
        if (!m) continue;
        const target = fill(official, m[0], m[1]);
        groups.set(target, { parts, index: m[0], suffix: m[1], official });
        handled = true;
      }
    }
    if (handled) continue;
    if (rename(key, 1) === null) throw new UnknownKeyError(`diffusers key ${JSON.stringify(key)} has no official equivalent`);
    simple.set(key, value);
  }
  for (const [target, g] of groups) {
    const pieces = g.parts.map((p) => {
      const k = fill(p, g.index, g.suffix);
      const t = input.get(k);
      if (!t) throw new UnknownKeyError(`diffusers key ${JSON.stringify(k)} is missing (needed for ${JSON.stringify(target)})`);
      return t;
    });
    out.set(target, tf.concat(pieces, 0));
  }
  const renamed = mapKeys(simple, (key) => rename(key, 1));
  for (const [key, value] of renamed) {
    const finalMod = /^final_layer\.adaLN_modulation\.1\.(weight|bias)$/.test(key);
    const ctxMod = /^joint_blocks\.(\d+)\.context_block\.adaLN_modulation\.1\.(weight|bias)$/.exec(key);
    const ctxWeightKey = ctxMod ? `transformer_blocks.${ctxMod[1]}.norm1_context.linear.weight` : '';
    out.set(key, finalMod || (ctxMod && isTwoChunk(input.get(ctxWeightKey)?.shape)) ? swapHalves(value) : value.clone());
  }
  return out;
}
