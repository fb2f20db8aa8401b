/**
 * Classifier-free guidance and SD3.5's skip-layer guidance, as a velocity field.
 *
 * CFG runs cond and uncond in one batch [cond; uncond] and combines
 * v = v_u + s (v_c - v_u). Skip-layer guidance (sd3.5 `SkipLayerCFGDenoiser`) adds, on the
 * steps i with start·N < i < end·N (strict, N the total step count), a third, cond-only call
 * with the listed layers skipped: v += slg (v_c - v_skip). The reference code combines
 * denoised values; with denoised = x - t v and weights that sum to 1 the velocity form is
 * the same.
 */
import { type Conditioning, checkNumber, invalid, type ModelCallOptions, tf, type VelocityFn } from '@rectiflow/core';

/** Skip-layer guidance (SD3.5). */
export interface SkipLayerGuidance {
  /** Indices of the blocks to skip (SD3.5 Medium: [7, 8, 9]). */
  layers: readonly number[];
  /** Guidance scale of the skip-layer term, >= 0 (SD3.5 Medium: 2.5). */
  scale: number;
  /** Active on steps i with start·N < i < end·N. Defaults 0.01 and 0.2. */
  start?: number;
  end?: number;
}

/** Guidance settings of {@link sample}. */
export interface Guidance {
  /** Classifier-free guidance scale; 1 runs the cond batch only. */
  scale: number;
  /** Optional skip-layer guidance. */
  skipLayers?: SkipLayerGuidance;
}

/** Validated guidance with defaults filled in. */
export interface ResolvedGuidance {
  scale: number;
  skipLayers?: Required<SkipLayerGuidance>;
}

/** Check guidance settings; a number is a CFG scale. */
export function resolveGuidance(guidance: number | Guidance | undefined): ResolvedGuidance {
  const g: Guidance = typeof guidance === 'number' ? { scale: guidance } : (guidance ?? { scale: 1 });
  const scale = checkNumber('guidance.scale', g.scale);
  const slg = g.skipLayers;
  if (slg === undefined) return { scale };
  if (!Array.isArray(slg.layers) || slg.layers.length === 0 || !slg.layers.every((l) => Number.isInteger(l) && l >= 0)) {
    invalid('guidance.skipLayers.layers', slg.layers, 'a non-empty list of block indices (integers >= 0)');
  }
  const start = checkNumber('guidance.skipLayers.start', slg.start ?? 0.01, { min: 0, max: 1 });
  const end = checkNumber('guidance.skipLayers.end', slg.end ?? 0.2, { min: 0, max: 1 });
  if (end <= start) invalid('guidance.skipLayers.end', end, `a fraction > start = ${start}`);
  return {
    scale,
    skipLayers: { layers: [...slg.layers], scale: checkNumber('guidance.skipLayers.scale', slg.scale, { min: 0 }), start, end },
  };
}

/** Whether skip-layer guidance runs at step `step` of `totalSteps`. */
export function skipLayersActive(slg: Required<SkipLayerGuidance>, step: number, totalSteps: number): boolean {
  return slg.scale > 0 && step > slg.start * totalSteps && step < slg.end * totalSteps;
}

const COND_KEYS = ['context', 'pooled', 'contextMask'] as const;

/** [cond; uncond] along the batch, key by key. The caller disposes the result's tensors. */
export function batchConditioning(cond: Conditioning, uncond: Conditioning): Conditioning {
  const out: Conditioning = {};
  for (const key of COND_KEYS) {
    const c = cond[key];
    const u = uncond[key];
    if ((c === undefined) !== (u === undefined)) {
      invalid(`uncond.${key}`, u, c === undefined ? 'absent, as in cond' : `a tensor, as in cond`);
    }
    if (c !== undefined && u !== undefined) {
      if (c.shape.slice(1).join() !== u.shape.slice(1).join()) {
        invalid(`uncond.${key}.shape`, u.shape, `shape [*, ${c.shape.slice(1).join(', ')}] (as cond.${key})`);
      }
      out[key] = tf.concat([c, u], 0);
    }
  }
  return out;
}

/** What {@link guidedVelocity} needs. */
export interface GuidedVelocityOptions {
  model: VelocityFn;
  cond: Conditioning;
  /** [cond; uncond] from {@link batchConditioning}; required when the CFG scale is not 1. */
  batched?: Conditioning;
  guidance: ResolvedGuidance;
}

/**
 * The guided velocity at (x, t): one model call on [x; x] with [cond; uncond] (or on x alone
 * for scale 1), plus the skip-layer call when `withSkip`. Returns a new tensor.
 */
export function guidedVelocity(options: GuidedVelocityOptions, x: tf.Tensor, t: number, withSkip: boolean): tf.Tensor {
  const { model, cond, batched, guidance } = options;
  return tf.tidy(() => {
    const batch = x.shape[0];
    let vCond: tf.Tensor;
    let v: tf.Tensor;
    if (guidance.scale === 1 || batched === undefined) {
      vCond = model(x, tf.fill([batch], t) as tf.Tensor1D, cond);
      v = vCond;
    } else {
      const out = model(tf.concat([x, x], 0), tf.fill([2 * batch], t) as tf.Tensor1D, batched);
      const [c, u] = tf.split(out, 2, 0);
      vCond = c;
      v = tf.add(u, tf.mul(tf.sub(c, u), guidance.scale));
    }
    const slg = guidance.skipLayers;
    if (withSkip && slg !== undefined) {
      const callOptions: ModelCallOptions = { skipLayers: slg.layers };
      const vSkip = model(x, tf.fill([batch], t) as tf.Tensor1D, cond, callOptions);
      v = tf.add(v, tf.mul(tf.sub(vCond, vSkip), slg.scale));
    }
    return v;
  });
}
