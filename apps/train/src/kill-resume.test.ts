/**
 * Kill tests (docs/reliability.md), with the built CLI as a real process: SIGKILL at each
 * phase of a checkpoint save and prune and at a random moment, then `--resume`, must end
 * with checkpoints byte-identical to an uninterrupted run; Ctrl-C saves and resumes the
 * same way; an unusable `--out` fails at once in both apps instead of hanging.
 *
 * CI runs a few kill points; `RECTIFLOW_LONG_KILL_TEST=1` runs every phase of every save
 * and ten random moments. Needs `pnpm build` (CI builds first).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SavePhase } from '@rectiflow/pipeline/node';
import { verifyCheckpoint } from '@rectiflow/pipeline/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { TINY_RUN_FLAGS as tiny } from './test-helpers';

const trainCli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const sampleCli = fileURLToPath(new URL('../../sample/dist/cli.js', import.meta.url));
const LONG = process.env.RECTIFLOW_LONG_KILL_TEST === '1';

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run a CLI; `during` may signal the child; fails the test if it runs past `bound` seconds (a hang). */
function runCli(
  cli: string,
  argv: string[],
  options: { env?: Record<string, string>; bound?: number; during?: (child: ChildProcess, stdout: () => string) => void } = {},
): Promise<Finished> {
  return new Promise((done, fail) => {
    const env = { ...process.env, ...options.env };
    delete env.INIT_CWD;
    const child = spawn(process.execPath, [cli, ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => {
      stdout += d;
    });
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(
      () => {
        child.kill('SIGKILL');
        fail(new Error(`${argv.join(' ')}: still running after ${options.bound ?? 60} s (a hang)\n${stderr}`));
      },
      (options.bound ?? 60) * 1000,
    );
    options.during?.(child, () => stdout);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
  });
}

const FILES = ['model', 'ema', 'text-encoder', 'text-encoder-ema', 'optimizer'];

/** The bytes of every checkpoint of a run folder, by folder name. */
function checkpointBytes(runDir: string): Record<string, string> {
  const root = join(runDir, 'checkpoints');
  const out: Record<string, string> = {};
  for (const d of readdirSync(root).filter((n) => n.startsWith('step-'))) {
    out[d] = FILES.map((f) => readFileSync(join(root, d, `${f}.safetensors`)).toString('base64')).join('|');
  }
  return out;
}

function expectNoStack(text: string): void {
  expect(text).not.toMatch(/\n\s+at /);
}

type KillPoint = { phase: SavePhase; step: number } | { afterMs: number };

/** Start (or resume) the run and SIGKILL it at `point`; returns whether it was killed there. */
async function killAt(out: string, point: KillPoint): Promise<void> {
  const started = existsSync(join(out, 'checkpoints')) && readdirSync(join(out, 'checkpoints')).some((d) => d.startsWith('step-'));
  const killed = await runCli(trainCli, started ? ['--resume', '--out', out] : ['--out', out, ...tiny, '--max-steps', String(STEPS)], {
    env: 'phase' in point ? { RECTIFLOW_TEST_KILL_AT: `${point.phase}@${point.step}` } : {},
    during: (child) => {
      if ('afterMs' in point) setTimeout(() => child.kill('SIGKILL'), point.afterMs);
    },
  });
  if ('phase' in point) expect(killed.signal, killed.stderr).toBe('SIGKILL');
}

/** Resume a killed run to the end and return its checkpoints, all verified, with no leftovers. */
async function resumeToEnd(out: string): Promise<Record<string, string>> {
  const hasCheckpoint = existsSync(join(out, 'checkpoints')) && readdirSync(join(out, 'checkpoints')).some((d) => d.startsWith('step-'));
  // A run killed before its first checkpoint has nothing to resume and starts over.
  const resumed = await runCli(
    trainCli,
    hasCheckpoint ? ['--resume', '--out', out] : ['--out', out, ...tiny, '--max-steps', String(STEPS), '--overwrite'],
  );
  expect(resumed.code, `${resumed.stdout}\n${resumed.stderr}`).toBe(0);
  expectNoStack(resumed.stderr);
  expect(readdirSync(join(out, 'checkpoints')).filter((d) => d.startsWith('.'))).toEqual([]);
  for (const d of readdirSync(join(out, 'checkpoints')).filter((n) => n.startsWith('step-')))
    expect(verifyCheckpoint(join(out, 'checkpoints', d))).toBeUndefined();
  const bytes = checkpointBytes(out);
  // A kill between two prunes may leave one more old checkpoint (kept, not lost): compare the newest ones.
  return Object.fromEntries(Object.entries(bytes).filter(([name]) => Number(name.slice(5)) > STEPS - 2 * KEEP));
}

/** Start the run, press Ctrl-C after its first step: it must save a checkpoint of the step it is at and exit 0. */
async function ctrlC(out: string): Promise<void> {
  const stopped = await runCli(trainCli, ['--out', out, ...tiny, '--max-steps', String(STEPS), '--log-every', '1'], {
    during: (child, stdout) => {
      const poll = setInterval(() => {
        // Non-TTY output has one "loss by t-decile" line per logged step.
        if ((stdout().match(/loss by t-decile/g) ?? []).length >= 1) {
          clearInterval(poll);
          child.kill('SIGINT');
        }
      }, 20);
      child.on('close', () => clearInterval(poll));
    },
  });
  expect(stopped.code, stopped.stderr).toBe(0);
  expect(stopped.stdout).toMatch(/stopped after \d+ steps \(signal\)/);
  expectNoStack(stopped.stderr);
}

const STEPS = 8;
const KEEP = 2;

describe('kill -9 and Ctrl-C with the built rectiflow-train', () => {
  const root = mkdtempSync(join(tmpdir(), 'rectiflow-kill-'));
  let reference: Record<string, string>;

  // An uninterrupted reference run.
  beforeAll(async () => {
    const r = await runCli(trainCli, ['--out', join(root, 'reference'), ...tiny, '--max-steps', String(STEPS)]);
    expect(r.code, r.stderr).toBe(0);
    reference = checkpointBytes(join(root, 'reference'));
    expect(Object.keys(reference).sort()).toEqual(['step-0000006', 'step-0000008']);
  });

  const phases: SavePhase[] = ['tmp-file', 'manifest', 'renamed', 'latest', 'prune-renamed', 'pruned'];
  if (LONG) {
    // Every phase of every save, each in a run of its own (the first prune is at the third checkpoint).
    const points = [2, 4, 6, 8].flatMap((step) =>
      phases.filter((p) => step > 2 * KEEP || !p.startsWith('prune')).map((phase) => ({ phase, step })),
    );
    for (const point of points) {
      it(`SIGKILL at ${point.phase} of the step-${point.step} save, then --resume: byte-identical checkpoints`, async () => {
        const out = join(root, `${point.phase}-${point.step}`);
        await killAt(out, point);
        expect(await resumeToEnd(out)).toEqual(reference);
      });
    }
    it('Ctrl-C, then --resume: byte-identical checkpoints', async () => {
      const out = join(root, 'ctrl-c');
      await ctrlC(out);
      expect(await resumeToEnd(out)).toEqual(reference);
    });
  } else {
    // CI: one run stopped by Ctrl-C early, then killed four times, at each kind of moment
    // (temporary files, rename, latest.json, prune), resumed after each.
    it('Ctrl-C, then SIGKILL at tmp-file, renamed, latest and prune-renamed, resuming after each: byte-identical checkpoints', async () => {
      const out = join(root, 'chain');
      await ctrlC(out);
      for (const point of [
        { phase: 'tmp-file', step: 4 },
        { phase: 'renamed', step: 4 },
        { phase: 'latest', step: 6 },
        { phase: 'prune-renamed', step: 8 },
      ] as const) {
        await killAt(out, point);
      }
      expect(await resumeToEnd(out)).toEqual(reference);
    });
  }

  const randomKills = LONG ? 10 : 1;
  for (let i = 0; i < randomKills; i++) {
    it(`SIGKILL at a random moment (${i + 1}/${randomKills}), then --resume: byte-identical checkpoints`, async () => {
      const afterMs = 800 + Math.floor(Math.random() * 2500);
      const out = join(root, `random-${i}`);
      await killAt(out, { afterMs });
      expect(await resumeToEnd(out), `killed after ${afterMs} ms`).toEqual(reference);
    });
  }

  it('--out /proc/x fails at once with one line in both apps (no spin, no hang)', async () => {
    const results = await Promise.all(
      [
        [trainCli, [...tiny]],
        [sampleCli, ['--prompt', 'a red circle']],
      ].map(([cli, args]) =>
        runCli(cli as string, [...(args as string[]), '--out', '/proc/x'], {
          bound: 20,
          // Were it to spin, SIGTERM must still end it.
          during: (child) => setTimeout(() => child.kill('SIGTERM'), 15_000),
        }),
      ),
    );
    for (const r of results) {
      expect(r.code).not.toBe(0);
      expect(r.signal).toBeNull();
      expect(r.stderr).toMatch(/^error: (--)?out: cannot create \/proc\/x/);
      expect(r.stderr.split('\n').filter((l) => l.trim() && !/^Run with --help/.test(l))).toHaveLength(1);
    }
  });
});
