/**
 * Reading safetensors files: the header first, then each tensor on demand at its offset,
 * so checkpoints far larger than memory can be opened and filtered.
 */
import { tf } from '@rectiflow/core';
import { type ByteSource, bytesSource, isByteSource } from './byte-source';
import { bf16ToF32, type Dtype, f8e4m3ToF32, f8e5m2ToF32, f16ToF32, type TensorData } from './dtypes';
import { SafetensorsError } from './errors';
import { parseHeader, parseHeaderLength, type TensorInfo } from './header';

/** Options of {@link readSafetensors}. */
export interface ReadOptions {
  /** Only expose tensors whose key starts with this prefix (e.g. `model.diffusion_model.`). */
  prefix?: string;
  /** Expose the filtered keys without the prefix. Default false. */
  stripPrefix?: boolean;
}

/** Options of {@link SafetensorsFile.tensor}. */
export interface TensorOptions {
  /** For I64 tensors: allow values outside the int32 range to wrap instead of throwing. Default false. */
  allowInt64Overflow?: boolean;
}

/** An open safetensors file. Tensors are read on demand. */
export interface SafetensorsFile {
  /** The `__metadata__` entries. */
  readonly metadata: Readonly<Record<string, string>>;
  /** The file path, or `<bytes>`. */
  readonly source: string;
  /** The exposed tensor keys, in header order. */
  keys(): string[];
  /** Whether a key is exposed. */
  has(key: string): boolean;
  /** dtype, shape and location of a tensor. @throws `UNKNOWN_KEY` */
  info(key: string): TensorInfo;
  /** The raw little-endian bytes of a tensor. */
  readBytes(key: string): Promise<Uint8Array>;
  /** The tensor's values as a typed array; F16, BF16, F8_E4M3 and F8_E5M2 are converted to Float32Array. */
  read(key: string): Promise<TensorData>;
  /**
   * The tensor as a tfjs tensor: floats become float32, integers int32 (I64 checked for
   * range), BOOL bool.
   */
  tensor(key: string, options?: TensorOptions): Promise<tf.Tensor>;
  /** Every exposed tensor as tfjs tensors. */
  tensors(options?: TensorOptions): Promise<Map<string, tf.Tensor>>;
  /** Close the underlying file. */
  close(): Promise<void>;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function decode(dtype: Dtype, bytes: Uint8Array): TensorData {
  const { buffer, byteOffset, byteLength } = bytes;
  switch (dtype) {
    case 'F64':
      return new Float64Array(buffer, byteOffset, byteLength / 8);
    case 'F32':
      return new Float32Array(buffer, byteOffset, byteLength / 4);
    case 'F16':
    case 'BF16': {
      const bits = new Uint16Array(buffer, byteOffset, byteLength / 2);
      const out = new Float32Array(bits.length);
      const convert = dtype === 'F16' ? f16ToF32 : bf16ToF32;
      for (let i = 0; i < bits.length; i++) out[i] = convert(bits[i]);
      return out;
    }
    case 'F8_E4M3':
    case 'F8_E5M2': {
      const bits = new Uint8Array(buffer, byteOffset, byteLength);
      const convert = dtype === 'F8_E4M3' ? f8e4m3ToF32 : f8e5m2ToF32;
      return Float32Array.from(bits, convert);
    }
    case 'I64':
      return new BigInt64Array(buffer, byteOffset, byteLength / 8);
    case 'I32':
      return new Int32Array(buffer, byteOffset, byteLength / 4);
    case 'I16':
      return new Int16Array(buffer, byteOffset, byteLength / 2);
    case 'I8':
      return new Int8Array(buffer, byteOffset, byteLength);
    default:
      return new Uint8Array(buffer, byteOffset, byteLength);
  }
}

class File implements SafetensorsFile {
  private readonly exposed: Map<string, TensorInfo>;

  constructor(
    private readonly src: ByteSource,
    all: Map<string, TensorInfo>,
    readonly metadata: Record<string, string>,
    options: ReadOptions,
  ) {
    const prefix = options.prefix ?? '';
    this.exposed = new Map();
    for (const [key, info] of all) {
      if (!key.startsWith(prefix)) continue;
      this.exposed.set(options.stripPrefix ? key.slice(prefix.length) : key, info);
    }
  }

  get source(): string {
    return this.src.label;
  }

  keys(): string[] {
    return [...this.exposed.keys()];
  }

  has(key: string): boolean {
    return this.exposed.has(key);
  }

  info(key: string): TensorInfo {
    const info = this.exposed.get(key);
    if (!info) {
      const near = this.keys()
        .filter((k) => k.includes(key.split('.').pop() ?? key))
        .slice(0, 5);
      throw new SafetensorsError(
        'UNKNOWN_KEY',
        this.source,
        `no tensor ${JSON.stringify(key)} (the file exposes ${this.exposed.size} tensors${near.length ? `; similar: ${near.join(', ')}` : ''})`,
      );
    }
    return { ...info, shape: [...info.shape] };
  }

  async readBytes(key: string): Promise<Uint8Array> {
    const info = this.info(key);
    return this.src.read(info.byteOffset, info.byteLength);
  }

  async read(key: string): Promise<TensorData> {
    const info = this.info(key);
    return decode(info.dtype, await this.src.read(info.byteOffset, info.byteLength));
  }

  async tensor(key: string, options: TensorOptions = {}): Promise<tf.Tensor> {
    const info = this.info(key);
    const data = await this.read(key);
    const shape = info.shape;
    switch (info.dtype) {
      case 'F64':
        return tf.tensor(Float32Array.from(data as Float64Array), shape, 'float32');
      case 'F32':
      case 'F16':
      case 'BF16':
      case 'F8_E4M3':
      case 'F8_E5M2':
        return tf.tensor(data as Float32Array, shape, 'float32');
      case 'I64': {
        const wide = data as BigInt64Array;
        const out = new Int32Array(wide.length);
        for (let i = 0; i < wide.length; i++) {
          const v = wide[i];
          if (!options.allowInt64Overflow && (v > 2147483647n || v < -2147483648n)) {
            throw new SafetensorsError(
              'UNSUPPORTED',
              this.source,
              `tensor ${JSON.stringify(key)}: I64 value ${v} at index ${i} does not fit int32 (tfjs has no int64); pass allowInt64Overflow to wrap`,
            );
          }
          out[i] = Number(BigInt.asIntN(32, v));
        }
        return tf.tensor(out, shape, 'int32');
      }
      case 'BOOL':
        return tf.tensor(
          Uint8Array.from(data as Uint8Array, (v) => (v ? 1 : 0)),
          shape,
          'bool',
        );
      default:
        return tf.tensor(Int32Array.from(data as Int16Array), shape, 'int32');
    }
  }

  async tensors(options: TensorOptions = {}): Promise<Map<string, tf.Tensor>> {
    const out = new Map<string, tf.Tensor>();
    try {
      for (const key of this.keys()) out.set(key, await this.tensor(key, options));
    } catch (e) {
      tf.dispose([...out.values()]);
      throw e;
    }
    return out;
  }

  close(): Promise<void> {
    return this.src.close();
  }
}

/**
 * Open a safetensors file and validate its header. Tensors are read on demand.
 *
 * @param source a file path (Node), the file's bytes, or any {@link ByteSource}.
 * @throws {@link SafetensorsError} naming what is wrong: a truncated file, a header length
 *   beyond the file or absurdly large, invalid JSON or a duplicate key, an unknown dtype,
 *   a shape that does not match the byte length, offsets out of bounds, overlapping or not
 *   contiguous.
 * @example
 * ```ts
 * const file = await readSafetensors('sd3_medium.safetensors', { prefix: 'model.diffusion_model.', stripPrefix: true });
 * const w = await file.tensor('x_embedder.proj.weight');
 * await file.close();
 * ```
 */
export async function readSafetensors(
  source: string | Uint8Array | ArrayBuffer | ByteSource,
  options: ReadOptions = {},
): Promise<SafetensorsFile> {
  if (!LITTLE_ENDIAN) throw new SafetensorsError('UNSUPPORTED', String(source), 'big-endian hosts are not supported');
  let src: ByteSource;
  if (typeof source === 'string') {
    const { openFileSource } = await import('./node-file');
    src = await openFileSource(source);
  } else if (isByteSource(source)) {
    src = source;
  } else if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    src = bytesSource(source);
  } else {
    throw new TypeError('readSafetensors: source must be a path, a Uint8Array, an ArrayBuffer or a ByteSource');
  }
  try {
    const prefix = await src.read(0, Math.min(8, src.size));
    const headerLength = parseHeaderLength(prefix, src.size, src.label);
    const header = parseHeader(await src.read(8, headerLength), src.size, src.label);
    return new File(src, header.tensors, header.metadata, options);
  } catch (e) {
    await src.close();
    throw e;
  }
}

/**
 * Every tensor of a safetensors source (a path, bytes or a `ByteSource`), the file closed
 * afterwards. The caller owns the tensors.
 */
export async function readTensors(source: Parameters<typeof readSafetensors>[0], options?: ReadOptions): Promise<Map<string, tf.Tensor>> {
  const file = await readSafetensors(source, options);
  try {
    return await file.tensors();
  } finally {
    await file.close();
  }
}
