/**
 * Adam and AdamW with one fused kernel per variable when the native kernels are enabled
 * (instead of about a dozen element-wise kernels), and plain tfjs math otherwise. Same update
 * as `tf.train.adam`, plus decoupled weight decay (AdamW) when `weightDecay > 0`.
 * When a variable and its moments are the only holders of their memory (no clone or reshape
 * shares it), the kernel updates them in place: no new buffers, and about 30% less memory
 * traffic (the update is bound by memory bandwidth).
 */
import { tf } from '@rectiflow/core';
import { FUSED_OPS } from './fused-op-names';
import { hasFusedKernel } from './fused-ops';
import { enabledBinding } from './native-kernels';
import { heapOf, offsetOf, type WasmBackend } from './wasm-heap';

type Attrs = Record<'lr' | 'beta1' | 'beta2' | 'eps' | 'weightDecay' | 'correction1' | 'correction2', number>;

/** The update written over p, m and v when nothing else shares their memory; false when it cannot be. */
function updateInPlace(p: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, a: Attrs): boolean {
  const binding = enabledBinding();
  if (!binding || tf.getBackend() !== 'wasm') return false;
  const backend = tf.backend() as unknown as WasmBackend & { refCount(dataId: object): number };
  if (![p, m, v].every((t) => backend.refCount(t.dataId) === 1) || new Set([p, m, v, g].map((t) => t.dataId)).size !== 4) return false;
  const [po, mo, vo] = [p, m, v].map((t) => offsetOf(backend, t));
  binding.adamUpdate(heapOf(backend), po, mo, vo, offsetOf(backend, g), po, mo, vo, p.size, [
    a.lr,
    a.beta1,
    a.beta2,
    a.eps,
    a.weightDecay,
    a.correction1,
    a.correction2,
  ]);
  return true;
}

/** A named tensor, as in optimizer weights (tfjs does not export the type). */
type NamedTensor = { name: string; tensor: tf.Tensor };

/** Options of {@link FusedAdamOptimizer}. */
export interface FusedAdamOptions {
  beta1?: number;
  beta2?: number;
  /** Default: the backend's epsilon (1e-7 on float32 backends), as `tf.train.adam`. */
  epsilon?: number;
  /** Decoupled weight decay (AdamW): `p -= lr * weightDecay * p` each step. Default 0. */
  weightDecay?: number;
}

/** An Adam / AdamW optimizer for `minimize` and `applyGradients`, as `tf.train.adam`. */
export class FusedAdamOptimizer extends tf.Optimizer {
  static get className(): string {
    return 'RectiflowFusedAdam';
  }
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  private step = 0;
  private readonly moments = new Map<string, { m: tf.Variable; v: tf.Variable }>();

  constructor(
    readonly learningRate: number,
    options: FusedAdamOptions = {},
  ) {
    super();
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? tf.backend().epsilon();
    this.weightDecay = options.weightDecay ?? 0;
  }

  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries = Array.isArray(variableGradients)
      ? variableGradients.map((g) => [g.name, g.tensor] as const)
      : Object.entries(variableGradients);
    this.step++;
    const correction1 = 1 - this.beta1 ** this.step;
    const correction2 = 1 - this.beta2 ** this.step;
    const attrs = {
      lr: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      eps: this.epsilon,
      weightDecay: this.weightDecay,
      correction1,
      correction2,
    };
    tf.tidy(() => {
      for (const [name, g] of entries) {
        if (g == null) continue;
        const p = tf.engine().registeredVariables[name];
        let state = this.moments.get(name);
        if (!state) {
          state = { m: tf.zerosLike(p).variable(false, `${name}/m`), v: tf.zerosLike(p).variable(false, `${name}/v`) };
          this.moments.set(name, state);
        }
        const { m, v } = state;
        if (p.dtype === 'float32' && g.dtype === 'float32' && hasFusedKernel(FUSED_OPS.adamUpdate)) {
          if (updateInPlace(p, m, v, g, attrs)) continue;
          const [p2, m2, v2] = tf.engine().runKernel(FUSED_OPS.adamUpdate, { p, m, v, g }, attrs) as tf.Tensor[];
          m.assign(m2);
          v.assign(v2);
          p.assign(p2);
        } else {
          const m2 = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
          const v2 = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
          const update = tf.div(tf.div(m2, correction1), tf.add(tf.sqrt(tf.div(v2, correction2)), this.epsilon));
          const decayed = this.weightDecay > 0 ? tf.mul(p, 1 - this.learningRate * this.weightDecay) : p;
          m.assign(m2);
          v.assign(v2);
          p.assign(tf.sub(decayed, tf.mul(update, this.learningRate)));
        }
      }
    });
    this.incrementIterations();
  }

  override dispose(): void {
    super.dispose();
    for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
    this.moments.clear();
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const weights = [...this.moments.entries()].flatMap(([name, { m, v }]) => [
      { name: `${name}/m`, tensor: m },
      { name: `${name}/v`, tensor: v },
    ]);
    return [await this.saveIterations(), ...weights];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    this.step = this.iterations;
    for (const { name, tensor } of rest) {
      const base = name.replace(/\/[mv]$/, '');
      let state = this.moments.get(base);
      if (!state) {
        state = { m: tf.zerosLike(tensor).variable(false), v: tf.zerosLike(tensor).variable(false) };
        this.moments.set(base, state);
      }
      (name.endsWith('/m') ? state.m : state.v).assign(tensor);
    }
  }

  getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, weightDecay: this.weightDecay };
  }
}
