/**
 * Optional native CPU kernels for the tfjs 'wasm' backend. `await enableNativeKernels()`
 * replaces the wasm backend's matmul, reduction, element-wise and layout kernels with C++ ones (AVX-512,
 * AVX2 or portable, chosen at run time) that work in place on the wasm heap, and registers
 * fused MM-DiT ops (GELU-tanh, LayerNorm + adaLN modulation, softmax, Adam/AdamW). Where the addon
 * cannot load, it returns why and tfjs keeps its stock kernels; the fused ops then fall
 * back to plain tfjs.
 * @module
 */
import { enableWith, type NativeKernelOptions, type NativeKernelStatus } from './native-kernels';
import { disabledByEnvironment, loadBinding } from './node-file';

export { FusedAdamOptimizer, type FusedAdamOptions } from './fused-adam';
export { FUSED_OPS } from './fused-op-names';
export { geluTanh, hasFusedKernel, layerNormModulate, softmax } from './fused-ops';
export type { NativeInfo } from './native-binding';
export {
  disableNativeKernels,
  type NativeKernelOptions,
  type NativeKernelStatus,
  nativeInfo,
  nativeKernelsEnabled,
} from './native-kernels';

/**
 * Register the native kernels for the 'wasm' backend. Never throws for a missing binary or
 * an unsupported CPU: the result says so in one line and the stock kernels stay in place.
 * `RECTIFLOW_NATIVE=0` in the environment turns it into a no-op that says so.
 *
 * @example
 * const status = await enableNativeKernels();
 * console.info(status.message);
 */
export async function enableNativeKernels(options: NativeKernelOptions = {}): Promise<NativeKernelStatus> {
  return enableWith(loadBinding, { disabledBy: disabledByEnvironment(), ...options });
}
