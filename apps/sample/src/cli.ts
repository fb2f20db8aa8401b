import { initBackend } from '@rectiflow/core';
import { sampleCommand } from './sample-command';

// Run from pnpm scripts (`pnpm start`, `pnpm sample`), paths are relative to where pnpm was
// invoked, not to this package's folder.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

async function main(): Promise<number> {
  await initBackend();
  return sampleCommand(process.argv.slice(2), { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) });
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
