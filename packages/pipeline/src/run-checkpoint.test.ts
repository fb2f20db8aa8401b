import { RectiflowError, tf } from '@rectiflow/core';
import { expectNoTensorLeak } from '@rectiflow/core/testing';
import { MMDiT } from '@rectiflow/mmdit';
import { serializeSafetensors } from '@rectiflow/safetensors';
import { SmallTextEncoder } from '@rectiflow/text-encoders';
import { describe, expect, it } from 'vitest';
import { checkpointFilesFromMap, checkpointFilesFromUrl, loadRunFromFiles, parseRunState } from './run-checkpoint';

const config = {
  model: 'mmdit(depth=1, patch=2)',
  textEncoder: 'small-text(dim=8, depth=1, heads=2, length=4)',
  autoencoder: 'pixel',
  formulation: 'rf/lognorm(0.50, 0.80)',
  shift: 1,
  sampleSteps: 8,
  guidance: 3,
  sampleSolver: 'euler',
};

/** A checkpoint folder as the train app writes it, in memory. */
async function tinyCheckpoint(): Promise<{ files: Map<string, Uint8Array>; reference: tf.Tensor }> {
  const text = SmallTextEncoder.fromCaptions(['a red circle', 'a blue square'], { dim: 8, depth: 1, heads: 2, length: 4, seed: 3 });
  const mmdit = new MMDiT({ depth: 1, patchSize: 2, inChannels: 3, contextDim: 8, pooledDim: 8, posEmbedMaxSize: 4 }, { seed: 5 });
  const x = tf.randomNormal([1, 3, 8, 8], 0, 1, 'float32', 7);
  const cond = text.encode(['a red circle']);
  const reference = mmdit.forward(x, tf.tensor1d([0.5]), cond.pooled, cond.context);
  const state = mmdit.stateDict();
  const files = new Map<string, Uint8Array>([
    ['ema.safetensors', await serializeSafetensors(state)],
    ['text-encoder-ema.safetensors', await serializeSafetensors(text.weights())],
    [
      'state.json',
      new TextEncoder().encode(
        JSON.stringify({
          step: 42,
          config,
          vocabulary: text.vocabulary,
          textEncoder: { config: text.config },
          latentShape: [3, 8, 8],
          imageChannels: 3,
        }),
      ),
    ],
  ]);
  tf.dispose([x, cond.context, cond.pooled, ...(cond.mask ? [cond.mask] : []), ...state.values()]);
  mmdit.dispose();
  text.dispose();
  return { files, reference };
}

describe('loadRunFromFiles', () => {
  it('rebuilds a run from its checkpoint bytes: same network output, the run config and formulation', async () => {
    const { files, reference } = await tinyCheckpoint();
    await expectNoTensorLeak(async () => {
      const run = await loadRunFromFiles(checkpointFilesFromMap(files, 'memory'));
      expect(run.step).toBe(42);
      expect(run.config.sampleSteps).toBe(8);
      expect(run.shift).toBe(1);
      expect(run.latentShape).toEqual([3, 8, 8]);
      const got = tf.tidy(() => {
        const x = tf.randomNormal([1, 3, 8, 8], 0, 1, 'float32', 7);
        const cond = run.textEncoder.encode(['a red circle']);
        return run.model.model.forward(x, tf.tensor1d([0.5]), cond.pooled, cond.context);
      });
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(got, reference))));
      expect((await diff.data())[0]).toBeLessThan(1e-6);
      tf.dispose([got, diff]);
      run.dispose();
    });
    reference.dispose();
  });

  it('names the missing file and the broken state', async () => {
    const { files, reference } = await tinyCheckpoint();
    reference.dispose();
    files.delete('text-encoder-ema.safetensors');
    await expect(loadRunFromFiles(checkpointFilesFromMap(files, 'memory'))).rejects.toThrow(
      /^checkpoint: memory has no text-encoder-ema\.safetensors$/,
    );
    await expect(loadRunFromFiles(checkpointFilesFromMap(files, 'memory'), { ema: false })).rejects.toThrow(
      /memory has no model\.safetensors/,
    );
    expect(() => parseRunState('{"step": 1}', 'x')).toThrow(/^checkpoint: x\/state\.json has no config$/);
    expect(() => parseRunState('{', 'x')).toThrow(RectiflowError);
  });

  it('reads files under a URL and reports HTTP errors', async () => {
    const { files, reference } = await tinyCheckpoint();
    reference.dispose();
    const fetchFn = (async (url: string) => {
      const name = url.slice('https://example.test/run/'.length);
      const bytes = files.get(name);
      return bytes ? new Response(bytes.slice().buffer as ArrayBuffer) : new Response('no', { status: 404, statusText: 'Not Found' });
    }) as typeof fetch;
    const source = checkpointFilesFromUrl('https://example.test/run', fetchFn);
    expect(await source.read('state.json')).toEqual(files.get('state.json'));
    await expect(source.read('nope.json')).rejects.toThrow(/^checkpoint: https:\/\/example\.test\/run\/nope\.json: HTTP 404 Not Found$/);
  });
});
