import { expectRelClose, readFixtureJson } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { createForwardProcess } from './forward-process-plugins';
import { RectifiedFlowProcess } from './rectified-flow';
import { ShiftedProcess } from './shifted-process';

const fx = readFixtureJson<{ t: number[]; cases: { alpha: number; t_shifted: number[]; dt_shifted_dt: number[] }[] }>('shift.json');

describe('shifted process', () => {
  it("shifted rectified flow has b_t = shift(t) and b'_t = shift'(t) from shift.json", () => {
    for (const c of fx.cases) {
      const p = new ShiftedProcess(new RectifiedFlowProcess(), c.alpha);
      expectRelClose(
        fx.t.map((t) => p.b(t)),
        c.t_shifted,
        1e-12,
        `b, alpha ${c.alpha}`,
      );
      expectRelClose(
        fx.t.map((t) => p.db(t)),
        c.dt_shifted_dt,
        1e-12,
        `db, alpha ${c.alpha}`,
      );
    }
  });

  it('follows the chain rule for lambda and is created from specs, alpha from token counts', () => {
    const p = createForwardProcess('shift-tokens(4096, 256, cosine)');
    const inner = createForwardProcess('cosine');
    expect(p.name).toBe('shift(4, cosine)');
    const t = 0.3;
    const s = (4 * t) / (1 + 3 * t);
    expect(p.lambda(t)).toBe(inner.lambda(s));
    expect(p.dlambda(t)).toBeCloseTo(inner.dlambda(s) * (4 / (1 + 3 * t) ** 2), 12);
    expect(createForwardProcess('shift(3)').name).toBe('shift(3, rf)');
    expect(createForwardProcess('shift(3, edm(-1.2, 1.2))').name).toBe('shift(3, "edm(-1.2, 1.2)")');
  });
});
