/**
 * Parsing and strict validation of a safetensors header.
 * Layout: u64 little-endian header length N, N bytes of JSON, then the data section.
 */
import { DTYPE_SIZES, DTYPES, type Dtype, isDtype } from './dtypes';
import { SafetensorsError } from './errors';
import { parseStrictJson, type StrictJsonError } from './strict-json';

/** Where one tensor lives in a file. */
export interface TensorInfo {
  dtype: Dtype;
  shape: number[];
  /** Byte offset of the first element from the start of the file. */
  byteOffset: number;
  /** Length in bytes. */
  byteLength: number;
}

/** A validated header. */
export interface ParsedHeader {
  /** Tensors by key, in the order of the header. */
  tensors: Map<string, TensorInfo>;
  /** The `__metadata__` entry (string to string), empty if absent. */
  metadata: Record<string, string>;
  /** Byte offset of the data section (8 + N). */
  dataStart: number;
}

/** Headers larger than this are rejected (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100_000_000;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Read and check the 8-byte length prefix. Returns N. */
export function parseHeaderLength(prefix: Uint8Array, fileSize: number, source: string): number {
  if (fileSize < 8 || prefix.length < 8) {
    throw new SafetensorsError('TRUNCATED', source, `file is ${fileSize} bytes; a safetensors file starts with an 8-byte header length`);
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError('HEADER_TOO_LARGE', source, `header length ${n} bytes exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  }
  const length = Number(n);
  if (length > fileSize - 8) {
    throw new SafetensorsError(
      'TRUNCATED',
      source,
      `header length ${length} bytes runs beyond the end of the file (${fileSize} bytes, so at most ${fileSize - 8})`,
    );
  }
  if (length < 2) throw new SafetensorsError('INVALID_HEADER', source, `header length ${length} bytes is too short for a JSON object`);
  return length;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Parse and validate the JSON header against the file size. */
export function parseHeader(headerBytes: Uint8Array, fileSize: number, source: string): ParsedHeader {
  let text: string;
  try {
    text = utf8.decode(headerBytes);
  } catch {
    throw new SafetensorsError('INVALID_UTF8', source, 'header is not valid UTF-8');
  }
  let json: unknown;
  try {
    json = parseStrictJson(text);
  } catch (e) {
    const err = e as StrictJsonError;
    if (err.duplicateKey !== undefined) {
      throw new SafetensorsError('DUPLICATE_KEY', source, `header has the key ${JSON.stringify(err.duplicateKey)} twice`);
    }
    throw new SafetensorsError('INVALID_JSON', source, `header is not valid JSON: ${err.message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SafetensorsError('INVALID_HEADER', source, 'header must be a JSON object of tensor entries');
  }
  const dataStart = 8 + headerBytes.length;
  const dataSize = fileSize - dataStart;
  const tensors = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};
  const spans: Array<{ key: string; begin: number; end: number }> = [];

  for (const [key, entry] of Object.entries(json as Record<string, unknown>)) {
    if (key === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        throw new SafetensorsError('INVALID_HEADER', source, '__metadata__ must be an object of strings');
      }
      for (const [mk, mv] of Object.entries(entry)) {
        if (typeof mv !== 'string') {
          throw new SafetensorsError('INVALID_HEADER', source, `__metadata__.${mk} must be a string, got ${JSON.stringify(mv)}`);
        }
      }
      metadata = { ...(entry as Record<string, string>) };
      continue;
    }
    const where = `tensor ${JSON.stringify(key)}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new SafetensorsError('INVALID_HEADER', source, `${where}: entry must be an object with dtype, shape and data_offsets`);
    }
    const { dtype, shape, data_offsets: offsets, ...extra } = entry as Record<string, unknown>;
    const extraKeys = Object.keys(extra);
    if (extraKeys.length) {
      throw new SafetensorsError(
        'INVALID_HEADER',
        source,
        `${where}: unexpected field(s) ${extraKeys.join(', ')}; allowed: dtype, shape, data_offsets`,
      );
    }
    if (!isDtype(dtype)) {
      throw new SafetensorsError(
        'UNKNOWN_DTYPE',
        source,
        `${where}: dtype ${JSON.stringify(dtype)} is not supported; supported: ${DTYPES.join(', ')}`,
      );
    }
    if (!Array.isArray(shape) || !shape.every(isCount)) {
      throw new SafetensorsError(
        'INVALID_HEADER',
        source,
        `${where}: shape ${JSON.stringify(shape)} must be a list of non-negative integers`,
      );
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
      throw new SafetensorsError(
        'INVALID_HEADER',
        source,
        `${where}: data_offsets ${JSON.stringify(offsets)} must be [begin, end] non-negative integers`,
      );
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin) {
      throw new SafetensorsError('INVALID_HEADER', source, `${where}: data_offsets [${begin}, ${end}] end before begin`);
    }
    if (end > dataSize) {
      throw new SafetensorsError(
        'OFFSET_OUT_OF_BOUNDS',
        source,
        `${where}: data_offsets [${begin}, ${end}] run beyond the data section (${dataSize} bytes)`,
      );
    }
    let numel = 1n;
    for (const d of shape as number[]) numel *= BigInt(d);
    const expected = numel * BigInt(DTYPE_SIZES[dtype]);
    if (expected !== BigInt(end - begin)) {
      throw new SafetensorsError(
        'SHAPE_MISMATCH',
        source,
        `${where}: shape [${shape.join(', ')}] of ${dtype} needs ${expected} bytes, but data_offsets [${begin}, ${end}] hold ${end - begin}`,
      );
    }
    tensors.set(key, { dtype, shape: [...(shape as number[])], byteOffset: dataStart + begin, byteLength: end - begin });
    spans.push({ key, begin, end });
  }

  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous = '';
  for (const span of spans) {
    if (span.begin < cursor) {
      throw new SafetensorsError(
        'OVERLAP',
        source,
        `tensor ${JSON.stringify(span.key)} (bytes ${span.begin}..${span.end}) overlaps tensor ${JSON.stringify(previous)} (ends at ${cursor})`,
      );
    }
    if (span.begin > cursor) {
      throw new SafetensorsError(
        'GAP',
        source,
        `tensors are not contiguous: ${span.begin - cursor} unused byte(s) before tensor ${JSON.stringify(span.key)} at data offset ${cursor}`,
      );
    }
    cursor = span.end;
    previous = span.key;
  }
  if (cursor !== dataSize) {
    throw new SafetensorsError(
      'GAP',
      source,
      `tensors are not contiguous: the data section is ${dataSize} bytes but the tensors cover ${cursor}`,
    );
  }
  return { tensors, metadata, dataStart };
}
