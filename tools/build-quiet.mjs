#!/usr/bin/env node
/**
 * `pnpm build` for `pnpm start`: the same build, one line of output instead of a screenful of
 * tsup logs; on failure the full log is printed and the exit code kept.
 */
import { spawnSync } from 'node:child_process';

const started = performance.now();
process.stdout.write('building the packages (pnpm build) ... ');
const r = spawnSync('pnpm', ['-r', '--no-sort', 'run', 'build'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
if (r.status !== 0) {
  process.stdout.write('failed\n');
  process.stderr.write(`${r.stdout}\n${r.stderr}\n`);
  process.exit(r.status ?? 1);
}
process.stdout.write(`done in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
