/**
 * Random-access bytes: a file handle in Node, or bytes in memory anywhere.
 */

/** A readable, random-access source of bytes. */
export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /** A name for error messages (a path, or `<bytes>`). */
  readonly label: string;
  /** Read exactly `length` bytes at `offset` into a new array. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Release the source (closes a file handle). */
  close(): Promise<void>;
}

/** Refuse a read of `length` bytes at `offset` that is not inside a source of `size` bytes. */
export function checkReadRange(label: string, offset: number, length: number, size: number): void {
  if (offset < 0 || length < 0 || offset + length > size) {
    throw new RangeError(`${label}: read of ${length} bytes at ${offset} is outside ${size} bytes`);
  }
}

/** A {@link ByteSource} over bytes in memory. Reads return copies, so they are aligned. */
export function bytesSource(data: Uint8Array | ArrayBuffer, label = '<bytes>'): ByteSource {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  return {
    size: bytes.byteLength,
    label,
    async read(offset, length) {
      checkReadRange(label, offset, length, bytes.byteLength);
      return bytes.slice(offset, offset + length);
    },
    async close() {},
  };
}

/** Whether a value implements {@link ByteSource}. */
export function isByteSource(value: unknown): value is ByteSource {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ByteSource).read === 'function' &&
    typeof (value as ByteSource).size === 'number'
  );
}
