/**
 * rectiflow-eval: evaluate a trained run with @rectiflow/eval. Prints the prompt-adherence
 * table (shapes) and the validation loss per t-decile; `--json FILE` writes everything.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkNumber, invalid } from '@rectiflow/core';
import { adherenceTable } from '@rectiflow/eval';
import { loadRun } from '@rectiflow/pipeline/node';
import type { TrainConfig } from './config';
import { type EvalRecord, evaluateModel } from './evaluation';

export const EVAL_HELP = `rectiflow-eval: how well a trained run follows its prompts.

Usage: rectiflow-eval --checkpoint RUN_DIR [options]

  --checkpoint <dir>   a rectiflow-train run folder (its latest checkpoint) or a checkpoint folder (required)
  --no-ema             evaluate the raw weights instead of the EMA
  --seeds <n>          noise seeds per evaluation prompt (default 2)
  --steps <n>          solver steps (default: the run's sample steps)
  --solver <spec>      solver (default: the run's)
  --guidance <scale>   classifier-free guidance (default: the run's)
  --json <file>        also write the full result (with every image's score) as JSON
  --format <f>         table (default) or json (the result on stdout)
  --help               this text

Shapes runs: GenEval-style prompt adherence on the fixed evaluation prompts (126 prompts x seeds), per
attribute for one- and two-shape prompts, and the whole prompt. Every run: the validation loss per
t-decile on the dataset's held-out split, when it has one.`;

/** Run the evaluation CLI; returns the evaluation (undefined for --help). */
export async function runEval(
  argv: readonly string[],
  write: (s: string) => void = (s) => process.stdout.write(s),
): Promise<EvalRecord | undefined> {
  const { values } = parseArgs({
    // pnpm forwards the `--` of `pnpm eval -- --checkpoint DIR`: it separates nothing here.
    args: argv.filter((a) => a !== '--'),
    options: {
      checkpoint: { type: 'string' },
      'no-ema': { type: 'boolean' },
      seeds: { type: 'string' },
      steps: { type: 'string' },
      solver: { type: 'string' },
      guidance: { type: 'string' },
      json: { type: 'string' },
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    write(`${EVAL_HELP}\n`);
    return undefined;
  }
  if (!values.checkpoint) invalid('--checkpoint', undefined, 'a rectiflow-train run folder or checkpoint folder');
  const format = values.format ?? 'table';
  if (format !== 'table' && format !== 'json') invalid('--format', format, 'table or json');
  const seeds = checkNumber('--seeds', Number(values.seeds ?? 2), { integer: true, min: 1, max: 16 });
  const run = await loadRun<TrainConfig>(resolve(values.checkpoint!), !values['no-ema']);
  try {
    const c = run.config;
    const steps = checkNumber('--steps', Number(values.steps ?? c.sampleSteps), { integer: true, min: 1, max: 1000 });
    const guidance = checkNumber('--guidance', Number(values.guidance ?? c.guidance), { min: 0, max: 100 });
    const record = await evaluateModel(
      {
        model: run.model.predict,
        textEncoder: run.textEncoder,
        autoencoder: run.autoencoder,
        latentShape: run.latentShape,
        formulation: run.formulation,
      },
      c.dataset,
      { steps, solver: values.solver ?? c.sampleSolver, guidance, shift: run.shift },
      run.step,
      seeds,
    );
    if (values.json) writeFileSync(values.json, `${JSON.stringify(record, null, 2)}\n`);
    const { scores: _scores, ...summary } = record;
    if (format === 'json') {
      write(`${JSON.stringify(summary, null, 2)}\n`);
      return record;
    }
    const lines = [
      `${resolve(values.checkpoint!)} · step ${run.step} · ${values['no-ema'] ? 'raw' : 'EMA'} weights · ${seeds} seed(s) · ${JSON.stringify(record.sampling)}`,
      '',
    ];
    if (record.adherence) lines.push(adherenceTable(record.adherence), '');
    if (record.validation) {
      lines.push(
        `validation loss (held-out split): mean ${record.validation.mean.toFixed(4)}; by t-decile (t=0 -> 1): ${record.validation.byDecile.map((v) => v.toFixed(4)).join(' ')}`,
      );
    }
    if (record.digitAccuracy !== undefined)
      lines.push(`digit accuracy (shipped classifier on "the digit N" samples): ${(100 * record.digitAccuracy).toFixed(1)}%`);
    if (record.fd)
      lines.push(
        `Frechet distance (shipped feature net): ${record.fd.value.toFixed(1)} (${record.fd.generated} generated vs ${record.fd.real} real images)`,
      );
    lines.push(`(${record.seconds.toFixed(1)} s)`);
    write(`${lines.join('\n')}\n`);
    return record;
  } finally {
    run.dispose();
  }
}
