import { parseArgs } from 'node:util';
import { initBackend, RectiflowError } from '@rectiflow/core';
import { CONVERT_DTYPES, CONVERT_FORMATS, convert } from './convert';

// Run from pnpm scripts (`pnpm convert`), paths are relative to where pnpm was invoked.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

const HELP = `rectiflow-convert: a Rectiflow model (or an SD3 checkpoint) in the layouts PyTorch loads

usage: rectiflow-convert INPUT --to official|diffusers --out PATH [--dtype float32|float16|bfloat16]

  INPUT               a Rectiflow run or checkpoint folder, an official SD3 single file, a diffusers
                      folder (its transformer/ and vae/), or a sharded *.safetensors.index.json
  --to FORMAT         ${CONVERT_FORMATS.join(' | ')}: official writes one .safetensors file
                      (model.diffusion_model.*, first_stage_model.* when there is an SD3 VAE);
                      diffusers writes transformer/config.json + diffusion_pytorch_model.safetensors
                      (and vae/ when there is an SD3 VAE)
  --out PATH          the .safetensors file (official) or the folder (diffusers); never overwritten
                      unless --overwrite
  --dtype TYPE        ${Object.keys(CONVERT_DTYPES).join(' | ')} (default float32)
  --no-ema            for a run folder: the raw weights instead of the EMA weights
  --sample-size N     diffusers sample_size, the latent side (default: the run's, else the grid's)
  --overwrite         replace an existing output
  -h, --help          this text

Back to Rectiflow: rectiflow-sample and loadMMDiT read both layouts directly.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      to: { type: 'string' },
      out: { type: 'string' },
      dtype: { type: 'string', default: 'float32' },
      'no-ema': { type: 'boolean', default: false },
      'sample-size': { type: 'string' },
      overwrite: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (positionals.length !== 1 || !values.to || !values.out) {
    process.stderr.write(`error: give one INPUT, --to and --out\n\n${HELP}\n`);
    return 2;
  }
  await initBackend();
  const started = performance.now();
  const result = await convert({
    input: positionals[0],
    output: values.out,
    format: values.to as (typeof CONVERT_FORMATS)[number],
    dtype: values.dtype as keyof typeof CONVERT_DTYPES,
    ema: !values['no-ema'],
    sampleSize: values['sample-size'] === undefined ? undefined : Number(values['sample-size']),
    overwrite: values.overwrite,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `wrote ${result.parameters.toLocaleString('en-US')} transformer parameters${result.vae ? ' and the SD3 VAE' : ''} in ${seconds} s:\n${result.files.map((f) => `  ${f}`).join('\n')}\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    const known = e instanceof RectiflowError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`${known ? `error: ${(e as Error).message}` : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(known ? 2 : 1);
  },
);
