/**
 * Turning the native kernels on and off for the tfjs 'wasm' backend. Enabling replaces the
 * stock wasm kernels in the tfjs kernel registry and keeps them, so the native kernels can
 * hand them what they do not handle and disabling can put them back.
 */
import { tf } from '@rectiflow/core';
import { batchMatMulKernel, fusedMatMulKernel } from './batch-mat-mul';
import { binaryKernel } from './binary-kernels';
import { fusedGradients, fusedKernels } from './fused-kernels';
import { castKernel, concatKernel, identityKernel, sliceKernel, splitVKernel, transposeKernel } from './layout-kernels';
import type { NativeBinding, NativeInfo } from './native-binding';
import { reduceKernel } from './reduce-kernels';

/** Options of {@link enableNativeKernels}. */
export interface NativeKernelOptions {
  /** Threads for the kernels, the calling thread included (default: every core). */
  threads?: number;
  /** Force an instruction set: `avx512`, `avx2` or `portable` (default: the best the CPU has). */
  isa?: 'avx512' | 'avx2' | 'portable';
  /** Kernel names to leave on stock wasm, e.g. `['Identity']`. */
  exclude?: string[];
  /** Internal: why the environment turned the native kernels off (RECTIFLOW_NATIVE=0). */
  disabledBy?: string;
}

/** The outcome of {@link enableNativeKernels}. */
export interface NativeKernelStatus {
  /** True when the native kernels are registered for 'wasm'. */
  enabled: boolean;
  /** One line for a log: what is in use, or why the native kernels are not. */
  message: string;
  /** The kernels now native (empty when not enabled). */
  kernels: string[];
  /** What the addon reports (absent when it could not be loaded). */
  info?: NativeInfo;
}

/** How to load the addon: injected by the entry point, so this file stays free of `node:` imports. */
export type BindingLoader = () => NativeBinding;

const KERNEL_NAMES = [
  'BatchMatMul',
  '_FusedMatMul',
  'Sum',
  'Mean',
  'Max',
  'Add',
  'Sub',
  'Multiply',
  'RealDiv',
  'Transpose',
  'Slice',
  'SplitV',
  'Concat',
  'Identity',
  'Cast',
] as const;

let stockKernels = new Map<string, tf.KernelConfig>();
let active: { binding: NativeBinding; kernels: string[] } | undefined;
const fusedNames: string[] = [];

function build(binding: NativeBinding, name: string, stock: tf.KernelConfig): tf.KernelConfig {
  switch (name) {
    case 'BatchMatMul':
      return batchMatMulKernel(binding, stock);
    case '_FusedMatMul':
      return fusedMatMulKernel(binding, stock);
    case 'Sum':
    case 'Mean':
    case 'Max':
      return reduceKernel(binding, name, stock);
    case 'Add':
    case 'Sub':
    case 'Multiply':
    case 'RealDiv':
      return binaryKernel(binding, name, stock);
    case 'Transpose':
      return transposeKernel(binding, stock);
    case 'Slice':
      return sliceKernel(binding, stock);
    case 'SplitV':
      return splitVKernel(binding, stock);
    case 'Concat':
      return concatKernel(binding, stock);
    case 'Cast':
      return castKernel(stock);
    default:
      return identityKernel(stock);
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n').find((l) => l.trim()) ?? text;
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

function describe(info: NativeInfo, kernels: string[]): string {
  return `tfjs-native: ${kernels.length} native wasm kernels + ${fusedNames.length} fused ops (${info.isa}, ${info.threads} thread${info.threads === 1 ? '' : 's'})`;
}

/** Register the native kernels with a given loader (the public entry point supplies it). */
export function enableWith(load: BindingLoader, options: NativeKernelOptions = {}): NativeKernelStatus {
  if (options.disabledBy) return { enabled: false, message: `tfjs-native: not enabled (${options.disabledBy})`, kernels: [] };
  if (!tf.findBackend('wasm') && !tf.findBackendFactory('wasm')) {
    return { enabled: false, message: 'tfjs-native: not enabled (the wasm backend is not registered)', kernels: [] };
  }
  let binding: NativeBinding;
  try {
    binding = load();
  } catch (error) {
    return { enabled: false, message: `tfjs-native: not enabled (no native binary: ${firstLine(error)})`, kernels: [] };
  }
  if (options.isa && !binding.setIsa(options.isa)) {
    return {
      enabled: false,
      message: `tfjs-native: not enabled (this CPU cannot run the ${options.isa} kernels; it supports ${binding.info().supportedIsas.join(', ')})`,
      kernels: [],
      info: binding.info(),
    };
  }
  if (options.threads !== undefined) binding.setThreads(Math.max(1, Math.floor(options.threads)));
  disableNativeKernels();
  const exclude = new Set(options.exclude ?? []);
  const kernels: string[] = [];
  stockKernels = new Map();
  for (const name of KERNEL_NAMES) {
    if (exclude.has(name)) continue;
    const stock = tf.getKernel(name, 'wasm');
    if (!stock) continue;
    stockKernels.set(name, stock);
    tf.unregisterKernel(name, 'wasm');
    // Keep the stock setup: if the wasm backend initialises later, it sets up the stock
    // kernel that the native one falls back to.
    tf.registerKernel({ ...build(binding, name, stock), setupFunc: stock.setupFunc });
    kernels.push(name);
  }
  for (const config of fusedKernels(binding)) {
    if (exclude.has(config.kernelName)) continue;
    tf.registerKernel(config);
    fusedNames.push(config.kernelName);
  }
  for (const grad of fusedGradients) if (!tf.getGradient(grad.kernelName)) tf.registerGradient(grad);
  active = { binding, kernels };
  const info = binding.info();
  return { enabled: true, message: describe(info, kernels), kernels, info };
}

/** Put the stock wasm kernels back (no-op when the native kernels are not enabled). */
export function disableNativeKernels(): void {
  if (!active) return;
  for (const [name, stock] of stockKernels) {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(stock);
  }
  stockKernels = new Map();
  for (const name of fusedNames.splice(0)) tf.unregisterKernel(name, 'wasm');
  active = { binding: active.binding, kernels: [] };
}

/** The loaded addon while the native kernels are enabled (for updates made in place, see FusedAdamOptimizer). */
export function enabledBinding(): NativeBinding | undefined {
  return nativeKernelsEnabled() ? active?.binding : undefined;
}

/** True when the native kernels are registered. */
export function nativeKernelsEnabled(): boolean {
  return (active?.kernels.length ?? 0) > 0;
}

/** What the loaded addon reports, or undefined when it was never loaded. */
export function nativeInfo(): NativeInfo | undefined {
  return active?.binding.info();
}
