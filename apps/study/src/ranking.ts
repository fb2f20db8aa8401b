/**
 * The ranking arithmetic of the formulation study, as the paper's section 5.1 does it:
 * per objective (a metric under one sampler setting) rank the formulations, ties sharing the
 * average of their ranks; the average rank over all objectives; and non-dominated sorting
 * (Pareto fronts) over the same objectives. Means and standard errors over seeds.
 */

/** One objective: a value per formulation (NaN: missing) and its direction. */
export interface Objective {
  name: string;
  /** One value per formulation, in the formulations' order. */
  values: readonly number[];
  higherIsBetter: boolean;
}

/** Ranks 1..n of `values` (1: best), ties averaged; missing values (NaN) rank last, tied. */
export function averageRanks(values: readonly number[], higherIsBetter: boolean): number[] {
  const key = (v: number) => (Number.isFinite(v) ? (higherIsBetter ? -v : v) : Number.POSITIVE_INFINITY);
  const order = values.map((v, i) => ({ k: key(v), i })).sort((a, b) => a.k - b.k);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1].k === order[start].k) end++;
    // Positions start..end (0-based) hold ranks start+1..end+1; their mean:
    const rank = (start + end) / 2 + 1;
    for (let j = start; j <= end; j++) ranks[order[j].i] = rank;
    start = end + 1;
  }
  return ranks;
}

/** Per formulation, the mean of its ranks over all objectives. */
export function meanRanks(objectives: readonly Objective[]): number[] {
  if (!objectives.length) return [];
  const n = objectives[0].values.length;
  const sums = new Array<number>(n).fill(0);
  for (const o of objectives) {
    if (o.values.length !== n) throw new RangeError(`objective ${o.name}: ${o.values.length} values for ${n} formulations`);
    averageRanks(o.values, o.higherIsBetter).forEach((r, i) => {
      sums[i] += r;
    });
  }
  return sums.map((s) => s / objectives.length);
}

/** Whether formulation `a` dominates `b`: at least as good on every objective, better on one. */
export function dominates(objectives: readonly Objective[], a: number, b: number): boolean {
  let better = false;
  for (const o of objectives) {
    const sign = o.higherIsBetter ? 1 : -1;
    const va = Number.isFinite(o.values[a]) ? sign * o.values[a] : Number.NEGATIVE_INFINITY;
    const vb = Number.isFinite(o.values[b]) ? sign * o.values[b] : Number.NEGATIVE_INFINITY;
    if (va < vb) return false;
    if (va > vb) better = true;
  }
  return better;
}

/**
 * Non-dominated sorting: the Pareto front of each formulation (1: dominated by none; 2:
 * dominated only by front 1; ...).
 */
export function paretoFronts(objectives: readonly Objective[]): number[] {
  const n = objectives[0]?.values.length ?? 0;
  const front = new Array<number>(n).fill(0);
  let remaining = Array.from({ length: n }, (_, i) => i);
  for (let level = 1; remaining.length; level++) {
    const current = remaining.filter((i) => !remaining.some((j) => j !== i && dominates(objectives, j, i)));
    for (const i of current) front[i] = level;
    remaining = remaining.filter((i) => front[i] === 0);
  }
  return front;
}

/** Mean and standard error of the mean (sample standard deviation / sqrt(n); 0 for one value). */
export function meanAndStderr(values: readonly number[]): { mean: number; stderr: number; n: number } {
  const xs = values.filter(Number.isFinite);
  const n = xs.length;
  if (!n) return { mean: Number.NaN, stderr: Number.NaN, n: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, stderr: 0, n };
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  return { mean, stderr: Math.sqrt(variance / n), n };
}
