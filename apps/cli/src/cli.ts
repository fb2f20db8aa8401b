import { spawnSync } from 'node:child_process';
import { importPlugins, RectiflowError } from '@rectiflow/core';
import { APP_COMMANDS, appEntry, HELP } from './commands';
import { listPlugins } from './list-plugins';

// Run from pnpm scripts, paths are relative to where pnpm was invoked.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

async function main(argv: string[]): Promise<number> {
  const args = argv.filter((a) => a !== '--');
  const imports: string[] = [];
  while (args[0] === '--import') {
    if (!args[1]) throw new RectiflowError('--import: needs a module, e.g. --import ./plugin.mjs');
    imports.push(args[1]);
    args.splice(0, 2);
  }
  const [command, ...rest] = args;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${HELP}\n`);
    return command ? 0 : 2;
  }
  if (command === 'list') {
    const more = rest.flatMap((a, i) => (a === '--import' ? [rest[i + 1]] : []));
    await importPlugins([...imports, ...more.filter(Boolean)]);
    const kind = rest.find((a, i) => !a.startsWith('--') && rest[i - 1] !== '--import');
    process.stdout.write(`${listPlugins(kind).join('\n')}\n`);
    return 0;
  }
  if (!(command in APP_COMMANDS))
    throw new RectiflowError(
      `unknown command ${JSON.stringify(command)}; expected one of ${[...Object.keys(APP_COMMANDS), 'list'].join(', ')}`,
    );
  // The apps take --import themselves (train, sample); a leading --import is passed on to them.
  const forwarded = imports.flatMap((m) => ['--import', m]);
  if (forwarded.length && command !== 'train' && command !== 'sample') throw new RectiflowError(`--import: ${command} takes no plugins`);
  const r = spawnSync(process.execPath, [appEntry(command), ...forwarded, ...rest], { stdio: 'inherit' });
  return r.status ?? 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`${e instanceof RectiflowError || e instanceof Error ? `error: ${e.message}` : String(e)}\n`);
    process.exit(2);
  },
);
