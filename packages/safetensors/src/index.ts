/**
 * @rectiflow/safetensors: a strict, streaming safetensors reader and writer for
 * TensorFlow.js, and key-mapping helpers for checkpoint converters.
 * @packageDocumentation
 */
export { type ByteSource, bytesSource } from './byte-source';
export {
  bf16ToF32,
  DTYPE_SIZES,
  DTYPES,
  type Dtype,
  f8e4m3ToF32,
  f8e5m2ToF32,
  f16ToF32,
  f32ToBf16,
  f32ToF16,
  type TensorData,
} from './dtypes';
export { SafetensorsError, type SafetensorsErrorCode } from './errors';
export { MAX_HEADER_BYTES, type TensorInfo } from './header';
export {
  addPrefix,
  type Entries,
  filterKeys,
  findPrefix,
  KeyCollisionError,
  mapKeys,
  type RenameRule,
  renameKey,
  renameKeys,
  stripPrefix,
} from './key-map';
export { type ReadOptions, readSafetensors, readTensors, type SafetensorsFile, type TensorOptions } from './reader';
export { readShardedSafetensors, type ShardIndex, type ShardOpener } from './sharded';
export { blobSource, type UrlSourceOptions, urlSource } from './url-source';
export {
  isSafetensorsFile,
  type OpenedWeightSource,
  type OpenWeightSourceOptions,
  openWeightSource,
  type WeightSource,
} from './weight-source';
export {
  type RawTensor,
  safetensorsChunks,
  serializeSafetensors,
  type TensorInput,
  type WriteOptions,
  writeSafetensors,
} from './writer';
