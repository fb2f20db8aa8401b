/**
 * The memory a run may plan for, and the checks that bound a user's sizes (depth, width,
 * batch, steps, images) against it before anything is allocated. Runtime-neutral: in Node
 * the budget is half of the machine's memory, on the wasm backend the 4 GiB wasm heap, in a
 * browser half of `navigator.deviceMemory` (or 2 GiB when the page does not say).
 */
import { RectiflowError } from './errors';
import { tf } from './tf';

const GiB = 1024 ** 3;

/** Bytes the current backend can be asked for, and where that figure comes from. */
export interface MemoryBudget {
  bytes: number;
  where: string;
}

function nodeTotalMemory(): number | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const os = proc?.getBuiltinModule?.('node:os') as { totalmem?: () => number } | undefined;
  return os?.totalmem?.();
}

/** The memory budget of the active backend. */
export function memoryBudget(): MemoryBudget {
  if (tf.getBackend() === 'wasm') return { bytes: 4 * GiB, where: 'the wasm heap (4 GiB)' };
  const total = nodeTotalMemory();
  if (total !== undefined) {
    const bytes = total / 2;
    return { bytes, where: `half of this machine's memory (${(bytes / GiB).toFixed(1)} GiB)` };
  }
  const deviceGiB = (globalThis as { navigator?: { deviceMemory?: number } }).navigator?.deviceMemory;
  if (typeof deviceGiB === 'number' && deviceGiB > 0) {
    return { bytes: (deviceGiB * GiB) / 2, where: `half of this device's memory (${(deviceGiB / 2).toFixed(1)} GiB)` };
  }
  return { bytes: 2 * GiB, where: 'the browser default (2 GiB)' };
}

/** A byte count as MiB or GiB, for messages. */
export function formatBytes(bytes: number): string {
  if (bytes / GiB < 0.1) return `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
  if (bytes / GiB < 1000) return `${(bytes / GiB).toFixed(1)} GiB`;
  return `${Math.round(bytes / GiB).toLocaleString('en-US')} GiB`;
}

/**
 * Refuse a size that needs more than the budget: the error names the field, the value, the
 * estimate, the budget and `fits` (what would fit).
 */
export function checkFits(field: string, value: string, bytes: number, fits: string): void {
  const budget = memoryBudget();
  if (Number.isFinite(bytes) && bytes <= budget.bytes) return;
  throw new RectiflowError(`${field}: ${value} needs about ${formatBytes(bytes)}, more than ${budget.where}; ${fits}`);
}

/** The largest n in [0, max] with `fits(n)`, for a `fits` that holds below some threshold. */
export function largestFitting(max: number, fits: (n: number) => boolean): number {
  let lo = 0;
  let hi = max;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
