/**
 * rectiflow-train: train a text-to-image rectified-flow MM-DiT. `pnpm start` runs it with
 * the defaults: shapes, rf/lognorm(0.00, 1.00), about ten minutes on two CPU cores.
 */
import { initBackend, RectiflowError } from '@rectiflow/core';
import type { SavePhase } from './checkpoint';
import { ConfigError, helpText, loadConfig } from './config';
import { describeIoError } from './io-error';
import { Trainer } from './trainer';
import { verifyRunFolder } from './verify-command';

// Run from pnpm scripts (`pnpm start`, `pnpm sample`), paths are relative to where pnpm was
// invoked, not to this package's folder.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

/**
 * Test-only (the kill tests of docs/reliability.md): `RECTIFLOW_TEST_KILL_AT=PHASE@STEP`
 * sends SIGKILL to this process at that phase of the checkpoint save of that step.
 */
function testKillHook(): ((phase: SavePhase, step: number) => void) | undefined {
  const at = process.env.RECTIFLOW_TEST_KILL_AT;
  if (!at) return undefined;
  const [phase, step] = at.split('@');
  return (p, s) => {
    if (p === phase && String(s) === step) process.kill(process.pid, 'SIGKILL');
  };
}

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
  if (loaded.verify !== undefined) {
    const { lines, ok } = verifyRunFolder(loaded.verify);
    process.stdout.write(`${lines.join('\n')}\n`);
    return ok ? 0 : 1;
  }
  if (loaded.help || !loaded.config) {
    process.stdout.write(`${helpText()}\n`);
    return 0;
  }
  const config = loaded.config;
  let training = false;
  let stopRequests = 0;
  const onSignal = () => {
    stopRequests++;
    if (!training) {
      // Nothing to save yet (setting up): quit at once.
      process.stderr.write('\nstopped before training started; nothing was written\n');
      process.exit(130);
    }
    if (stopRequests === 1) {
      process.stderr.write('\nstopping: finishing the step and saving a checkpoint (Ctrl-C again to quit now)\n');
    } else {
      process.stderr.write('\nquitting without saving; the last complete checkpoint is kept\n');
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await initBackend();
  let trainer: Trainer | undefined;
  try {
    trainer = await Trainer.create(
      config,
      { shouldStop: () => stopRequests > 0, onSavePhase: testKillHook() },
      loaded.given,
      { overwrite: loaded.overwrite },
    );
    training = true;
    const result = await trainer.run();
    const out = [
      '',
      `stopped after ${result.steps} steps (${result.stoppedBy})`,
      `checkpoint:   ${result.checkpoint || '(none written)'}`,
      ...(result.finalGrid ? [`samples:      ${result.finalGrid}`] : []),
      ...(result.colorAdherence === undefined ? [] : [`colour match: ${(100 * result.colorAdherence).toFixed(0)}% of held-out prompts`]),
      `report:       ${result.report}`,
      ...(result.checkpoint ? [`sample more:  pnpm sample -- --checkpoint ${result.runDir} --prompt "a large red circle in the center"`] : []),
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    if (result.stopMessage) process.stderr.write(`error: ${result.stopMessage}\n`);
    return result.stoppedBy === 'non-finite' ? 1 : 0;
  } finally {
    trainer?.dispose();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    // Expected failures (bad input, a full disk, a missing file) are one line; only bugs show a stack.
    const io = describeIoError(e);
    if (e instanceof RectiflowError || io) {
      process.stderr.write(`error: ${e instanceof RectiflowError ? e.message : io}\n`);
      process.exit(e instanceof ConfigError ? 2 : 1);
    }
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
