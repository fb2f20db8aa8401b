import { initBackend, RectiflowError } from '@rectiflow/core';
import { describeIoError } from '@rectiflow/train-app/sampling';
import { runSample } from './run-sample';

// Run from pnpm scripts (`pnpm start`, `pnpm sample`), paths are relative to where pnpm was
// invoked, not to this package's folder.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

async function main(): Promise<number> {
  await initBackend();
  try {
    await runSample(process.argv.slice(2));
    return 0;
  } catch (e) {
    if (e instanceof RectiflowError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`error: ${(e as Error).message}\nRun with --help for every option.\n`);
      return 2;
    }
    const io = describeIoError(e);
    if (io) {
      process.stderr.write(`error: ${io}\n`);
      return 1;
    }
    throw e;
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
