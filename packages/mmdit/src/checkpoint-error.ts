import { formatValue, RectiflowError } from '@rectiflow/core';

/** A checkpoint lacks a tensor, has one of the wrong shape, or has tensors the model does not use. */
export class CheckpointError extends RectiflowError {
  override name = 'CheckpointError';
  constructor(
    /** The official key concerned (or the first unexpected key). */
    readonly key: string,
    /** The shape the model expects, or null for an unexpected key. */
    readonly expected: readonly number[] | null,
    /** The shape found, or null when the tensor is missing. */
    readonly found: readonly number[] | null,
    detail?: string,
  ) {
    super(
      detail ??
        (found === null
          ? `checkpoint tensor ${formatValue(key)} is missing; expected shape ${formatValue([...(expected ?? [])])}`
          : `checkpoint tensor ${formatValue(key)} has shape ${formatValue([...found])}; expected ${formatValue([...(expected ?? [])])}`),
    );
  }
}
