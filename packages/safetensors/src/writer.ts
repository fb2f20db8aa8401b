/**
 * Writing safetensors: compact JSON header with keys in sorted order and `__metadata__`
 * last, padded with spaces to 8 bytes, then the tensors contiguously in the same order.
 */
import { tf } from '@rectiflow/core';
import { DTYPE_SIZES, DTYPES, type Dtype, f32ToBf16, f32ToF16, isDtype, type TensorData } from './dtypes';
import { SafetensorsError } from './errors';

/** A tensor given as raw data. F16/BF16 data may be raw bits (Uint16Array) or values. */
export interface RawTensor {
  dtype: Dtype;
  shape: readonly number[];
  data: TensorData | Uint16Array | ArrayLike<number> | ArrayLike<bigint>;
}

/** What can be written: tfjs tensors or raw tensors. */
export type TensorInput = tf.Tensor | RawTensor;

/** Options of {@link serializeSafetensors} and {@link writeSafetensors}. */
export interface WriteOptions {
  /** The dtype float32 tfjs tensors are stored as. Default `F32`. */
  floatDtype?: 'F32' | 'F16' | 'BF16';
}

const encoder = new TextEncoder();

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function encodeRaw(key: string, dtype: Dtype, data: RawTensor['data'], count: number): Uint8Array {
  const fail = (detail: string): never => {
    throw new SafetensorsError('INVALID_TENSOR', key, detail);
  };
  if (data.length !== count) fail(`data has ${data.length} elements but the shape needs ${count}`);
  switch (dtype) {
    case 'F64':
      return bytesOf(data instanceof Float64Array ? data : Float64Array.from(data as ArrayLike<number>));
    case 'F32':
      return bytesOf(data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>));
    case 'F16':
    case 'BF16': {
      if (data instanceof Uint16Array) return bytesOf(data);
      const convert = dtype === 'F16' ? f32ToF16 : f32ToBf16;
      return bytesOf(Uint16Array.from(data as ArrayLike<number>, (v) => convert(v)));
    }
    case 'F8_E4M3':
    case 'F8_E5M2':
      // Raw float8 bits only: Rectiflow reads float8 checkpoints but does not quantise to them.
      if (data instanceof Uint8Array) return bytesOf(data);
      return fail(`${dtype} is written from its raw bits only (a Uint8Array); float8 quantisation is not supported`);
    case 'I64': {
      if (data instanceof BigInt64Array) return bytesOf(data);
      const out = new BigInt64Array(count);
      for (let i = 0; i < count; i++) {
        const v = (data as ArrayLike<number | bigint>)[i];
        if (typeof v === 'number' && !Number.isInteger(v)) fail(`I64 value ${v} at index ${i} is not an integer`);
        out[i] = BigInt(v);
      }
      return bytesOf(out);
    }
    case 'I32':
      return bytesOf(data instanceof Int32Array ? data : Int32Array.from(data as ArrayLike<number>));
    case 'I16':
      return bytesOf(data instanceof Int16Array ? data : Int16Array.from(data as ArrayLike<number>));
    case 'I8':
      return bytesOf(data instanceof Int8Array ? data : Int8Array.from(data as ArrayLike<number>));
    case 'U8':
      return bytesOf(data instanceof Uint8Array ? data : Uint8Array.from(data as ArrayLike<number>));
    default:
      return Uint8Array.from(data as ArrayLike<number>, (v) => (v ? 1 : 0));
  }
}

interface Planned {
  key: string;
  dtype: Dtype;
  shape: number[];
  byteLength: number;
  bytes: () => Promise<Uint8Array>;
}

function plan(key: string, input: TensorInput, options: WriteOptions): Planned {
  if (input instanceof tf.Tensor) {
    if (input.isDisposed) throw new SafetensorsError('INVALID_TENSOR', key, 'tensor is disposed');
    const dtype: Dtype =
      input.dtype === 'float32'
        ? (options.floatDtype ?? 'F32')
        : input.dtype === 'int32'
          ? 'I32'
          : input.dtype === 'bool'
            ? 'BOOL'
            : fail();
    function fail(): never {
      throw new SafetensorsError('INVALID_TENSOR', key, `tfjs dtype ${input.dtype} cannot be written; use float32, int32 or bool`);
    }
    return {
      key,
      dtype,
      shape: [...input.shape],
      byteLength: input.size * DTYPE_SIZES[dtype],
      bytes: async () => encodeRaw(key, dtype, (await input.data()) as TensorData, input.size),
    };
  }
  const givenDtype: unknown = (input as RawTensor | undefined)?.dtype;
  if (!isDtype(givenDtype)) {
    throw new SafetensorsError(
      'INVALID_TENSOR',
      key,
      `dtype ${JSON.stringify(givenDtype)} is not supported; supported: ${DTYPES.join(', ')}`,
    );
  }
  const shape = input.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new SafetensorsError('INVALID_TENSOR', key, `shape ${JSON.stringify(shape)} must be a list of non-negative integers`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const encoded = encodeRaw(key, input.dtype, input.data, count);
  return { key, dtype: input.dtype, shape: [...shape], byteLength: encoded.byteLength, bytes: async () => encoded };
}

function entriesOf(tensors: Record<string, TensorInput> | Map<string, TensorInput>): Array<[string, TensorInput]> {
  return tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
}

function prepare(
  tensors: Record<string, TensorInput> | Map<string, TensorInput>,
  metadata: Record<string, string> | undefined,
  options: WriteOptions,
): { header: Uint8Array; planned: Planned[] } {
  const entries = entriesOf(tensors);
  for (const [key] of entries) {
    if (key === '__metadata__' || key.length === 0) {
      throw new SafetensorsError('INVALID_TENSOR', JSON.stringify(key), 'is not a valid tensor key');
    }
  }
  const planned = entries.map(([key, t]) => plan(key, t, options)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const p of planned) {
    header[p.key] = { dtype: p.dtype, shape: p.shape, data_offsets: [offset, offset + p.byteLength] };
    offset += p.byteLength;
  }
  if (metadata && Object.keys(metadata).length) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string')
        throw new SafetensorsError('INVALID_TENSOR', '__metadata__', `value of ${JSON.stringify(k)} must be a string`);
    }
    header.__metadata__ = metadata;
  }
  const json = encoder.encode(JSON.stringify(header));
  const padded = Math.ceil((8 + json.byteLength) / 8) * 8 - 8;
  const out = new Uint8Array(8 + padded).fill(0x20);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  return { header: out, planned };
}

/** The file's bytes as a sequence of chunks: the header, then each tensor. */
export async function* safetensorsChunks(
  tensors: Record<string, TensorInput> | Map<string, TensorInput>,
  metadata?: Record<string, string>,
  options: WriteOptions = {},
): AsyncGenerator<Uint8Array> {
  const { header, planned } = prepare(tensors, metadata, options);
  yield header;
  for (const p of planned) yield await p.bytes();
}

/** Serialise tensors to safetensors bytes in memory. */
export async function serializeSafetensors(
  tensors: Record<string, TensorInput> | Map<string, TensorInput>,
  metadata?: Record<string, string>,
  options: WriteOptions = {},
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of safetensorsChunks(tensors, metadata, options)) chunks.push(chunk);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Write a safetensors file. Tensors are streamed one by one (no whole-file buffer), into
 * a temporary file that replaces `path` only once complete, so a crash never leaves a
 * half-written checkpoint.
 */
export async function writeSafetensors(
  path: string,
  tensors: Record<string, TensorInput> | Map<string, TensorInput>,
  metadata?: Record<string, string>,
  options: WriteOptions = {},
): Promise<void> {
  const { writeFileAtomic } = await import('./node-file');
  await writeFileAtomic(path, safetensorsChunks(tensors, metadata, options));
}
