import { MMDiT, resolveMMDiTConfig } from '@rectiflow/mmdit';
import { describe, expect, it } from 'vitest';
import { checkFits, largestFitting, memoryBudget, mmditParameters, trainingBytes } from './size-bounds';

describe('size bounds', () => {
  it('estimates MM-DiT parameters close to the real count', () => {
    const options = { depth: 2, patchSize: 4, inChannels: 3, contextDim: 64, pooledDim: 64, posEmbedMaxSize: 8 };
    const model = new MMDiT(options, { seed: 0 });
    const real = model.parameterCount();
    model.dispose();
    const estimate = mmditParameters(resolveMMDiTConfig(options));
    expect(estimate / real).toBeGreaterThan(0.9);
    expect(estimate / real).toBeLessThan(1.2);
  });

  it('refuses what does not fit with one line saying what fits', () => {
    const huge = mmditParameters(resolveMMDiTConfig({ depth: 100000 }));
    const bytes = trainingBytes({ parameters: huge, batch: 16, tokens: 80, hidden: 6_400_000, depth: 100000, heads: 100000 });
    expect(bytes).toBeGreaterThan(memoryBudget().bytes);
    expect(() => checkFits('model', 'mmdit(depth=100000)', bytes, 'at most about depth=12 fits')).toThrow(
      /^model: mmdit\(depth=100000\) needs about [\d.,]+ GiB, more than .*; at most about depth=12 fits$/,
    );
    expect(() => checkFits('model', 'x', 1024, '')).not.toThrow();
    expect(largestFitting(100, (n) => n * n <= 50)).toBe(7);
    expect(largestFitting(100, () => false)).toBe(0);
  });
});
