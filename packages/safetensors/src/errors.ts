import { RectiflowError } from '@rectiflow/core';

/** Why a safetensors file was rejected. */
export type SafetensorsErrorCode =
  | 'TRUNCATED'
  | 'HEADER_TOO_LARGE'
  | 'INVALID_UTF8'
  | 'INVALID_JSON'
  | 'DUPLICATE_KEY'
  | 'INVALID_HEADER'
  | 'UNKNOWN_DTYPE'
  | 'SHAPE_MISMATCH'
  | 'OFFSET_OUT_OF_BOUNDS'
  | 'OVERLAP'
  | 'GAP'
  | 'UNKNOWN_KEY'
  | 'INVALID_TENSOR'
  | 'UNSUPPORTED'
  /** A source could not be read (an HTTP error, a server without range requests). */
  | 'READ_FAILED';

/** A safetensors file that is malformed, or a request it cannot satisfy. */
export class SafetensorsError extends RectiflowError {
  override name = 'SafetensorsError';
  constructor(
    /** What is wrong, as a stable code. */
    readonly code: SafetensorsErrorCode,
    /** The file path, or `<bytes>` for in-memory data. */
    readonly source: string,
    detail: string,
  ) {
    super(`${source}: ${detail}`);
  }
}
