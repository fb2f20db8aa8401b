import { readFixtureJson } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { shiftAlpha, shiftTime, shiftTimeDerivative, unshiftTime } from './shift';

interface ShiftCase {
  alpha: number;
  alpha_expr: string;
  t_shifted: number[];
  dt_shifted_dt: number[];
  inverse_check_t: number[];
}
const fixture = readFixtureJson('shift.json') as {
  t: number[];
  cases: ShiftCase[];
};

function expectRel(actual: number, expected: number, rtol: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected) + 1e-300);
}

describe('resolution shift', () => {
  it.each(fixture.cases.map((c) => [c.alpha_expr, c] as const))('matches shift.json for alpha = %s', (_, c) => {
    fixture.t.forEach((t, i) => {
      expectRel(shiftTime(t, c.alpha), c.t_shifted[i], 1e-12);
      expectRel(shiftTimeDerivative(t, c.alpha), c.dt_shifted_dt[i], 1e-12);
      expectRel(unshiftTime(c.t_shifted[i], c.alpha), c.inverse_check_t[i], 1e-12);
      expectRel(unshiftTime(shiftTime(t, c.alpha), c.alpha), t, 1e-12);
    });
  });

  it('computes alpha from token counts and fixes the ends of [0, 1]', () => {
    expect(shiftAlpha(4096, 256)).toBe(4);
    expect(shiftTime(0, 3)).toBe(0);
    expect(shiftTime(1, 3)).toBe(1);
    expect(shiftTime(0.5, 3)).toBe(0.75);
  });

  it('rejects invalid alpha and token counts, naming the field', () => {
    expect(() => shiftTime(0.5, 0)).toThrow('alpha: got 0; expected a finite number > 0');
    expect(() => shiftTime(0.5, Number.NaN)).toThrow(/alpha: got NaN/);
    expect(() => shiftAlpha(-1, 256)).toThrow(/targetTokens: got -1/);
  });
});
