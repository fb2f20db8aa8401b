/**
 * Sharded checkpoints: a `*.safetensors.index.json` (`{ metadata, weight_map: { key: shard } }`,
 * as diffusers and transformers write them) opened as one {@link SafetensorsFile} whose keys
 * span every shard. Each shard is read lazily, like a single file.
 */
import { tf } from '@rectiflow/core';
import type { ByteSource } from './byte-source';
import type { TensorData } from './dtypes';
import { SafetensorsError } from './errors';
import type { TensorInfo } from './header';
import { type ReadOptions, readSafetensors, type SafetensorsFile, type TensorOptions } from './reader';

/** The JSON of a `*.safetensors.index.json` file. */
export interface ShardIndex {
  metadata?: Record<string, unknown>;
  weight_map: Record<string, string>;
}

/** Where a shard's bytes come from, given its file name in the index (browser: fetch it). */
export type ShardOpener = (shard: string) => Promise<string | Uint8Array | ArrayBuffer | ByteSource>;

function parseIndex(text: string, label: string): ShardIndex {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError('INVALID_JSON', label, `the shard index is not valid JSON (${(e as Error).message})`);
  }
  const map = (json as { weight_map?: unknown })?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map) || !Object.values(map).every((v) => typeof v === 'string')) {
    throw new SafetensorsError('INVALID_HEADER', label, 'the shard index needs a "weight_map" object of tensor key -> shard file name');
  }
  for (const shard of Object.values(map as Record<string, string>)) {
    if (shard.includes('/') || shard.includes('\\') || shard === '..' || shard === '.') {
      throw new SafetensorsError('INVALID_HEADER', label, `shard ${JSON.stringify(shard)} must be a file name beside the index`);
    }
  }
  return json as ShardIndex;
}

class ShardedFile implements SafetensorsFile {
  readonly metadata: Readonly<Record<string, string>>;
  constructor(
    readonly source: string,
    private readonly owner: Map<string, SafetensorsFile>,
    private readonly shards: SafetensorsFile[],
    metadata: Record<string, unknown>,
  ) {
    this.metadata = Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  }
  private file(key: string): SafetensorsFile {
    const f = this.owner.get(key);
    if (!f)
      throw new SafetensorsError('UNKNOWN_KEY', this.source, `no tensor ${JSON.stringify(key)} in any shard (${this.owner.size} tensors)`);
    return f;
  }
  keys(): string[] {
    return [...this.owner.keys()];
  }
  has(key: string): boolean {
    return this.owner.has(key);
  }
  info(key: string): TensorInfo {
    return this.file(key).info(key);
  }
  readBytes(key: string): Promise<Uint8Array> {
    return this.file(key).readBytes(key);
  }
  read(key: string): Promise<TensorData> {
    return this.file(key).read(key);
  }
  tensor(key: string, options?: TensorOptions): Promise<tf.Tensor> {
    return this.file(key).tensor(key, options);
  }
  async tensors(options?: TensorOptions): Promise<Map<string, tf.Tensor>> {
    const out = new Map<string, tf.Tensor>();
    try {
      for (const key of this.keys()) out.set(key, await this.tensor(key, options));
    } catch (e) {
      tf.dispose([...out.values()]);
      throw e;
    }
    return out;
  }
  async close(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.close()));
  }
}

/**
 * Open a sharded checkpoint from its `*.safetensors.index.json`: a path (Node; shards are read
 * from the same folder) or the index's JSON text with a {@link ShardOpener}. Every key of the
 * weight map must be in the shard it names, and no key may be in two shards.
 * @throws {@link SafetensorsError} naming the index, the shard and the key.
 */
export async function readShardedSafetensors(
  index: string | { json: string; label?: string; open: ShardOpener },
  options: ReadOptions = {},
): Promise<SafetensorsFile> {
  let text: string;
  let label: string;
  let open: ShardOpener;
  if (typeof index === 'string') {
    const { readTextFile, siblingPath } = await import('./node-file');
    text = await readTextFile(index);
    label = index;
    open = async (shard) => siblingPath(index, shard);
  } else {
    ({ json: text, open } = index);
    label = index.label ?? '<shard index>';
  }
  const parsed = parseIndex(text, label);
  const byShard = new Map<string, string[]>();
  for (const [key, shard] of Object.entries(parsed.weight_map)) byShard.set(shard, [...(byShard.get(shard) ?? []), key]);
  const shards: SafetensorsFile[] = [];
  const owner = new Map<string, SafetensorsFile>();
  try {
    for (const [shard, keys] of byShard) {
      const file = await readSafetensors(await open(shard), options);
      shards.push(file);
      const prefix = options.stripPrefix ? (options.prefix ?? '') : '';
      for (const key of keys) {
        if (options.prefix && !key.startsWith(options.prefix)) continue;
        const exposed = prefix ? key.slice(prefix.length) : key;
        if (!file.has(exposed)) {
          throw new SafetensorsError('UNKNOWN_KEY', label, `the index puts ${JSON.stringify(key)} in ${shard}, which does not hold it`);
        }
      }
      for (const key of file.keys()) {
        const other = owner.get(key);
        if (other)
          throw new SafetensorsError(
            'DUPLICATE_KEY',
            label,
            `tensor ${JSON.stringify(key)} is in two shards (${other.source} and ${file.source})`,
          );
        owner.set(key, file);
      }
    }
  } catch (e) {
    await Promise.all(shards.map((s) => s.close()));
    throw e;
  }
  return new ShardedFile(label, owner, shards, parsed.metadata ?? {});
}
