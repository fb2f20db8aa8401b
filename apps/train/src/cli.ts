/**
 * rectiflow-train: train a text-to-image rectified-flow MM-DiT. `pnpm start` runs it with
 * the defaults: shapes, rf/lognorm(0.50, 0.80), about ten minutes on two CPU cores.
 */
import { initBackend } from '@rectiflow/core';
import type { SavePhase } from '@rectiflow/pipeline/node';
import { failureLine, trainCommand } from './train-command';

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
  let training = false;
  let stopRequests = 0;
  const onSignal = () => {
    stopRequests++;
    if (!training) {
      // Setting up: nothing to save yet, so quit at once.
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
  // --print-schema and --help print only their text (`--print-schema > config.schema.json`).
  const textOnly = argv.some((a) => a === '--print-schema' || a === '--help' || a === '-h');
  await initBackend(undefined, { quiet: textOnly });
  return trainCommand(
    argv,
    { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) },
    {
      shouldStop: () => stopRequests > 0,
      onTrainingStart: () => {
        training = true;
      },
      onSavePhase: testKillHook(),
    },
  );
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    // Only bugs reach here with a stack; expected failures are one line.
    const line = failureLine(e);
    process.stderr.write(`${line ?? (e instanceof Error ? (e.stack ?? e.message) : String(e))}\n`);
    process.exit(1);
  },
);
