import { describe, expect, it } from 'vitest';
import { erf, erfc, normalCdf, normalPdf, normalQuantile } from './normal';

// References: mpmath at 40 digits (sqrt(2) erfinv(2p - 1) and erfc), rounded to 20 digits.
// Stored as strings: they carry more digits than a double holds.
const QUANTILES: [number, string][] = [
  [1e-20, '-9.2623400897984075796'],
  [1e-10, '-6.3613409024040561991'],
  [0.001, '-3.0902323061678135354'],
  [0.02425, '-1.9729610513118848376'],
  [0.3, '-0.52440051270804081597'],
  [0.4999, '-0.00025066283008800749239'],
  [0.84, '0.99445788320975303998'],
  [0.999, '3.0902323061678132778'],
];
const ERFC: [number, string][] = [
  [-3, '1.9999779095030014146'],
  [-0.5, '1.5204998778130465377'],
  [0.5, '0.47950012218695346232'],
  [0.99, '0.16149193044463020018'],
  [1.5, '0.033894853524689272933'],
  [3, '0.000022090496998585441373'],
  [6, '2.1519736712498913117e-17'],
];

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('normal distribution', () => {
  it('quantile reaches 1e-15 relative against mpmath (EDM needs 1e-10)', () => {
    for (const [p, x] of QUANTILES) expect(rel(normalQuantile(p), Number(x)), `p = ${p}`).toBeLessThan(1e-15);
  });

  it('erfc has full relative accuracy, including the far tail', () => {
    for (const [x, y] of ERFC) expect(rel(erfc(x), Number(y)), `x = ${x}`).toBeLessThan(1e-15);
    expect(erf(0.5)).toBeCloseTo(1 - Number('0.47950012218695346232'), 15);
    expect(erf(-3)).toBeCloseTo(-Number('0.9999779095030014146'), 15);
  });

  it('quantile inverts the CDF and handles the ends', () => {
    for (let p = 0.0005; p < 1; p += 0.0371) expect(rel(normalCdf(normalQuantile(p)), p)).toBeLessThan(1e-14);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(Number.NaN)).toBeNaN();
    expect(normalQuantile(1.5)).toBeNaN();
    expect(normalPdf(0)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 16);
  });
});
