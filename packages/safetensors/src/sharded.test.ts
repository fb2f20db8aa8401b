import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '@rectiflow/core';
import { describe, expect, it } from 'vitest';
import { readShardedSafetensors } from './sharded';
import { openWeightSource } from './weight-source';
import { serializeSafetensors } from './writer';

async function shardedFolder(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'rectiflow-shards-'));
  mkdirSync(join(dir, 'transformer'));
  const a = await serializeSafetensors({ 'x.weight': tf.ones([2, 2]), 'x.bias': tf.zeros([2]) });
  const b = await serializeSafetensors({ 'y.weight': tf.fill([3], 2) });
  writeFileSync(join(dir, 'transformer', 'diffusion_pytorch_model-00001-of-00002.safetensors'), a);
  writeFileSync(join(dir, 'transformer', 'diffusion_pytorch_model-00002-of-00002.safetensors'), b);
  const index = {
    metadata: { total_size: 28 },
    weight_map: {
      'x.weight': 'diffusion_pytorch_model-00001-of-00002.safetensors',
      'x.bias': 'diffusion_pytorch_model-00001-of-00002.safetensors',
      'y.weight': 'diffusion_pytorch_model-00002-of-00002.safetensors',
    },
  };
  writeFileSync(join(dir, 'transformer', 'diffusion_pytorch_model.safetensors.index.json'), JSON.stringify(index));
  return dir;
}

describe('sharded checkpoints', () => {
  it('open as one file across shards, from the index path or a folder holding it', async () => {
    const dir = await shardedFolder();
    const file = await readShardedSafetensors(join(dir, 'transformer', 'diffusion_pytorch_model.safetensors.index.json'));
    expect(file.keys().sort()).toEqual(['x.bias', 'x.weight', 'y.weight']);
    expect(file.metadata.total_size).toBe('28');
    const y = await file.tensor('y.weight');
    expect([...y.dataSync()]).toEqual([2, 2, 2]);
    y.dispose();
    await file.close();
    // A diffusers pipeline folder: the transformer/ subfolder is found when asked for.
    const opened = await openWeightSource(dir, { subfolders: ['transformer', ''] });
    expect(opened.kind === 'file' && opened.file.keys().length).toBe(3);
    if (opened.kind === 'file') await opened.close();
    await expect(openWeightSource(dir)).rejects.toThrow(/a folder without weights; looked for diffusion_pytorch_model\.safetensors/);
  });

  it('rejects an index that puts a key in the wrong shard, or a shard outside its folder', async () => {
    const bytes = await serializeSafetensors({ a: tf.ones([1]) });
    const open = async () => bytes;
    const both = await serializeSafetensors({ a: tf.ones([1]), x: tf.ones([1]) });
    const twoShards = async (shard: string) => (shard === 's1.safetensors' ? bytes : both);
    await expect(readShardedSafetensors({ json: JSON.stringify({ weight_map: { b: 's1.safetensors' } }), open })).rejects.toThrow(
      /the index puts "b" in s1\.safetensors, which does not hold it/,
    );
    await expect(readShardedSafetensors({ json: JSON.stringify({ weight_map: { a: '../a.safetensors' } }), open })).rejects.toThrow(
      /must be a file name beside the index/,
    );
    await expect(readShardedSafetensors({ json: '{"weights": {}}', open })).rejects.toThrow(/needs a "weight_map" object/);
    await expect(
      readShardedSafetensors({ json: JSON.stringify({ weight_map: { a: 's1.safetensors' } }), open: async () => bytes }).then(() =>
        readShardedSafetensors({ json: JSON.stringify({ weight_map: { a: 's1.safetensors', x: 's2.safetensors' } }), open: twoShards }),
      ),
    ).rejects.toThrow(/tensor "a" is in two shards/);
  });
});
