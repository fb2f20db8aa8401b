import { tf } from '@rectiflow/core';
import { expectClose, fixturePath } from '@rectiflow/core/testing';
import { readTensors } from '@rectiflow/safetensors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMMDiT } from './load-mmdit';
import type { MMDiT } from './mmdit';

const TOL = { atol: 1e-4, rtol: 1e-4 };

describe('mmdit_tiny parity with the official code', () => {
  let model: MMDiT;
  let io: Map<string, tf.Tensor>;
  let expected: Map<string, tf.Tensor>;

  beforeAll(async () => {
    model = await loadMMDiT(fixturePath('mmdit_tiny.safetensors'));
    io = await readTensors(fixturePath('mmdit_tiny_io.safetensors'));
    expected = await readTensors(fixturePath('mmdit_tiny_intermediates.safetensors'));
  });
  afterAll(() => {
    model.dispose();
    tf.dispose([...io.values(), ...expected.values()]);
  });

  it('infers the architecture from the shapes', () => {
    expect(model.config).toMatchObject({
      depth: 2,
      hidden: 128,
      heads: 2,
      mlpHidden: 512,
      patchSize: 2,
      inChannels: 16,
      outChannels: 16,
      pooledDim: 32,
      contextDim: 48,
      posEmbedMaxSize: 16,
      qkNorm: true,
      qkvBias: true,
      dualAttentionLayers: [],
      registerTokens: 0,
    });
    // 1,099,584 parameters (mmdit_tiny.json) plus the 256 x 128 position buffer.
    expect(model.parameterCount()).toBe(1099584 + 256 * 128);
  });

  it('reproduces `out` and every recorded intermediate within 1e-4', () => {
    const seen = new Map<string, Float32Array>();
    const out = model.forward(io.get('x')!, io.get('t')!, io.get('y')!, io.get('context')!, {
      trace: (name, value) => {
        seen.set(name, value.dataSync() as Float32Array);
      },
    });
    expectClose(out, io.get('out')!, { ...TOL, label: 'out' });
    out.dispose();
    for (const [name, value] of expected) {
      const got = seen.get(name);
      expect(got, `intermediate ${name} was traced`).toBeDefined();
      expectClose(got!, value.dataSync(), { ...TOL, label: name });
    }
  });
});
