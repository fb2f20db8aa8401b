/**
 * The study configuration: one zod schema, read from a JSON or YAML study file and from
 * flags (flags win), validated with errors that name the field, the value and what is allowed.
 * Training options (dataset, model, text encoder, batch size, ...) go under `train` and are
 * applied over the training app's own defaults at run time.
 */
import { formatValue, RectiflowError } from '@rectiflow/core';
import { readConfigFile, TrainConfigSchema } from '@rectiflow/train-app/training';
import { z } from 'zod';
import { QUICK_FORMULATIONS, TABLE1_FORMULATIONS } from './formulation-sets';

/** Most formulations, seeds, sampler settings and parallel jobs a study accepts. */
export const LIMITS = { formulations: 64, seeds: 16, evalSeeds: 16, sampleSteps: 8, steps: 1_000_000, jobs: 32, shards: 1024 } as const;

/** Defaults of the full study and the `--quick` one (training steps per run: an equal budget). */
export const FULL_DEFAULTS = { steps: 500, seeds: 2 } as const;
export const QUICK_DEFAULTS = { steps: 400, seeds: 1 } as const;

const ShiftStudySchema = z
  .object({
    formulation: z.string().min(1).default('rf/lognorm(0.00, 1.00)').describe('formulation the shift-study runs train with'),
    baseSize: z.number().int().min(16).max(256).default(32).describe('training image size (pixels)'),
    targetSize: z.number().int().min(16).max(256).default(64).describe('sampling image size (pixels), larger than baseSize'),
    steps: z.number().int().positive().max(LIMITS.steps).optional().describe('training steps per run (default: the study steps)'),
  })
  .strict()
  .refine((s) => s.targetSize > s.baseSize, { message: 'targetSize must be larger than baseSize', path: ['targetSize'] });

export const StudyConfigSchema = z
  .object({
    out: z.string().min(1).default('runs/study').describe('study folder: state, one run folder per formulation and seed, report'),
    formulations: z
      .array(z.string().min(1))
      .min(1)
      .max(LIMITS.formulations)
      .default([...TABLE1_FORMULATIONS])
      .describe("formulations to compare, as the paper writes them (the default is the paper's Table 1 set)"),
    steps: z
      .number()
      .int()
      .positive()
      .max(LIMITS.steps)
      .default(FULL_DEFAULTS.steps)
      .describe('training steps of every run (the equal budget)'),
    seeds: z
      .number()
      .int()
      .positive()
      .max(LIMITS.seeds)
      .default(FULL_DEFAULTS.seeds)
      .describe('training seeds per formulation (0..seeds-1)'),
    evalSeeds: z.number().int().positive().max(LIMITS.evalSeeds).default(1).describe('noise seeds per evaluation prompt'),
    sampleSteps: z
      .array(z.number().int().positive().max(1000))
      .min(1)
      .max(LIMITS.sampleSteps)
      .default([5, 25])
      .describe('Euler steps of the evaluated sampler settings (few and many)'),
    weights: z
      .array(z.enum(['ema', 'raw']))
      .min(1)
      .max(2)
      .default(['ema', 'raw'])
      .describe('weights evaluated: ema, raw (non-EMA), or both'),
    guidance: z.number().min(0).max(100).optional().describe("classifier-free guidance of the evaluations (default: the training app's)"),
    gridPrompts: z
      .array(z.string())
      .min(1)
      .max(64)
      .optional()
      .describe("prompts of each formulation's sample grid (default: the training app's sample prompts)"),
    rankMetrics: z
      .array(z.enum(['validation', 'fd', 'attributes', 'whole', 'digitAccuracy']))
      .min(1)
      .max(5)
      .default(['fd', 'attributes', 'whole', 'digitAccuracy'])
      .describe(
        'metrics the ranking uses (those the dataset has): validation, fd, attributes, whole, digitAccuracy; the validation loss is reported but not ranked by default (its scale differs between formulations)',
      ),
    jobs: z.number().int().positive().max(LIMITS.jobs).default(1).describe('runs trained at once, as separate processes'),
    shard: z
      .string()
      .regex(/^\d+\/\d+$/, 'i/n with 1 <= i <= n')
      .default('1/1')
      .describe('run only shard i of n of the runs (merge the shard folders afterwards)'),
    train: z
      .record(z.string(), z.unknown())
      .default({})
      .describe('training options applied over the training defaults (dataset, model, ...)'),
    shiftStudy: ShiftStudySchema.optional().describe('the resolution-shift study (section 5.3.2) instead of the formulation study'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const [i, n] = c.shard.split('/').map(Number);
    if (!(n >= 1 && n <= LIMITS.shards && i >= 1 && i <= n)) {
      ctx.addIssue({ code: 'custom', path: ['shard'], message: `i/n with 1 <= i <= n <= ${LIMITS.shards}` });
    }
    if (new Set(c.formulations).size !== c.formulations.length) {
      ctx.addIssue({ code: 'custom', path: ['formulations'], message: 'each formulation once' });
    }
    for (const key of ['out', 'formulation', 'seed', 'maxSteps', 'minutes', 'resume', 'evalEvery', 'evalSeeds']) {
      if (key in c.train) ctx.addIssue({ code: 'custom', path: ['train', key], message: 'set by the study for every run; remove it' });
    }
  });

export type StudyConfig = z.infer<typeof StudyConfigSchema>;
export type ShiftStudyConfig = z.infer<typeof ShiftStudySchema>;

export class StudyConfigError extends RectiflowError {
  override name = 'StudyConfigError';
}

/** The shard `i/n` of a configuration as numbers (1-based i). */
export function shardOf(config: Pick<StudyConfig, 'shard'>): { index: number; count: number } {
  const [index, count] = config.shard.split('/').map(Number);
  return { index, count };
}

/** Validate a raw study configuration. */
export function parseStudyConfig(input: Record<string, unknown>): StudyConfig {
  const result = StudyConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') return `unknown option(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}; see --help`;
    let value: unknown = input;
    for (const p of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[p as PropertyKey];
    return `${issue.path.join('.') || '(study)'}: got ${formatValue(value)}; ${issue.message.replace(/^Invalid input: /, '')}`;
  });
  throw new StudyConfigError(`invalid study configuration:\n  ${lines.join('\n  ')}`);
}

const STUDY_ARRAYS = new Set(['formulations', 'sampleSteps', 'weights', 'gridPrompts', 'rankMetrics']);
const STUDY_NUMBERS = new Set(['steps', 'seeds', 'evalSeeds', 'guidance', 'jobs']);
const SHIFT_NUMBERS = new Set(['baseSize', 'targetSize']);

/** The command line of rectiflow-study, parsed. */
export interface StudyArgs {
  command: 'run' | 'merge';
  help: boolean;
  /** Raw study options (file, preset and flags merged; not yet validated). */
  values: Record<string, unknown>;
  /** merge: the shard folders. */
  inputs: string[];
}

function typeOfTrainOption(key: string): string | undefined {
  let s = (TrainConfigSchema.shape as Record<string, z.ZodType>)[key];
  if (!s) return undefined;
  while (s.def.type === 'default' || s.def.type === 'optional') s = (s.def as unknown as { innerType: z.ZodType }).innerType;
  return s.def.type;
}

/**
 * Parse `rectiflow-study [run|merge] [--config FILE] [--quick] [--shift-study] [--option value ...]`.
 * Study options are the schema's; any training option (`--dataset`, `--model`, `--batch-size`, ...)
 * goes to `train`. `--formulations`, `--sample-steps`, `--weights` and `--grid-prompts` repeat.
 * Precedence: flags, then the study file, then the `--quick` preset, then the defaults.
 */
export function parseStudyArgs(argv: readonly string[]): StudyArgs {
  const args = [...argv];
  let command: StudyArgs['command'] = 'run';
  if (args[0] === 'run' || args[0] === 'merge') command = args.shift() as StudyArgs['command'];
  const flags: Record<string, unknown> = {};
  const train: Record<string, unknown> = {};
  const shift: Record<string, unknown> = {};
  const inputs: string[] = [];
  let configFile: string | undefined;
  let quick = false;
  let shiftStudy = false;
  let help = false;
  const toNumber = (flag: string, raw: string) => {
    const n = raw.trim() === '' ? Number.NaN : Number(raw);
    if (!Number.isFinite(n)) throw new StudyConfigError(`option --${flag}: got ${JSON.stringify(raw)}; a number`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') continue;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      if (command === 'merge') {
        inputs.push(arg);
        continue;
      }
      throw new StudyConfigError(`unexpected argument ${JSON.stringify(arg)}; the commands are run and merge, options start with --`);
    }
    let [flag, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const negated = flag.startsWith('no-');
    if (negated) flag = flag.slice(3);
    const key = flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (key === 'quick' || key === 'shiftStudy') {
      if (key === 'quick') quick = !negated;
      else shiftStudy = !negated;
      continue;
    }
    const takeValue = () => {
      const raw = inline ?? args[++i];
      if (raw === undefined) throw new StudyConfigError(`option --${flag} needs a value`);
      return raw;
    };
    if (key === 'config') {
      configFile = takeValue();
      continue;
    }
    if (key === 'formulation' || STUDY_ARRAYS.has(key)) {
      const k = key === 'formulation' ? 'formulations' : key;
      const raw = takeValue();
      flags[k] = [...((flags[k] as unknown[]) ?? []), k === 'sampleSteps' ? toNumber(flag, raw) : raw];
    } else if (STUDY_NUMBERS.has(key)) flags[key] = toNumber(flag, takeValue());
    else if (key === 'out' || key === 'shard') flags[key] = takeValue();
    else if (key === 'shiftFormulation') shift.formulation = takeValue();
    else if (key === 'shiftSteps') shift.steps = toNumber(flag, takeValue());
    else if (SHIFT_NUMBERS.has(key)) shift[key] = toNumber(flag, takeValue());
    else {
      const type = typeOfTrainOption(key);
      if (!type) throw new StudyConfigError(`unknown option --${flag}; see --help for the list`);
      if (type === 'boolean') train[key] = inline === undefined ? !negated : inline === 'true';
      else if (type === 'number') train[key] = toNumber(flag, takeValue());
      else if (type === 'array') train[key] = [...((train[key] as unknown[]) ?? []), takeValue()];
      else train[key] = takeValue();
    }
  }
  const fromFile = configFile ? readStudyFile(configFile) : {};
  const preset: Record<string, unknown> = quick ? { formulations: [...QUICK_FORMULATIONS], ...QUICK_DEFAULTS } : {};
  const values: Record<string, unknown> = { ...preset, ...fromFile, ...flags };
  if (Object.keys(train).length) values.train = { ...((fromFile.train as Record<string, unknown>) ?? {}), ...train };
  if (shiftStudy || Object.keys(shift).length) {
    values.shiftStudy = { ...((fromFile.shiftStudy as Record<string, unknown>) ?? {}), ...shift };
  }
  return { command, help, values, inputs };
}

/** Read a JSON or YAML study file (the top level must be an object). */
export function readStudyFile(path: string): Record<string, unknown> {
  try {
    return readConfigFile(path);
  } catch (e) {
    throw new StudyConfigError((e as Error).message.replace(/^config file/, 'study file'));
  }
}

/** The `--help` text. */
export function studyHelpText(): string {
  const lines = [
    "rectiflow-study: the paper's formulation study (section 5.1, Table 1) at small scale.",
    '',
    'Usage: rectiflow-study [run] [--config STUDY.yaml|json] [--quick] [--shift-study] [--option value ...]',
    '       rectiflow-study merge --out DIR SHARD_DIR [SHARD_DIR ...]',
    '',
    'Every run is an ordinary rectiflow-train run folder under OUT/runs. Re-running the same command',
    'continues a killed study; finished runs are never redone. Flags win over the study file.',
    '',
    'Study options:',
  ];
  for (const [key, schema] of Object.entries(StudyConfigSchema.shape as Record<string, z.ZodType>)) {
    if (key === 'train' || key === 'shiftStudy') continue;
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    const def = schema.def.type === 'default' ? (schema.def as unknown as { defaultValue: unknown }).defaultValue : undefined;
    const shown =
      def === undefined
        ? ''
        : Array.isArray(def) && def.length > 4
          ? ` (default: ${def.length} entries)`
          : ` (default: ${JSON.stringify(def)})`;
    lines.push(`  ${flag.padEnd(18)} ${schema.description ?? ''}${shown}`);
  }
  lines.push(
    '  --quick            a smaller set: ' +
      `${QUICK_FORMULATIONS.length} formulations, ${QUICK_DEFAULTS.steps} steps, ${QUICK_DEFAULTS.seeds} seed (flags still win)`,
    '  --<train option>   any rectiflow-train option (--dataset, --model, --text-encoder, --batch-size, --lr, ...);',
    '                     the study sets out, formulation, seed, maxSteps, minutes and the evaluations itself',
    '',
    'Resolution-shift study (section 5.3.2): train at one size, sample at a larger one with and without the shift:',
    '  --shift-study          run it instead of the formulation study',
    '  --base-size <px>       training size (default 32)',
    '  --target-size <px>     sampling size (default 64)',
    '  --shift-formulation    formulation (default rf/lognorm(0.00, 1.00))',
    '  --shift-steps <n>      training steps per run (default: --steps)',
    '',
    '  --config <file>    JSON or YAML study file with any of the options above (training options under train:,',
    '                     shift-study options under shiftStudy:)',
    '  --help             this text',
  );
  return lines.join('\n');
}
