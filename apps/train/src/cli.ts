/**
 * rectiflow-train: train a text-to-image rectified-flow MM-DiT. `pnpm start` runs it with
 * the defaults: shapes, rf/lognorm(0.00, 1.00), about ten minutes on two CPU cores.
 */
import { initBackend, RectiflowError } from '@rectiflow/core';
import { ConfigError, helpText, loadConfig } from './config';
import { Trainer } from './trainer';

// Run from pnpm scripts (`pnpm start`, `pnpm sample`), paths are relative to where pnpm was
// invoked, not to this package's folder.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

async function main(argv: string[]): Promise<number> {
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig(argv);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n\nRun with --help for every option.\n`);
      return 2;
    }
    throw e;
  }
  if (loaded.help || !loaded.config) {
    process.stdout.write(`${helpText()}\n`);
    return 0;
  }
  const config = loaded.config;
  await initBackend();
  let stopRequests = 0;
  const onSignal = () => {
    stopRequests++;
    if (stopRequests === 1) {
      process.stderr.write('\nstopping: finishing the step and saving a checkpoint (Ctrl-C again to quit now)\n');
    } else {
      process.stderr.write('\nquitting without saving; the last complete checkpoint is kept\n');
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let trainer: Trainer | undefined;
  try {
    trainer = await Trainer.create(config, { shouldStop: () => stopRequests > 0 }, loaded.given);
    const result = await trainer.run();
    const out = [
      '',
      `stopped after ${result.steps} steps (${result.stoppedBy})`,
      `checkpoint:   ${result.checkpoint}`,
      ...(result.finalGrid ? [`samples:      ${result.finalGrid}`] : []),
      ...(result.colorAdherence === undefined ? [] : [`colour match: ${(100 * result.colorAdherence).toFixed(0)}% of held-out prompts`]),
      `report:       ${result.report}`,
      `sample more:  pnpm sample -- --checkpoint ${result.runDir} --prompt "a large red circle in the center"`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    return result.stoppedBy === 'non-finite' ? 1 : 0;
  } catch (e) {
    if (e instanceof RectiflowError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    trainer?.dispose();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
