/**
 * The training configuration: one zod schema, read from a JSON or YAML file and from
 * flags, validated with errors that name the field, the value and what is allowed.
 */
import { readFileSync } from 'node:fs';
import { formatValue, RectiflowError } from '@rectiflow/core';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const DEFAULT_SAMPLE_PROMPTS = [
  'a large red circle in the center',
  'a small blue square at the top left',
  'a large yellow triangle at the bottom right',
  'a large green square on the left',
  'a small purple circle at the bottom',
  'a large orange triangle at the top',
  'a red square to the left of a blue circle',
  'a yellow circle above a green triangle',
];

export const TrainConfigSchema = z
  .object({
    out: z.string().min(1).default('runs/shapes').describe('run folder: config, metrics, checkpoints, samples, report'),
    minutes: z
      .number()
      .positive()
      .default(10)
      .describe('wall-clock training budget in minutes, counted over resumes (sampling and report come after)'),
    maxSteps: z.number().int().positive().optional().describe('stop after this many steps even if time is left'),
    seed: z.number().int().default(0).describe('seed of every random choice: init, data order, noise, timesteps, dropout'),
    dataset: z.string().default('shapes(count=50000)').describe('dataset spec: shapes(...), mnist, imagefolder("dir", size=32)'),
    formulation: z.string().default('rf/lognorm(0.00, 1.00)').describe('training formulation as the paper writes it'),
    model: z.string().default('mmdit(depth=2, patch=4, qkNorm=true)').describe('model spec (MM-DiT depth, patch size, ...)'),
    autoencoder: z.string().default('pixel').describe('autoencoder spec: pixel, or an SD3 VAE via --vae'),
    vae: z.string().optional().describe('path to SD3 VAE safetensors (used when autoencoder is sd3-vae)'),
    textEncoder: z
      .string()
      .default('small-text(dim=64, depth=2, heads=4, length=16, trainable=false)')
      .describe(
        'text encoder spec: the small one, frozen by default (a trained one collapses: see docs/diagnosis.md), or sd3 with weights',
      ),
    batchSize: z.number().int().positive().default(32).describe('images per step'),
    lr: z.number().positive().default(1e-3).describe('peak learning rate (AdamW)'),
    warmupSteps: z.number().int().min(0).default(200).describe('linear learning-rate warm-up steps'),
    lrDecay: z.enum(['constant', 'cosine']).default('constant').describe('learning-rate shape after warm-up (cosine needs maxSteps)'),
    weightDecay: z.number().min(0).default(0.01).describe('AdamW decoupled weight decay (matrices only)'),
    clipNorm: z.number().min(0).default(1).describe('clip gradients to this global norm (0: off)'),
    emaDecay: z.number().min(0).lt(1).default(0.999).describe('EMA decay of the weights used for sampling'),
    textDropout: z.number().min(0).max(1).default(0.1).describe('probability of dropping the caption (for classifier-free guidance)'),
    shift: z.number().positive().default(1).describe('resolution shift alpha applied to training timesteps and the sampling grid'),
    logEvery: z.number().int().positive().default(50).describe('steps between metric lines'),
    checkpointEvery: z.number().int().positive().default(250).describe('steps between checkpoints'),
    sampleEvery: z.number().int().positive().default(500).describe('steps between sample grids'),
    samplePrompts: z.array(z.string()).min(1).default(DEFAULT_SAMPLE_PROMPTS).describe('fixed prompts of the sample grids'),
    sampleSteps: z.number().int().positive().default(24).describe('solver steps for sample grids'),
    sampleSolver: z.string().default('euler').describe('solver spec for sample grids'),
    guidance: z.number().min(0).default(3).describe('classifier-free guidance scale for sample grids'),
    sampleSeed: z.number().int().default(1234).describe('noise seed of the sample grids'),
    evalEvery: z
      .number()
      .int()
      .min(0)
      .default(2500)
      .describe('steps between evaluations with @rectiflow/eval (one seed; 0: only the final one); not counted in the time budget'),
    evalSeeds: z
      .number()
      .int()
      .min(0)
      .max(16)
      .default(2)
      .describe('noise seeds per prompt of the final evaluation (0: no final evaluation)'),
    onNonFinite: z
      .enum(['stop', 'skip'])
      .default('stop')
      .describe('on a NaN/Inf loss: stop (keeping the last good checkpoint) or skip the step'),
    resume: z.boolean().default(false).describe("continue from the run folder's latest checkpoint"),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.lrDecay === 'cosine' && c.maxSteps === undefined) {
      ctx.addIssue({ code: 'custom', path: ['lrDecay'], message: 'cosine decay needs maxSteps (the schedule ends there)' });
    }
  });

export type TrainConfig = z.infer<typeof TrainConfigSchema>;

/**
 * Options that may change when a run is resumed; every other option must stay as the run
 * was started (it is read from the checkpoint).
 */
export const RESUMABLE_OPTIONS: readonly (keyof TrainConfig)[] = [
  'out',
  'resume',
  'minutes',
  'maxSteps',
  'logEvery',
  'checkpointEvery',
  'sampleEvery',
  'samplePrompts',
  'sampleSteps',
  'sampleSolver',
  'guidance',
  'sampleSeed',
  'evalEvery',
  'evalSeeds',
  'onNonFinite',
];

/** A configuration error naming every invalid field. */
export class ConfigError extends RectiflowError {
  override name = 'ConfigError';
}

function describeIssue(issue: z.core.$ZodIssue, input: Record<string, unknown>): string {
  const field = issue.path.join('.') || '(config)';
  if (issue.code === 'unrecognized_keys') {
    return `unknown option(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}; see --help for the list`;
  }
  let value: unknown = input;
  for (const p of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[p as PropertyKey];
  return `${field}: got ${formatValue(value)}; ${issue.message.replace(/^Invalid input: /, '')}`;
}

/** Validate a raw configuration object. */
export function parseConfig(input: Record<string, unknown>): TrainConfig {
  const result = TrainConfigSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((i) => describeIssue(i, input));
    throw new ConfigError(
      issues.length === 1 ? `invalid training configuration: ${issues[0]}` : `invalid training configuration:\n  ${issues.join('\n  ')}`,
    );
  }
  return result.data;
}

/** Read a JSON or YAML configuration file. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`config file ${path}: ${(e as Error).message}`);
  }
  try {
    const value = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('the top level must be an object');
    return value as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(`config file ${path}: ${(e as Error).message}`);
  }
}

type Shape = typeof TrainConfigSchema.shape;

function baseType(schema: z.ZodType): string {
  let s: z.ZodType = schema;
  while (s.def.type === 'default' || s.def.type === 'optional') s = (s.def as unknown as { innerType: z.ZodType }).innerType;
  return s.def.type;
}

/**
 * Parse command-line flags (`--batch-size 8`, `--batchSize=8`, `--resume`, `--no-resume`,
 * `--sample-prompts "a" --sample-prompts "b"`) into raw config values, plus `--config FILE`
 * and `--help`.
 */
export function parseFlags(argv: readonly string[]): {
  values: Record<string, unknown>;
  configFile?: string;
  help: boolean;
  overwrite?: boolean;
  verify?: string;
} {
  const shape = TrainConfigSchema.shape as Shape;
  const values: Record<string, unknown> = {};
  let configFile: string | undefined;
  let help = false;
  let overwrite: boolean | undefined;
  let verify: string | undefined;
  let i = 0;
  // The value after a flag; a following option is never taken as a value (`--lr --batch-size 8`).
  const flagValue = (flag: string, inline: string | undefined, what: string): string => {
    if (inline !== undefined) return inline;
    const next = argv[i + 1];
    if (next === undefined || (next.startsWith('--') && next.length > 2)) {
      throw new ConfigError(`option --${flag} needs ${what}${next === undefined ? '' : ` (got the option ${next} instead)`}`);
    }
    i++;
    return next;
  };
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') continue;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument ${JSON.stringify(arg)}; options start with --`);
    let [flag, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const negated = flag.startsWith('no-');
    if (negated) flag = flag.slice(3);
    const key = flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (key === 'config') {
      configFile = flagValue(flag, inline, 'a file (JSON or YAML)');
      if (!configFile) throw new ConfigError('option --config needs a file (JSON or YAML)');
      continue;
    }
    if (key === 'verify') {
      verify = flagValue(flag, inline, 'a run folder');
      continue;
    }
    if (key === 'overwrite') {
      overwrite = parseBoolean(flag, inline, negated);
      continue;
    }
    const field = (shape as Record<string, z.ZodType>)[key];
    if (!field) throw new ConfigError(`unknown option --${flag}; see --help for the list`);
    const type = baseType(field);
    if (type === 'boolean') {
      values[key] = parseBoolean(flag, inline, negated);
      continue;
    }
    if (negated) throw new ConfigError(`unknown option --no-${flag}; only on/off options have a --no- form`);
    const raw = flagValue(flag, inline, 'a value');
    if (type === 'number') values[key] = raw.trim() === '' ? Number.NaN : Number(raw);
    else if (type === 'array') values[key] = [...((values[key] as string[]) ?? []), raw];
    else values[key] = raw;
  }
  return { values, configFile, help, overwrite, verify };
}

function parseBoolean(flag: string, inline: string | undefined, negated: boolean): boolean {
  if (inline === undefined) return !negated;
  if (negated || (inline !== 'true' && inline !== 'false')) {
    throw new ConfigError(
      `option --${negated ? 'no-' : ''}${flag}: got ${JSON.stringify(inline)}; expected --${flag}, --no-${flag}, --${flag}=true or --${flag}=false`,
    );
  }
  return inline === 'true';
}

/**
 * Flags, then file, then defaults: flags win over the file. `given` holds the options the
 * user set (file and flags), which a resume applies over the run's saved configuration.
 */
export function loadConfig(argv: readonly string[]): {
  config?: TrainConfig;
  given?: Record<string, unknown>;
  help: boolean;
  overwrite?: boolean;
  verify?: string;
} {
  const { values, configFile, help, overwrite, verify } = parseFlags(argv);
  if (help) return { help };
  if (verify !== undefined) {
    if (Object.keys(values).length || configFile) throw new ConfigError('option --verify takes only a run folder; drop the other options');
    return { help: false, verify };
  }
  const fromFile = configFile ? readConfigFile(configFile) : {};
  const given = { ...fromFile, ...values };
  return { config: parseConfig(given), given, help: false, overwrite };
}

/**
 * The configuration of a resumed run: the saved one, with the options the user gave now
 * applied over it. Changing an option that is not in {@link RESUMABLE_OPTIONS} is refused.
 */
export function resumeConfig(saved: TrainConfig, given: Record<string, unknown>): TrainConfig {
  const merged = parseConfig({ ...saved, ...given, resume: true });
  for (const key of Object.keys(given) as (keyof TrainConfig)[]) {
    if (RESUMABLE_OPTIONS.includes(key)) continue;
    if (JSON.stringify(merged[key]) !== JSON.stringify(saved[key])) {
      throw new ConfigError(
        `resume: ${key} was ${JSON.stringify(saved[key])} in this run and cannot change to ${JSON.stringify(merged[key])}; ` +
          `on resume only ${RESUMABLE_OPTIONS.join(', ')} may change`,
      );
    }
  }
  return merged;
}

/** The `--help` text, generated from the schema. */
export function helpText(): string {
  const lines = [
    'rectiflow-train: train a text-to-image rectified-flow MM-DiT.',
    '',
    'Usage: rectiflow-train [--config FILE.json|yaml] [--option value ...]',
    'Flags override the config file; both override the defaults. Names may be camelCase or kebab-case.',
    '',
    'Options:',
  ];
  for (const [key, schema] of Object.entries(TrainConfigSchema.shape as Record<string, z.ZodType>)) {
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    const type = baseType(schema);
    const def = schema.def.type === 'default' ? (schema.def as unknown as { defaultValue: unknown }).defaultValue : undefined;
    const shown = def === undefined ? '' : Array.isArray(def) ? ` (default: ${def.length} prompts)` : ` (default: ${JSON.stringify(def)})`;
    lines.push(`  ${`${flag} <${type}>`.padEnd(30)} ${schema.description ?? ''}${shown}`);
  }
  lines.push('  --config <file>                JSON or YAML file with any of the options above');
  lines.push('  --overwrite                    start a new run in a folder that holds one, deleting the old run');
  lines.push('  --verify <dir>                 check every checkpoint of a run folder (sizes, checksums) and exit');
  lines.push('  --help                         this text');
  return lines.join('\n');
}
