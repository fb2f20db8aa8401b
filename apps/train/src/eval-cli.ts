/** rectiflow-eval: evaluate a trained run (`pnpm eval -- --checkpoint DIR`). */
import { initBackend, RectiflowError } from '@rectiflow/core';
import { runEval } from './run-eval';

// Run from pnpm scripts (`pnpm eval`), paths are relative to where pnpm was invoked.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

async function main(): Promise<number> {
  await initBackend();
  try {
    await runEval(process.argv.slice(2));
    return 0;
  } catch (e) {
    if (e instanceof RectiflowError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`error: ${(e as Error).message}\nRun with --help for every option.\n`);
      return 2;
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
