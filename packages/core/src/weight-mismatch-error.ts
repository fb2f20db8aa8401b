/**
 * The one error for weights that do not fit an architecture, and the check that builds it.
 * Every loader (MM-DiT, autoencoders, text encoders, the train app's restore) reports all
 * missing, misshaped and unexpected tensors at once, as diffusers' loader does.
 */
import { formatValue, RectiflowError } from './errors';

/** One thing wrong with a set of weights. */
export interface WeightProblem {
  /** The tensor key as the loader names it. */
  key: string;
  /** `missing`: absent; `shape`: present with another shape; `unexpected`: not part of the architecture. */
  problem: 'missing' | 'shape' | 'unexpected';
  /** The shape the architecture needs (`null` entries match any size); absent for `unexpected`. */
  expected?: ReadonlyArray<number | null>;
  /** The shape found; absent for `missing`. */
  found?: readonly number[];
  /** Why, when a shape alone does not say it (e.g. `expected rank 4`). */
  detail?: string;
}

function describe(p: WeightProblem): string {
  const expected = p.expected ? `[${p.expected.map((d) => (d === null ? '*' : String(d))).join(', ')}]` : undefined;
  if (p.detail) return `${formatValue(p.key)}: ${p.detail}`;
  if (p.problem === 'missing') return `${formatValue(p.key)} is missing${expected ? ` (expected shape ${expected})` : ''}`;
  if (p.problem === 'unexpected') return `${formatValue(p.key)} is not part of the architecture (shape ${formatValue(p.found)})`;
  return `${formatValue(p.key)} has shape ${formatValue(p.found)}${expected ? `; expected ${expected}` : ''}`;
}

/** Weights that do not fit the architecture. `problems` lists every key concerned. */
export class WeightMismatchError extends RectiflowError {
  override name = 'WeightMismatchError';
  constructor(
    /** What was being loaded, e.g. `MM-DiT (depth 2)` or a file name. */
    readonly what: string,
    readonly problems: readonly WeightProblem[],
  ) {
    const shown = problems.slice(0, 12).map(describe);
    const more = problems.length > 12 ? `; … and ${problems.length - 12} more` : '';
    super(`${what}: ${problems.length} weight problem(s): ${shown.join('; ')}${more}`);
  }

  /** The keys of the problems of one kind. */
  keys(problem: WeightProblem['problem']): string[] {
    return this.problems.filter((p) => p.problem === problem).map((p) => p.key);
  }
}

function shapeMatches(found: readonly number[], expected: ReadonlyArray<number | null>): boolean {
  return found.length === expected.length && expected.every((d, i) => d === null || d === found[i]);
}

/**
 * The problems of `tensors` against `expected` (key to shape, `null` entries match any
 * size): every missing or misshaped key, and every key not in `expected` unless
 * `allowUnexpected`.
 */
export function weightProblems(
  tensors: ReadonlyMap<string, { shape: readonly number[] }>,
  expected: ReadonlyMap<string, ReadonlyArray<number | null>>,
  options: { allowUnexpected?: boolean } = {},
): WeightProblem[] {
  const problems: WeightProblem[] = [];
  for (const [key, shape] of expected) {
    const t = tensors.get(key);
    if (!t) problems.push({ key, problem: 'missing', expected: [...shape] });
    else if (!shapeMatches(t.shape, shape)) problems.push({ key, problem: 'shape', expected: [...shape], found: [...t.shape] });
  }
  if (!options.allowUnexpected) {
    for (const [key, t] of tensors) {
      if (!expected.has(key)) problems.push({ key, problem: 'unexpected', found: [...t.shape] });
    }
  }
  return problems;
}

/** Throw a `WeightMismatchError` (from `@rectiflow/core`) listing every problem {@link weightProblems} finds. */
export function checkWeights(
  what: string,
  tensors: ReadonlyMap<string, { shape: readonly number[] }>,
  expected: ReadonlyMap<string, ReadonlyArray<number | null>>,
  options: { allowUnexpected?: boolean } = {},
): void {
  const problems = weightProblems(tensors, expected, options);
  if (problems.length) throw new WeightMismatchError(what, problems);
}
