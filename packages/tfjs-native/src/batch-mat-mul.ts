/**
 * Native `BatchMatMul` and `_FusedMatMul` kernels for the wasm backend: any rank, broadcast
 * batch dimensions and transpose flags, in place on the wasm heap. `_FusedMatMul` adds a
 * rank-1 bias and applies linear, relu, relu6, sigmoid, leakyrelu, elu or prelu (rank-1
 * weights); other bias or weight shapes and dtypes other than float32 go to the stock kernel.
 * (Stock wasm's _FusedMatMul ignores the batch: it is wrong for batch > 1; this one is not.)
 */
import { tf } from '@rectiflow/core';
import { FUSED_OPS } from './fused-op-names';
import { planMatMul } from './matmul-plan';
import type { NativeBinding } from './native-binding';
import { heapOf, offsetOf, type WasmBackend } from './wasm-heap';

/** Activation codes of the addon (native/kernel_table.h). */
const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2, sigmoid: 3, leakyrelu: 4, elu: 5, prelu: 6 };

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
  leakyreluAlpha?: number;
}

function run(
  binding: NativeBinding,
  backend: WasmBackend,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  attrs: MatMulAttrs,
  bias: tf.TensorInfo | undefined,
  activation: number,
  prelu?: tf.TensorInfo,
  bSums?: tf.TensorInfo,
): tf.TensorInfo {
  const plan = planMatMul(a.shape, b.shape, attrs.transposeA, attrs.transposeB);
  const out = backend.makeOutput(plan.outShape, 'float32');
  const aSize = tf.util.sizeFromShape(a.shape);
  const bSize = tf.util.sizeFromShape(b.shape);
  binding.matMul(
    heapOf(backend),
    offsetOf(backend, a),
    offsetOf(backend, b),
    offsetOf(backend, out),
    plan.m,
    plan.n,
    plan.k,
    attrs.transposeA,
    attrs.transposeB,
    plan.batchShape,
    plan.aBatchStrides,
    plan.bBatchStrides,
    aSize,
    bSize,
    bias ? offsetOf(backend, bias) : -1,
    bias ? tf.util.sizeFromShape(bias.shape) : 0,
    activation,
    attrs.leakyreluAlpha ?? 0,
    prelu ? offsetOf(backend, prelu) : -1,
    prelu ? tf.util.sizeFromShape(prelu.shape) : 0,
    bSums ? offsetOf(backend, bSums) : -1,
  );
  return out;
}

/** The native BatchMatMul kernel; `stock` handles what it does not. */
export function batchMatMulKernel(binding: NativeBinding, stock: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.BatchMatMul,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock.kernelFunc(args);
      return run(binding, args.backend as unknown as WasmBackend, a, b, args.attrs as unknown as MatMulAttrs, undefined, 0);
    },
  };
}

/** The native _FusedMatMul kernel; `stock` handles prelu, other bias shapes and dtypes. */
export function fusedMatMulKernel(binding: NativeBinding, stock: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf._FusedMatMul,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
      const attrs = args.attrs as unknown as MatMulAttrs;
      const activation = ACTIVATIONS[attrs.activation ?? 'linear'];
      const n = attrs.transposeB ? b!.shape[b!.shape.length - 2] : b!.shape[b!.shape.length - 1];
      const rowVector = (t: tf.TensorInfo | undefined) =>
        !t || (t.dtype === 'float32' && t.shape.length === 1 && (t.shape[0] === n || t.shape[0] === 1));
      const preluOk = attrs.activation === 'prelu' ? preluActivationWeights !== undefined : preluActivationWeights === undefined;
      if (a!.dtype !== 'float32' || b!.dtype !== 'float32' || activation === undefined || !preluOk) return stock.kernelFunc(args);
      if (!rowVector(bias) || !rowVector(preluActivationWeights)) return stock.kernelFunc(args);
      return run(binding, args.backend as unknown as WasmBackend, a!, b!, attrs, bias, activation, preluActivationWeights);
    },
  };
}

/** Checks the float32 operands of the custom products (the callers in `@rectiflow/nn` check the dtype first). */
function checkFloat32(name: string, a: tf.TensorInfo, b: tf.TensorInfo) {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new Error(`${name}: float32 inputs only (got ${a.dtype} and ${b.dtype})`);
}

/**
 * The `RectiflowMatMul` custom op ({@link FUSED_OPS}.matMul): the native product with transpose
 * flags and an optional bias `[n]` added as each register tile is stored, float32 only.
 */
export function transposedMatMulKernel(binding: NativeBinding): tf.KernelConfig {
  return {
    kernelName: FUSED_OPS.matMul,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { a, b, bias } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo; bias?: tf.TensorInfo };
      const attrs = args.attrs as unknown as MatMulAttrs;
      checkFloat32(FUSED_OPS.matMul, a, b);
      if (bias) {
        const n = attrs.transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
        if (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== n) {
          throw new Error(`${FUSED_OPS.matMul}: bias must be float32 [${n}] (got ${bias.dtype} [${bias.shape}])`);
        }
      }
      return run(binding, args.backend as unknown as WasmBackend, a, b, attrs, bias, 0);
    },
  };
}

/**
 * The `RectiflowMatMulBiasGrad` custom op ({@link FUSED_OPS}.matMulBiasGrad): `[op(a) op(b), the
 * column sums of op(b)]` for 2-D operands, the sums taken from B's packed slices in the same pass.
 */
export function matMulBiasGradKernel(binding: NativeBinding): tf.KernelConfig {
  return {
    kernelName: FUSED_OPS.matMulBiasGrad,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const attrs = args.attrs as unknown as MatMulAttrs;
      checkFloat32(FUSED_OPS.matMulBiasGrad, a, b);
      if (a.shape.length !== 2 || b.shape.length !== 2) {
        throw new Error(`${FUSED_OPS.matMulBiasGrad}: 2-D a and b only (got [${a.shape}] and [${b.shape}])`);
      }
      const backend = args.backend as unknown as WasmBackend;
      const sums = backend.makeOutput([attrs.transposeB ? b.shape[0] : b.shape[1]], 'float32');
      const out = run(binding, backend, a, b, attrs, undefined, 0, undefined, sums);
      return [out, sums];
    },
  };
}
