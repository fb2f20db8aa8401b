/**
 * The native kernels and gradients behind the fused custom ops ({@link FUSED_OPS}).
 * float32 only: the ops in `fused-ops.ts` use them only for float32 inputs.
 */
import { tf } from '@rectiflow/core';
import { matMulBiasGradKernel, transposedMatMulKernel } from './batch-mat-mul';
import { FUSED_OPS } from './fused-op-names';
import type { NativeBinding } from './native-binding';
import { heapOf, offsetOf, type WasmBackend } from './wasm-heap';

type Inputs = Record<string, tf.TensorInfo>;

/** Kernel configs of every fused op, for the 'wasm' backend. */
export function fusedKernels(binding: NativeBinding): tf.KernelConfig[] {
  const kernel = (
    kernelName: string,
    f: (inputs: Inputs, backend: WasmBackend, attrs: Record<string, number>) => tf.TensorInfo | tf.TensorInfo[],
  ) => ({
    kernelName,
    backendName: 'wasm',
    kernelFunc: ((args: { inputs: Inputs; backend: unknown; attrs?: Record<string, number> }) =>
      f(args.inputs, args.backend as WasmBackend, args.attrs ?? {})) as unknown as tf.KernelFunc,
  });
  // An element-wise activation y = f(x), and its gradient dx = g(dy, x).
  const activation = (kernelName: string, run: (heap: ArrayBuffer, x: number, y: number, n: number) => void) =>
    kernel(kernelName, ({ x }, backend) => {
      const y = backend.makeOutput(x.shape, 'float32');
      run(heapOf(backend), offsetOf(backend, x), offsetOf(backend, y), tf.util.sizeFromShape(x.shape));
      return y;
    });
  const activationGrad = (kernelName: string, run: (heap: ArrayBuffer, dy: number, x: number, dx: number, n: number) => void) =>
    kernel(kernelName, ({ dy, x }, backend) => {
      const dx = backend.makeOutput(x.shape, 'float32');
      run(heapOf(backend), offsetOf(backend, dy), offsetOf(backend, x), offsetOf(backend, dx), tf.util.sizeFromShape(x.shape));
      return dx;
    });
  return [
    activation(FUSED_OPS.geluTanh, binding.geluTanh),
    activationGrad(FUSED_OPS.geluTanhGrad, binding.geluTanhGrad),
    activation(FUSED_OPS.silu, binding.silu),
    activationGrad(FUSED_OPS.siluGrad, binding.siluGrad),
    kernel(FUSED_OPS.gatedResidual, ({ x, gate, y }, backend) => {
      const [b, l, c] = x.shape;
      tf.util.assertShapesMatch(y.shape, x.shape, `${FUSED_OPS.gatedResidual} y: `);
      tf.util.assertShapesMatch(gate.shape, [b, c], `${FUSED_OPS.gatedResidual} gate: `);
      const out = backend.makeOutput(x.shape, 'float32');
      binding.gatedResidual(
        heapOf(backend),
        offsetOf(backend, x),
        offsetOf(backend, gate),
        offsetOf(backend, y),
        offsetOf(backend, out),
        b,
        l,
        c,
      );
      return out;
    }),
    kernel(FUSED_OPS.gatedResidualGrad, ({ dy, gate, y }, backend) => {
      const [b, l, c] = y.shape;
      const dgate = backend.makeOutput([b, c], 'float32');
      const dyOut = backend.makeOutput(y.shape, 'float32');
      binding.gatedResidualGrad(
        heapOf(backend),
        offsetOf(backend, dy),
        offsetOf(backend, gate),
        offsetOf(backend, y),
        offsetOf(backend, dgate),
        offsetOf(backend, dyOut),
        b,
        l,
        c,
      );
      return [dgate, dyOut];
    }),
    kernel(FUSED_OPS.layerNormModulate, ({ x, shift, scale }, backend, { eps }) => {
      const [b, l, c] = x.shape;
      const y = backend.makeOutput(x.shape, 'float32');
      binding.layerNormModulate(
        heapOf(backend),
        offsetOf(backend, x),
        offsetOf(backend, shift),
        offsetOf(backend, scale),
        offsetOf(backend, y),
        b,
        l,
        c,
        eps,
      );
      return y;
    }),
    kernel(FUSED_OPS.layerNormModulateGrad, ({ dy, x, scale }, backend, { eps }) => {
      const [b, l, c] = x.shape;
      const dx = backend.makeOutput(x.shape, 'float32');
      const dshift = backend.makeOutput([b, c], 'float32');
      const dscale = backend.makeOutput([b, c], 'float32');
      binding.layerNormModulateGrad(
        heapOf(backend),
        offsetOf(backend, dy),
        offsetOf(backend, x),
        offsetOf(backend, scale),
        offsetOf(backend, dx),
        offsetOf(backend, dshift),
        offsetOf(backend, dscale),
        b,
        l,
        c,
        eps,
      );
      return [dx, dshift, dscale];
    }),
    kernel(FUSED_OPS.softmax, ({ x }, backend) => {
      const y = backend.makeOutput(x.shape, 'float32');
      const cols = x.shape[x.shape.length - 1] ?? 1;
      const size = tf.util.sizeFromShape(x.shape);
      if (size > 0) binding.softmax(heapOf(backend), offsetOf(backend, x), offsetOf(backend, y), size / cols, cols);
      return y;
    }),
    kernel(FUSED_OPS.softmaxGrad, ({ dy, y }, backend) => {
      const dx = backend.makeOutput(y.shape, 'float32');
      const cols = y.shape[y.shape.length - 1] ?? 1;
      const size = tf.util.sizeFromShape(y.shape);
      if (size > 0)
        binding.softmaxGrad(heapOf(backend), offsetOf(backend, dy), offsetOf(backend, y), offsetOf(backend, dx), size / cols, cols);
      return dx;
    }),
    kernel(FUSED_OPS.linearGelu, ({ x, w, b }, backend, attrs) => {
      const [m, k] = x.shape;
      const n = w.shape[1];
      const h = backend.makeOutput([m, n], 'float32');
      // Without the pre-activation (no backward to come), GELU is applied in place on the product.
      const keepZ = (attrs as { preActivation?: boolean }).preActivation !== false;
      const z = keepZ ? backend.makeOutput([m, n], 'float32') : h;
      if (m * n > 0)
        binding.linearGelu(
          heapOf(backend),
          offsetOf(backend, x),
          offsetOf(backend, w),
          offsetOf(backend, b),
          offsetOf(backend, z),
          offsetOf(backend, h),
          m,
          n,
          k,
        );
      return keepZ ? [h, z] : h;
    }),
    kernel(FUSED_OPS.attention, ({ q, k, v }, backend, { scale }) => {
      const [n, lq, d] = q.shape;
      const lk = k.shape[1];
      const o = backend.makeOutput([n, lq, d], 'float32');
      const p = backend.makeOutput([n, lq, lk], 'float32');
      binding.attention(
        heapOf(backend),
        offsetOf(backend, q),
        offsetOf(backend, k),
        offsetOf(backend, v),
        offsetOf(backend, o),
        offsetOf(backend, p),
        n,
        lq,
        lk,
        d,
        scale,
      );
      return [o, p];
    }),
    kernel(FUSED_OPS.attentionGrad, ({ dy, q, k, v, p }, backend, { scale }) => {
      const [n, lq, d] = q.shape;
      const lk = k.shape[1];
      const [dq, dk, dv] = [q, k, v].map((t) => backend.makeOutput(t.shape, 'float32'));
      binding.attentionGrad(
        heapOf(backend),
        offsetOf(backend, dy),
        offsetOf(backend, q),
        offsetOf(backend, k),
        offsetOf(backend, v),
        offsetOf(backend, p),
        offsetOf(backend, dq),
        offsetOf(backend, dk),
        offsetOf(backend, dv),
        n,
        lq,
        lk,
        d,
        scale,
      );
      return [dq, dk, dv];
    }),
    kernel(FUSED_OPS.jointAttention, (inputs, backend, attrs) => jointAttention(binding, backend, inputs, attrs, false)),
    kernel(FUSED_OPS.jointAttentionGrad, (inputs, backend, attrs) => jointAttentionGrad(binding, backend, inputs, attrs, false)),
    kernel(FUSED_OPS.jointAttentionQkNorm, (inputs, backend, attrs) => jointAttention(binding, backend, inputs, attrs, true)),
    kernel(FUSED_OPS.jointAttentionQkNormGrad, (inputs, backend, attrs) => jointAttentionGrad(binding, backend, inputs, attrs, true)),
    kernel(FUSED_OPS.qkNorm, ({ qkv, gq, gk }, backend, { heads, eps }) => {
      const y = backend.makeOutput(qkv.shape, 'float32');
      const d = gq.shape[0];
      const rows = tf.util.sizeFromShape(qkv.shape) / (3 * heads * d);
      if (rows > 0)
        binding.qkNorm(
          heapOf(backend),
          offsetOf(backend, qkv),
          offsetOf(backend, gq),
          offsetOf(backend, gk),
          offsetOf(backend, y),
          rows,
          heads,
          d,
          eps,
        );
      return y;
    }),
    kernel(FUSED_OPS.qkNormGrad, ({ dy, qkv, gq, gk }, backend, { heads, eps }) => {
      const [dqkv, dgq, dgk] = [qkv, gq, gk].map((t) => backend.makeOutput(t.shape, 'float32'));
      const d = gq.shape[0];
      const rows = tf.util.sizeFromShape(qkv.shape) / (3 * heads * d);
      binding.qkNormGrad(
        heapOf(backend),
        offsetOf(backend, dy),
        offsetOf(backend, qkv),
        offsetOf(backend, gq),
        offsetOf(backend, gk),
        offsetOf(backend, dqkv),
        offsetOf(backend, dgq),
        offsetOf(backend, dgk),
        rows,
        heads,
        d,
        eps,
      );
      return [dqkv, dgq, dgk];
    }),
    kernel(FUSED_OPS.rmsNorm, ({ x, gain }, backend, { eps }) => {
      const y = backend.makeOutput(x.shape, 'float32');
      const cols = x.shape[x.shape.length - 1] ?? 1;
      const size = tf.util.sizeFromShape(x.shape);
      if (size > 0)
        binding.rmsNorm(heapOf(backend), offsetOf(backend, x), offsetOf(backend, gain), offsetOf(backend, y), size / cols, cols, eps);
      return y;
    }),
    kernel(FUSED_OPS.rmsNormGrad, ({ dy, x, gain }, backend, { eps }) => {
      const dx = backend.makeOutput(x.shape, 'float32');
      const dgain = backend.makeOutput(gain.shape, 'float32');
      const cols = x.shape[x.shape.length - 1] ?? 1;
      const size = tf.util.sizeFromShape(x.shape);
      if (cols > 0)
        binding.rmsNormGrad(
          heapOf(backend),
          offsetOf(backend, dy),
          offsetOf(backend, x),
          offsetOf(backend, gain),
          offsetOf(backend, dx),
          offsetOf(backend, dgain),
          size / cols,
          cols,
          eps,
        );
      return [dx, dgain];
    }),
    kernel(FUSED_OPS.adamUpdate, ({ p, m, v, g }, backend, a) => {
      const outs = [p, m, v].map((t) => backend.makeOutput(t.shape, 'float32'));
      binding.adamUpdate(
        heapOf(backend),
        offsetOf(backend, p),
        offsetOf(backend, m),
        offsetOf(backend, v),
        offsetOf(backend, g),
        offsetOf(backend, outs[0]),
        offsetOf(backend, outs[1]),
        offsetOf(backend, outs[2]),
        tf.util.sizeFromShape(p.shape),
        [a.lr, a.beta1, a.beta2, a.eps, a.weightDecay, a.correction1, a.correction2],
      );
      return outs;
    }),
    transposedMatMulKernel(binding),
    matMulBiasGradKernel(binding),
  ];
}

const GAINS = ['gqc', 'gkc', 'gqx', 'gkx'] as const;

/** The four q/k norm gains of the joint attention, each [d] float32 (or a clear error). */
function gainsOf(inputs: Inputs, name: string, d: number): tf.TensorInfo[] {
  return GAINS.map((key) => {
    const g = inputs[key];
    if (g?.dtype !== 'float32' || g.shape.length !== 1 || g.shape[0] !== d) {
      throw new Error(`${name}: ${key} must be float32 [${d}] (got ${g ? `${g.dtype} [${g.shape}]` : 'nothing'})`);
    }
    return g;
  });
}

/** The joint attention forward, with or without the q/k norm inside. */
function jointAttention(binding: NativeBinding, backend: WasmBackend, inputs: Inputs, attrs: Record<string, number>, normed: boolean) {
  const { qkvc, qkvx, weights } = inputs;
  const { scale, heads, queryContext, eps } = attrs;
  const name = normed ? FUSED_OPS.jointAttentionQkNorm : FUSED_OPS.jointAttention;
  const [batch, lc, width3] = qkvc.shape;
  const lx = qkvx.shape[1];
  const [d, lcq] = [width3 / 3 / heads, queryContext ? lc : 0];
  const expected = [heads, batch, lcq + lx, lc + lx];
  if (weights.shape.join() !== expected.join()) throw new Error(`${name}: weights must be [${expected}] (got [${weights.shape}])`);
  const gains = normed ? gainsOf(inputs, name, d) : [];
  const oc = backend.makeOutput([batch, lcq, heads * d], 'float32');
  const ox = backend.makeOutput([batch, lx, heads * d], 'float32');
  const offsets = [qkvc, qkvx, oc, ox, weights, ...gains].map((t) => offsetOf(backend, t));
  binding.jointAttention(heapOf(backend), offsets, [heads, batch, lcq, lc, lx, d], scale, eps ?? 0);
  return [oc, ox];
}

/** Its backward: `[dqkvc, dqkvx]`, then with the norm the gains' gradients `dgqc, dgkc, dgqx, dgkx`. */
function jointAttentionGrad(binding: NativeBinding, backend: WasmBackend, inputs: Inputs, attrs: Record<string, number>, normed: boolean) {
  const { doc, dox, qkvc, qkvx, p } = inputs;
  const { scale, heads, eps } = attrs;
  const [batch, lc, width3] = qkvc.shape;
  const lx = qkvx.shape[1];
  const d = width3 / 3 / heads;
  const gains = normed ? gainsOf(inputs, FUSED_OPS.jointAttentionQkNormGrad, d) : [];
  const grads = [qkvc, qkvx].map((t) => backend.makeOutput(t.shape, 'float32'));
  const dgains = gains.map(() => backend.makeOutput([d], 'float32'));
  const offsets = [doc, dox, qkvc, qkvx, p, ...grads, ...gains, ...dgains].map((t) => offsetOf(backend, t));
  binding.jointAttentionGrad(heapOf(backend), offsets, [heads, batch, doc.shape[1], lc, lx, d], scale, eps ?? 0);
  return [...grads, ...dgains];
}

/**
 * The gradients reaching the joint attention's two outputs: one per output, and zeros for an
 * output outside the backward pass (an unused context output has none).
 */
function jointOutputGrads(dy: tf.Tensor | tf.Tensor[], qkvc: tf.Tensor, qkvx: tf.Tensor, attrs: unknown) {
  const [batch, lc, width3] = qkvc.shape as [number, number, number];
  const lx = qkvx.shape[1] as number;
  const dys = dy as (tf.Tensor | null)[];
  const lcq = (attrs as { queryContext?: boolean }).queryContext ? lc : 0;
  return { doc: dys[0] ?? tf.zeros([batch, lcq, width3 / 3]), dox: dys[1] ?? tf.zeros([batch, lx, width3 / 3]) };
}

/** The gradient of an element-wise activation: its gradient kernel on dy and the saved input. */
function activationGradient(kernelName: string, gradName: string): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => ({ x: () => tf.engine().runKernel(gradName, { dy: dy as tf.Tensor, x: saved[0] }) as tf.Tensor }),
  };
}

/** Gradients of the fused ops (backend independent: they call the gradient kernels). */
export const fusedGradients: tf.GradConfig[] = [
  activationGradient(FUSED_OPS.geluTanh, FUSED_OPS.geluTanhGrad),
  activationGradient(FUSED_OPS.silu, FUSED_OPS.siluGrad),
  {
    kernelName: FUSED_OPS.gatedResidual,
    inputsToSave: ['gate', 'y'],
    gradFunc: (dy, saved) => {
      // One kernel call for both gradients (see layerNormModulate below); x's gradient is dy.
      const [dgate, dyOut] = tf
        .engine()
        .runKernel(FUSED_OPS.gatedResidualGrad, { dy: dy as tf.Tensor, gate: saved[0], y: saved[1] }) as tf.Tensor[];
      return { x: () => tf.clone(dy as tf.Tensor), gate: () => dgate, y: () => dyOut };
    },
  },
  {
    kernelName: FUSED_OPS.softmax,
    outputsToSave: [true],
    gradFunc: (dy, saved) => ({ x: () => tf.engine().runKernel(FUSED_OPS.softmaxGrad, { dy: dy as tf.Tensor, y: saved[0] }) as tf.Tensor }),
  },
  {
    kernelName: FUSED_OPS.layerNormModulate,
    inputsToSave: ['x', 'shift', 'scale'],
    gradFunc: (dy, saved, attrs) => {
      // One kernel call for the three gradients, made here: tfjs calls each input's gradient
      // in its own tidy, which would dispose the other two outputs.
      const [dx, dshift, dscale] = tf
        .engine()
        .runKernel(
          FUSED_OPS.layerNormModulateGrad,
          { dy: dy as tf.Tensor, x: saved[0], scale: saved[2] },
          attrs as unknown as tf.NamedAttrMap,
        ) as tf.Tensor[];
      return { x: () => dx, shift: () => dshift, scale: () => dscale };
    },
  },
  {
    kernelName: FUSED_OPS.jointAttention,
    inputsToSave: ['qkvc', 'qkvx', 'weights'],
    gradFunc: (dy, saved, attrs) => {
      // `weights` holds the softmax weights the forward wrote.
      const [qkvc, qkvx, p] = saved;
      const { doc, dox } = jointOutputGrads(dy, qkvc, qkvx, attrs);
      const [dqkvc, dqkvx] = tf
        .engine()
        .runKernel(FUSED_OPS.jointAttentionGrad, { doc, dox, qkvc, qkvx, p }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      return { qkvc: () => dqkvc, qkvx: () => dqkvx };
    },
  },
  {
    kernelName: FUSED_OPS.jointAttentionQkNorm,
    inputsToSave: ['qkvc', 'qkvx', 'weights', 'gqc', 'gkc', 'gqx', 'gkx'],
    gradFunc: (dy, saved, attrs) => {
      // As jointAttention's, plus the four q/k norm gains.
      const [qkvc, qkvx, p, gqc, gkc, gqx, gkx] = saved;
      const { doc, dox } = jointOutputGrads(dy, qkvc, qkvx, attrs);
      const [dqkvc, dqkvx, dgqc, dgkc, dgqx, dgkx] = tf
        .engine()
        .runKernel(
          FUSED_OPS.jointAttentionQkNormGrad,
          { doc, dox, qkvc, qkvx, p, gqc, gkc, gqx, gkx },
          attrs as unknown as tf.NamedAttrMap,
        ) as tf.Tensor[];
      return { qkvc: () => dqkvc, qkvx: () => dqkvx, gqc: () => dgqc, gkc: () => dgkc, gqx: () => dgqx, gkx: () => dgkx };
    },
  },
  {
    kernelName: FUSED_OPS.qkNorm,
    inputsToSave: ['qkv', 'gq', 'gk'],
    gradFunc: (dy, saved, attrs) => {
      const [dqkv, dgq, dgk] = tf
        .engine()
        .runKernel(
          FUSED_OPS.qkNormGrad,
          { dy: dy as tf.Tensor, qkv: saved[0], gq: saved[1], gk: saved[2] },
          attrs as unknown as tf.NamedAttrMap,
        ) as tf.Tensor[];
      return { qkv: () => dqkv, gq: () => dgq, gk: () => dgk };
    },
  },
  {
    kernelName: FUSED_OPS.rmsNorm,
    inputsToSave: ['x', 'gain'],
    gradFunc: (dy, saved, attrs) => {
      const [dx, dgain] = tf
        .engine()
        .runKernel(
          FUSED_OPS.rmsNormGrad,
          { dy: dy as tf.Tensor, x: saved[0], gain: saved[1] },
          attrs as unknown as tf.NamedAttrMap,
        ) as tf.Tensor[];
      return { x: () => dx, gain: () => dgain };
    },
  },
];
