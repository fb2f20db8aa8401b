/**
 * The training configuration: one zod schema, read from a JSON or YAML file and from
 * flags, validated with errors that name the field, the value and what is allowed.
 */
import { readFileSync } from 'node:fs';
import { environmentHelp, formatSpec, formatValue, parseSpec, RectiflowError } from '@rectiflow/core';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

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
    formulation: z.string().default('rf/lognorm(0.50, 0.80)').describe('training formulation as the paper writes it'),
    model: z.string().default('mmdit(depth=2, patch=4, qkNorm=true)').describe('model spec (MM-DiT depth, patch size, ...)'),
    autoencoder: z.string().default('pixel').describe('autoencoder spec: pixel, or an SD3 VAE via --vae'),
    vae: z.string().optional().describe('path to SD3 VAE safetensors (used when autoencoder is sd3-vae)'),
    textEncoder: z
      .string()
      .default('small-text(dim=64, depth=2, heads=4, length=16, trainable=false)')
      .describe(
        'text encoder spec: the small one, frozen by default (a trained one collapses: see docs/diagnosis.md), or sd3 with weights',
      ),
    batchSize: z.number().int().positive().default(32).describe('images per step (per micro-batch with accumulationSteps)'),
    accumulationSteps: z
      .number()
      .int()
      .min(1)
      .max(1024)
      .default(1)
      .describe('micro-batches whose gradients are summed before one optimizer step (batchSize images each)'),
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
    keepCheckpoints: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(2)
      .describe('checkpoints kept in the run folder: the newest one and the newest older ones, the oldest deleted first'),
    sampleEvery: z.number().int().positive().default(500).describe('steps between sample grids'),
    samplePrompts: z
      .array(z.string())
      .min(1)
      .optional()
      .describe("fixed prompts of the sample grids (default: the dataset's own: shapes 8 prompts, mnist one per digit)"),
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
  'keepCheckpoints',
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
    const named = issue.keys.map((k) => {
      const near = closestOption(k);
      return `${JSON.stringify(k)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}`;
    });
    return `unknown option(s) ${named.join(', ')}; see --help for the list`;
  }
  let value: unknown = input;
  for (const p of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[p as PropertyKey];
  return `${field}: got ${formatValue(value)}; ${issue.message.replace(/^Invalid input: /, '')}`;
}

/** The kebab-case flag of a camelCase key. */
export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** camelCase a configuration key written in camelCase, kebab-case or snake_case. */
export function camelKey(key: string): string {
  return key.replace(/[-_]+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** diffusers training-script option names (camelCased) that are the same as one of ours. */
export const DIFFUSERS_ALIASES: Readonly<Record<string, keyof TrainConfig>> = {
  learningRate: 'lr',
  trainBatchSize: 'batchSize',
  maxTrainSteps: 'maxSteps',
  checkpointingSteps: 'checkpointEvery',
  checkpointsTotalLimit: 'keepCheckpoints',
  gradientAccumulationSteps: 'accumulationSteps',
  lrWarmupSteps: 'warmupSteps',
  adamWeightDecay: 'weightDecay',
  maxGradNorm: 'clipNorm',
  validationPrompt: 'samplePrompts',
  outputDir: 'out',
};

/** diffusers options with no counterpart here, and what to use instead. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  mixedPrecision: 'not supported: training runs in float32 on TensorFlow.js (sampling can read float16/bf16 weights)',
  gradientCheckpointing:
    'not supported: lower --batch-size and raise --accumulation-steps to fit memory (sizes are checked before allocation)',
};

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = next;
    }
  }
  return row[b.length];
}

/** The option name closest to a mistyped one, when one is close. */
export function closestOption(key: string): string | undefined {
  const names = [...Object.keys(TrainConfigSchema.shape), ...Object.keys(DIFFUSERS_ALIASES), 'resolution', 'resumeFromCheckpoint'];
  const target = camelKey(key);
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(target.length / 3)) + 1;
  for (const name of names) {
    const d = levenshtein(target, name);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}

/**
 * Configuration keys in any spelling (camelCase, kebab-case, snake_case) and diffusers' names
 * (`learning_rate`, `train_batch_size`, `validation_prompt`, ...) as this schema's keys.
 * `resolution` and `resumeFromCheckpoint` stay for {@link applyAliases}.
 */
export function normalizeKeys(input: Record<string, unknown>, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [raw, value] of Object.entries(input)) {
    const camel = camelKey(raw);
    if (UNSUPPORTED[camel]) throw new ConfigError(`${where} ${raw}: ${UNSUPPORTED[camel]}`);
    const key = DIFFUSERS_ALIASES[camel] ?? camel;
    if (key === 'samplePrompts' && typeof value === 'string') {
      out.samplePrompts = [...((out.samplePrompts as string[] | undefined) ?? []), value];
      continue;
    }
    if (key in out) throw new ConfigError(`${where} ${raw}: ${key} is given twice (in two spellings)`);
    out[key] = value;
  }
  return out;
}

/**
 * diffusers' options that set more than one of ours, applied to the merged configuration:
 * `resolution` sets the dataset spec's image `size`; `resumeFromCheckpoint` is `latest`
 * (resume the run in `out`) or a run folder (resume that one).
 */
export function applyAliases(input: Record<string, unknown>): Record<string, unknown> {
  const { resolution, resumeFromCheckpoint, ...out } = input;
  if (resumeFromCheckpoint !== undefined) {
    if (typeof resumeFromCheckpoint !== 'string' || !resumeFromCheckpoint) {
      throw new ConfigError(`resumeFromCheckpoint: got ${formatValue(resumeFromCheckpoint)}; expected "latest" or a run folder`);
    }
    if (resumeFromCheckpoint !== 'latest') out.out = resumeFromCheckpoint;
    out.resume = true;
  }
  if (resolution !== undefined) {
    if (typeof resolution !== 'number' || !Number.isInteger(resolution) || resolution < 8 || resolution > 4096) {
      throw new ConfigError(`resolution: got ${formatValue(resolution)}; expected an integer image side from 8 to 4096`);
    }
    const dataset = typeof out.dataset === 'string' ? out.dataset : (TrainConfigSchema.shape.dataset.parse(undefined) as string);
    let spec: ReturnType<typeof parseSpec>;
    try {
      spec = parseSpec(dataset);
    } catch (e) {
      throw new ConfigError(`dataset: ${(e as Error).message}`);
    }
    out.dataset = formatSpec({ ...spec, kwargs: { ...spec.kwargs, size: resolution } });
  }
  return out;
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

/** The schema under its `.default()` and `.optional()` wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  while (s.def.type === 'default' || s.def.type === 'optional') s = (s.def as unknown as { innerType: z.ZodType }).innerType;
  return s;
}

function baseType(schema: z.ZodType): string {
  return unwrap(schema).def.type;
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
  imports: string[];
  printSchema: boolean;
} {
  const shape = TrainConfigSchema.shape as Shape;
  const values: Record<string, unknown> = {};
  const aliased: Record<string, unknown> = {};
  const imports: string[] = [];
  let printSchema = false;
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
    const key = camelKey(flag);
    if (key === 'import') {
      imports.push(flagValue(flag, inline, 'a plugin module (e.g. ./plugin.mjs)'));
      continue;
    }
    if (key === 'printSchema') {
      printSchema = true;
      continue;
    }
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
    if (UNSUPPORTED[key]) throw new ConfigError(`option --${flag}: ${UNSUPPORTED[key]}`);
    if (key === 'resolution' || key === 'resumeFromCheckpoint') {
      const raw = flagValue(flag, inline, key === 'resolution' ? 'an image side in pixels' : '"latest" or a run folder');
      aliased[key] = key === 'resolution' ? Number(raw) : raw;
      continue;
    }
    const target = DIFFUSERS_ALIASES[key] ?? key;
    const field = (shape as Record<string, z.ZodType>)[target];
    if (!field) {
      const near = closestOption(flag);
      throw new ConfigError(`unknown option --${flag}${near ? ` (did you mean --${kebab(near)}?)` : ''}; see --help for the list`);
    }
    const type = baseType(field);
    if (type === 'boolean') {
      values[target] = parseBoolean(flag, inline, negated);
      continue;
    }
    if (negated) throw new ConfigError(`unknown option --no-${flag}; only on/off options have a --no- form`);
    const raw = flagValue(flag, inline, 'a value');
    if (type === 'number') values[target] = raw.trim() === '' ? Number.NaN : Number(raw);
    else if (type === 'array') values[target] = [...((values[target] as string[]) ?? []), raw];
    else values[target] = raw;
  }
  Object.assign(values, aliased);
  return { values, configFile, help, overwrite, verify, imports, printSchema };
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
  imports: string[];
  printSchema: boolean;
} {
  const { values, configFile, help, overwrite, verify, imports, printSchema } = parseFlags(argv);
  if (help) return { help, imports, printSchema };
  if (printSchema) return { help: false, imports, printSchema };
  if (verify !== undefined) {
    if (Object.keys(values).length || configFile) throw new ConfigError('option --verify takes only a run folder; drop the other options');
    return { help: false, verify, imports, printSchema };
  }
  const fromFile = configFile ? normalizeKeys(readConfigFile(configFile), `config file ${configFile}:`) : {};
  const given = applyAliases({ ...fromFile, ...values });
  return { config: parseConfig(given), given, help: false, overwrite, imports, printSchema };
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

function enumChoices(schema: z.ZodType): string[] | undefined {
  const s = unwrap(schema);
  return s.def.type === 'enum' ? Object.values((s.def as unknown as { entries: Record<string, string> }).entries) : undefined;
}

/** The JSON Schema of a configuration file (generated from the zod schema; keys in camelCase). */
export function configJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'rectiflow-train configuration',
    description:
      'A rectiflow-train config file (JSON or YAML). Keys may also be written in kebab-case or snake_case, and diffusers training-script names are accepted (see rectiflow-train --help).',
    ...z.toJSONSchema(TrainConfigSchema, { io: 'input', unrepresentable: 'any' }),
  };
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
    const flag = `--${kebab(key)}`;
    const type = baseType(schema);
    const def = schema.def.type === 'default' ? (schema.def as unknown as { defaultValue: unknown }).defaultValue : undefined;
    const shown = def === undefined ? '' : Array.isArray(def) ? ` (default: ${def.length} prompts)` : ` (default: ${JSON.stringify(def)})`;
    const choices = enumChoices(schema);
    const value = choices ? choices.join('|') : type;
    lines.push(`  ${`${flag} <${value}>`.padEnd(30)} ${schema.description ?? ''}${shown}`);
  }
  lines.push('  --config <file>                JSON or YAML file with any of the options above');
  lines.push('  --overwrite                    start a new run in a folder that holds one, deleting the old run');
  lines.push('  --verify <dir>                 check every checkpoint of a run folder (sizes, checksums) and exit');
  lines.push('  --import <module>              load a plugin module first (repeatable), e.g. --import ./plugin.mjs');
  lines.push('  --print-schema                 print the JSON Schema of the config file and exit');
  lines.push('  --help                         this text');
  lines.push('');
  lines.push('diffusers training-script names work too (flags and config keys, kebab-case or snake_case):');
  for (const [alias, target] of Object.entries(DIFFUSERS_ALIASES)) lines.push(`${`  --${kebab(alias)}`.padEnd(33)}= --${kebab(target)}`);
  lines.push(`${'  --resolution <number>'.padEnd(33)}= the dataset spec's size, e.g. shapes(size=64)`);
  lines.push('  --resume-from-checkpoint latest|DIR = --resume (DIR: that run folder)');
  for (const [name, why] of Object.entries(UNSUPPORTED)) lines.push(`  --${kebab(name)}: ${why}`);
  lines.push('');
  lines.push('Environment variables:');
  lines.push(environmentHelp());
  return lines.join('\n');
}
