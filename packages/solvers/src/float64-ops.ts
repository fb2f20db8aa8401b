/**
 * {@link VectorOps} on `Float64Array`: exact double-precision arithmetic, for tests
 * against float64 references and for small ODEs outside tfjs.
 */
import type { VectorOps } from '@rectiflow/core';

/** Vector operations on `Float64Array` (all vectors of one solve have the same length). */
export const float64Ops: VectorOps<Float64Array> = {
  combine(terms) {
    const n = terms[0][1].length;
    const out = new Float64Array(n);
    for (const [c, v] of terms) {
      for (let i = 0; i < n; i++) out[i] += c * v[i];
    }
    return out;
  },
  errorNorm(err, y0, y1, rtol, atol) {
    let sum = 0;
    for (let i = 0; i < err.length; i++) {
      const scale = atol + rtol * Math.max(Math.abs(y0[i]), Math.abs(y1[i]));
      const e = err[i] / scale;
      sum += e * e;
    }
    return Math.sqrt(sum / err.length);
  },
  countNonFinite(v) {
    let nan = 0;
    let inf = 0;
    for (let i = 0; i < v.length; i++) {
      if (Number.isNaN(v[i])) nan++;
      else if (!Number.isFinite(v[i])) inf++;
    }
    return { nan, inf };
  },
  dispose() {},
};
