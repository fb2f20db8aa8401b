/** Test scaffolding shared by the apps' tests: a tiny training run's flags, and run-folder snapshots. */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Flags of a tiny, fast `rectiflow-train` run (no grids, no evaluations); add `--out` and `--max-steps`. */
export const TINY_RUN_FLAGS: readonly string[] = [
  '--dataset',
  'shapes(count=32)',
  '--model',
  'mmdit(depth=1, patch=8)',
  '--text-encoder',
  'small-text(dim=16, depth=1, heads=2, length=16)',
  '--batch-size',
  '2',
  '--sample-every',
  '1000',
  '--sample-steps',
  '1',
  '--eval-every',
  '0',
  '--eval-seeds',
  '0',
  '--log-every',
  '2',
  '--checkpoint-every',
  '2',
];

/** Every file under `dir` with its SHA-256 (what "nothing lost" compares); empty when `dir` does not exist. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[p.slice(dir.length)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}
