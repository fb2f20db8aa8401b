/** Shared by this package's tests: quadrature and the KS test (fixtures: `@rectiflow/core/testing`). */
/** Composite Gauss–Legendre (5 points) on [0, 1] with `panels` equal panels. */
export function integrate01(f: (t: number) => number, panels = 2000): number {
  const x = [0, -0.5384693101056831, 0.5384693101056831, -0.906179845938664, 0.906179845938664];
  const w = [0.5688888888888889, 0.47862867049936647, 0.47862867049936647, 0.23692688505618908, 0.23692688505618908];
  const h = 1 / panels;
  let sum = 0;
  for (let p = 0; p < panels; p++) {
    const mid = (p + 0.5) * h;
    for (let i = 0; i < 5; i++) sum += w[i] * f(mid + 0.5 * h * x[i]);
  }
  return 0.5 * h * sum;
}

/** The Kolmogorov–Smirnov statistic D = sup |F_n(t) - F(t)| of a sample against a CDF. */
export function ksStatistic(samples: Float64Array, cdf: (t: number) => number): number {
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}
