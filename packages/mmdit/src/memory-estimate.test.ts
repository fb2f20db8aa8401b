import { describe, expect, it } from 'vitest';
import { resolveMMDiTConfig } from './config';
import { mmditParameters, samplingBytes, trainingBytes } from './memory-estimate';
import { MMDiT } from './mmdit';

describe('memory estimate', () => {
  it('estimates MM-DiT parameters close to the real count', () => {
    const options = { depth: 2, patchSize: 4, inChannels: 3, contextDim: 64, pooledDim: 64, posEmbedMaxSize: 8 };
    const model = new MMDiT(options, { seed: 0 });
    const real = model.parameterCount();
    model.dispose();
    const estimate = mmditParameters(resolveMMDiTConfig(options));
    expect(estimate / real).toBeGreaterThan(0.9);
    expect(estimate / real).toBeLessThan(1.2);
  });

  it('grows training and sampling bytes with the batch', () => {
    const base = { parameters: 1e6, tokens: 80, hidden: 64, depth: 2, heads: 4 };
    expect(trainingBytes({ ...base, batch: 32 })).toBeGreaterThan(trainingBytes({ ...base, batch: 16 }));
    expect(samplingBytes({ ...base, batch: 8 })).toBeGreaterThan(samplingBytes({ ...base, batch: 1 }));
    expect(samplingBytes({ ...base, batch: 1 })).toBeGreaterThanOrEqual(4 * base.parameters);
  });
});
