/**
 * Backend selection. In Node, `'auto'` prefers the native TensorFlow backends when a user has
 * them installed (`@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node`), then wasm, then
 * the pure-JS cpu backend. In a browser, `'auto'` tries webgpu (when the page registered it by
 * importing `@tensorflow/tfjs-backend-webgpu` and the browser has `navigator.gpu`), then webgl, then
 * wasm (SIMD, and threads when the page is cross-origin isolated), then cpu.
 */
import { formatValue, RectiflowError } from './errors';
import { tf } from './tf';

/** What {@link initBackend} accepts. */
export type BackendChoice = 'auto' | 'tensorflow' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** The allowed values of {@link BackendChoice}. */
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow', 'webgpu', 'webgl', 'wasm', 'cpu'];

/** One backend that was tried. */
export interface BackendAttempt {
  /** The package or backend tried, e.g. `@tensorflow/tfjs-node-gpu`. */
  candidate: string;
  /** Why it could not be used; absent for the one that was chosen. */
  error?: string;
}

/** The backend in use, as returned by {@link initBackend}. */
export interface BackendInfo {
  /** The tfjs backend name: `tensorflow`, `webgpu`, `webgl`, `wasm` or `cpu`. */
  name: string;
  /** The choice that led to it. */
  choice: BackendChoice;
  /** The package that provides it. */
  provider: string;
  /** Every candidate tried, in order. */
  attempts: BackendAttempt[];
  /**
   * The one-line result of enabling `@rectiflow/tfjs-native` kernels on the wasm backend,
   * when that package is installed (absent otherwise).
   */
  native?: string;
  /** On wasm: whether SIMD and threads are in use (threads need a cross-origin isolated page). */
  wasm?: { simd: boolean; threads: boolean };
}

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /** Do not log the chosen backend. */
  quiet?: boolean;
  /**
   * Where the wasm backend's `.wasm` files are served from (a URL prefix ending in `/`, or a
   * map of file name to URL): needed by bundled web pages, see tfjs-backend-wasm's `setWasmPaths`.
   */
  wasmPaths?: string | Record<string, string>;
  /** Where the one-line log goes (default `console.info`). */
  log?: (line: string) => void;
  /**
   * On wasm, enable the native kernels of `@rectiflow/tfjs-native` when it is installed
   * (default true; the environment variable RECTIFLOW_NATIVE=0 also turns them off).
   */
  native?: boolean;
}

/** An explicitly requested backend could not be loaded. */
export class BackendUnavailableError extends RectiflowError {
  override name = 'BackendUnavailableError';
  constructor(
    readonly choice: BackendChoice,
    readonly attempts: BackendAttempt[],
  ) {
    const reasons = attempts.map((a) => `${a.candidate}: ${a.error}`).join('; ');
    const hint =
      choice === 'tensorflow'
        ? ' Install @tensorflow/tfjs-node-gpu (CUDA) or @tensorflow/tfjs-node and allow its build script (see the README), or use backend "wasm".'
        : '';
    super(`backend ${formatValue(choice)} is not available (${reasons}).${hint}`);
  }
}

interface Candidate {
  provider: string;
  backend: string;
  load: () => Promise<void>;
}

// Module names in variables: bundlers and vite must not try to resolve optional packages.
const NODE_GPU = '@tensorflow/tfjs-node-gpu';
const NODE_CPU = '@tensorflow/tfjs-node';
const NATIVE = '@rectiflow/tfjs-native';

async function importOptional(name: string): Promise<void> {
  await import(/* @vite-ignore */ name);
}

type CandidateKey = 'tensorflow-gpu' | 'tensorflow-cpu' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

function candidatesFor(options: InitBackendOptions): Record<CandidateKey, Candidate> {
  return {
    'tensorflow-gpu': { provider: NODE_GPU, backend: 'tensorflow', load: () => importOptional(NODE_GPU) },
    'tensorflow-cpu': { provider: NODE_CPU, backend: 'tensorflow', load: () => importOptional(NODE_CPU) },
    // Registered by the page (import '@tensorflow/tfjs-backend-webgpu'); needs navigator.gpu.
    webgpu: {
      provider: '@tensorflow/tfjs-backend-webgpu',
      backend: 'webgpu',
      load: async () => {
        if (!tf.findBackendFactory('webgpu')) throw new Error("not registered (import '@tensorflow/tfjs-backend-webgpu' in the page)");
        if (!(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) throw new Error('no WebGPU in this browser (navigator.gpu)');
      },
    },
    // Part of @tensorflow/tfjs; it initialises only where a WebGL context exists.
    webgl: { provider: '@tensorflow/tfjs (webgl)', backend: 'webgl', load: async () => {} },
    wasm: {
      provider: '@tensorflow/tfjs-backend-wasm',
      backend: 'wasm',
      load: async () => {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths as string);
      },
    },
    cpu: { provider: '@tensorflow/tfjs (cpu)', backend: 'cpu', load: async () => {} },
  };
}

/** Whether this runtime is Node (else a browser or a worker). */
export function isNodeRuntime(): boolean {
  return typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === 'string';
}

/** The backends a choice tries, in order, in Node or in a browser. */
export function backendOrder(choice: BackendChoice, node = isNodeRuntime()): CandidateKey[] {
  switch (choice) {
    case 'auto':
      return node ? ['tensorflow-gpu', 'tensorflow-cpu', 'wasm', 'cpu'] : ['webgpu', 'webgl', 'wasm', 'cpu'];
    case 'tensorflow':
      return ['tensorflow-gpu', 'tensorflow-cpu'];
    default:
      return [choice];
  }
}

let current: BackendInfo | undefined;

/**
 * Enable the optional native wasm kernels. Returns their one-line status, or undefined when
 * the package is not installed. Never throws: stock wasm keeps working.
 */
async function enableNativeWasm(): Promise<string | undefined> {
  try {
    const m = (await import(/* @vite-ignore */ NATIVE)) as { enableNativeKernels(): Promise<{ message: string }> };
    return (await m.enableNativeKernels()).message;
  } catch (error) {
    const line = firstLine(error, NATIVE);
    return line === 'not installed' ? undefined : `tfjs-native: ${line}`;
  }
}

function firstLine(error: unknown, name?: string): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n').find((l) => l.trim()) ?? text;
  // "not installed" only when the missing module is the candidate itself, not one of its files.
  if (/Cannot find (package|module)/.test(line) && (!name || line.includes(`'${name}'`))) return 'not installed';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

function readEnvChoice(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.RECTIFLOW_BACKEND;
  return value ? value.trim() : undefined;
}

/**
 * Choose and initialise the tfjs backend, and return which one is in use.
 *
 * @param choice `'auto'` (default), `'tensorflow'`, `'webgpu'`, `'webgl'`, `'wasm'` or `'cpu'`. When omitted, the
 *   environment variable `RECTIFLOW_BACKEND` is used if set.
 * @throws {@link BackendUnavailableError} when an explicit choice cannot be loaded.
 */
export async function initBackend(choice?: BackendChoice, options: InitBackendOptions = {}): Promise<BackendInfo> {
  const requested = choice ?? readEnvChoice() ?? 'auto';
  if (!(BACKEND_CHOICES as readonly string[]).includes(requested)) {
    throw new RectiflowError(
      `backend: got ${formatValue(requested)}${choice === undefined ? ' (from RECTIFLOW_BACKEND)' : ''}; expected one of ${BACKEND_CHOICES.join(', ')}`,
    );
  }
  const resolved = requested as BackendChoice;
  if (current && current.choice === resolved && tf.getBackend() === current.name) return current;

  const attempts: BackendAttempt[] = [];
  const candidates = candidatesFor(options);
  for (const key of backendOrder(resolved)) {
    const candidate = candidates[key];
    try {
      await candidate.load();
      if (!tf.findBackendFactory(candidate.backend)) throw new Error('backend not registered');
      if (
        candidate.backend === 'webgl' &&
        typeof (globalThis as { document?: unknown }).document === 'undefined' &&
        typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas === 'undefined'
      ) {
        throw new Error('no WebGL here (no document or OffscreenCanvas)');
      }
      const ok = await tf.setBackend(candidate.backend);
      if (!ok) throw new Error('backend failed to initialise');
      await tf.ready();
      attempts.push({ candidate: candidate.provider });
      if (candidate.backend === 'cpu') tf.env().set('PROD', true);
      const wasm = candidate.backend === 'wasm';
      const native = wasm && options.native !== false && isNodeRuntime() ? await enableNativeWasm() : undefined;
      const flavour = wasm
        ? {
            simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
            threads: Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')),
          }
        : undefined;
      current = {
        name: candidate.backend,
        choice: resolved,
        provider: candidate.provider,
        attempts,
        ...(native ? { native } : {}),
        ...(flavour ? { wasm: flavour } : {}),
      };
      if (!options.quiet) {
        const skipped = attempts
          .filter((a) => a.error)
          .map((a) => `${a.candidate}: ${a.error}`)
          .join('; ');
        (options.log ?? console.info)(
          `[rectiflow] backend ${current.name} (${resolved})${native ? `; ${native}` : ''}${skipped ? `; skipped ${skipped}` : ''}`,
        );
      }
      return current;
    } catch (error) {
      attempts.push({ candidate: candidate.provider, error: firstLine(error, candidate.provider) });
    }
  }
  throw new BackendUnavailableError(resolved, attempts);
}

/** The backend chosen by the last successful {@link initBackend}, if any. */
export function getBackendInfo(): BackendInfo | undefined {
  return current;
}
