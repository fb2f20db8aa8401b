import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { snapshot, TINY_RUN_FLAGS as tiny } from './test-helpers';
import { trainCommand } from './train-command';

const quietStream = { isTTY: false, write: () => true };

/** The checks every corpus case shares: exit code, one error line naming `names`, no stack, the time bound. */
export function expectCleanFailure(result: { code: number; err: string[]; seconds: number }, names: RegExp, bound = 10): void {
  expect(result.code).not.toBe(0);
  const text = result.err.join('\n');
  const lines = text.split('\n').filter((l) => l.trim() && !/^Run with --help/.test(l));
  expect(lines, text).toHaveLength(1);
  expect(lines[0]).toMatch(names);
  expect(text).not.toMatch(/\n\s+at |Error: .*\n.*at /);
  expect(result.seconds).toBeLessThan(bound);
}

async function train(argv: string[]): Promise<{ code: number; out: string[]; err: string[]; seconds: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const started = Date.now();
  const code = await trainCommand(argv, { out: (l) => out.push(l), err: (l) => err.push(l), stream: quietStream });
  return { code, out, err, seconds: (Date.now() - started) / 1000 };
}

describe('rectiflow-train reliability corpus', () => {
  let root: string;
  let run: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'rectiflow-corpus-'));
    run = join(root, 'run');
    const r = await train(['--out', run, ...tiny, '--max-steps', '4']);
    expect(r.code).toBe(0);
    writeFileSync(join(root, 'file'), 'x');
    writeFileSync(join(root, 'bad.json'), '{"lr": ');
    writeFileSync(join(root, 'array.json'), '[1]');
    writeFileSync(join(root, 'unknown.yaml'), 'learnRate: 3\n');
    writeFileSync(join(root, 'wrong-type.yaml'), 'batchSize: eight\n');
  });

  // [flags, what the one error line must match]
  const flagCases: Array<[string[], RegExp]> = [
    [['--lr', '--batch-size', '8'], /^option --lr needs a value \(got the option --batch-size instead\)$/],
    [['--batch-size'], /^option --batch-size needs a value/],
    [['--resume=yes'], /--resume: got "yes"; expected --resume, --no-resume, --resume=true or --resume=false/],
    [['--no-resume=true'], /--no-resume: got "true"/],
    [['--no-batch-size'], /unknown option --no-batch-size/],
    [['--batch-size', '0'], /batchSize: got 0/],
    [['--batch-size', '-1'], /batchSize: got -1/],
    [['--batch-size', '1.5'], /batchSize: got 1.5/],
    [['--batch-size', 'eight'], /batchSize: got NaN/],
    [['--batch-size', ''], /batchSize: got NaN/],
    [['--lr', '0'], /lr: got 0/],
    [['--lr', '-1'], /lr: got -1/],
    [['--lr', 'nan'], /lr: got NaN/],
    [['--minutes', '0'], /minutes: got 0/],
    [['--max-steps', '0'], /maxSteps: got 0/],
    [['--warmup-steps', '-1'], /warmupSteps: got -1/],
    [['--ema-decay', '1'], /emaDecay: got 1/],
    [['--text-dropout', '2'], /textDropout: got 2/],
    [['--clip-norm', '-1'], /clipNorm: got -1/],
    [['--weight-decay', '-1'], /weightDecay: got -1/],
    [['--guidance', '-1'], /guidance: got -1/],
    [['--seed', '0.5'], /seed: got 0.5/],
    [['--shift', '0'], /shift: got 0/],
    [['--log-every', '0'], /logEvery: got 0/],
    [['--checkpoint-every', '0'], /checkpointEvery: got 0/],
    [['--sample-every', '0'], /sampleEvery: got 0/],
    [['--sample-steps', '0'], /sampleSteps: got 0/],
    [['--lr-decay', 'cosine'], /lrDecay: .*cosine decay needs maxSteps/],
    [['--lr-decay', 'linear'], /lrDecay: got "linear"/],
    [['--on-non-finite', 'ignore'], /onNonFinite: got "ignore"/],
    [['--foo', '1'], /unknown option --foo/],
    [['positional'], /unexpected argument "positional"/],
    [['--config'], /option --config needs a file/],
    [['--config', '/nonexistent/config.json'], /config file \/nonexistent\/config.json: .*ENOENT/],
    [['--verify'], /option --verify needs a run folder/],
    [['--verify', '/nonexistent/run'], /^error: verify: \/nonexistent\/run does not exist/],
    [['--verify', 'x', '--lr', '1'], /option --verify takes only a run folder/],
  ];
  for (const [argv, names] of flagCases) {
    it(`refuses ${argv.join(' ') || '(empty)'}`, async () => {
      expectCleanFailure(await train(argv.includes('--verify') ? argv : [...argv, '--out', join(root, 'never')]), names);
      expect(existsSync(join(root, 'never'))).toBe(false);
    });
  }

  const fileCases: Array<[string, RegExp]> = [
    ['bad.json', /config file .*bad.json: .*JSON/],
    ['array.json', /config file .*array.json: the top level must be an object/],
    ['unknown.yaml', /unknown option\(s\) "learnRate"/],
    ['wrong-type.yaml', /batchSize: got "eight"/],
  ];
  for (const [file, names] of fileCases) {
    it(`refuses the config file ${file}`, async () => {
      expectCleanFailure(await train(['--config', join(root, file), '--out', join(root, 'never')]), names);
    });
  }

  // Spec strings and sizes: refused before anything large is allocated.
  const specCases: Array<[string[], RegExp]> = [
    [
      ['--model', 'mmdit(depth=100000)'],
      /^error: model: mmdit\(depth=100000\) at batch size 2 needs about .* GiB, more than .*; at most about depth=\d+ fits/,
    ],
    [['--model', 'mmdit(depth=2, hidden=64000)'], /^error: model: .* needs about .*; (at most about batch size \d+ fits|choose a smaller)/],
    [['--model', 'mmdit(depth=2, hidden=1000)'], /^error: model: .*config.heads: .*expected an integer dividing hidden 1000/],
    [
      ['--batch-size', '100000000'],
      /^error: (textEncoder|model): .* at batch size 100000000 needs about .*; at most about batch size \d+ fits/,
    ],
    [
      ['--model', 'mmdit(patch=3)'],
      /^error: model: mmdit\(patch=3\) has patch=3, which does not divide the 32x32 latent; use patch=1, 2, 4, 8, 16/,
    ],
    [['--model', 'mmdit(depth=0)'], /^error: model: .*depth/],
    [['--model', 'mmdit(depth=2'], /^error: model: /],
    [['--model', 'unet()'], /^error: model: .*unet/],
    [['--model', 'mmdit(heads=3, hidden=64)'], /^error: model: .*heads/],
    [['--text-encoder', 'small-text(dim=10000000)'], /^error: textEncoder: .* needs about .*; at most about dim=\d+ fits/],
    [['--text-encoder', 'nope()'], /^error: textEncoder: .*nope/],
    [['--dataset', 'nope'], /^error: dataset: .*nope/],
    [['--dataset', 'shapes(count=-1)'], /^error: dataset: .*count/],
    [['--sample-steps', '1000000'], /^error: sampleSteps: got 1000000; expected at most 1000$/],
    // Divergence: one error line naming the step and the checkpoint that is good (none yet here).
    [
      ['--lr', '1e12', '--clip-norm', '0', '--warmup-steps', '0', '--max-steps', '6'],
      /^error: stopped at step \d: non-finite loss or gradient \(.*\); no checkpoint has been written yet$/,
    ],
    [['--dataset', 'shapes(count=1000000000)'], /^error: dataset: shapes\(count=1000000000\) has 1,000,000,000 items; at most 50,000,000/],
    [
      ['--text-encoder', 'small-text(length=100000000)'],
      /^error: textEncoder: small-text\(length=100000000\) at batch size 2 needs about [\d,]+ GiB/,
    ],
    [['--dataset', 'imagefolder("/nonexistent/images")'], /^error: dataset: .*nonexistent/],
    [['--formulation', 'rf/nope'], /^error: formulation: /],
    [['--formulation', 'eps/linear', '--shift', '3'], /^error: shift: got 3; the formulation eps\/linear has no shift parameter/],
    [['--sample-solver', 'nope'], /^error: sampleSolver: .*nope/],
    [['--autoencoder', 'nope'], /^error: autoencoder: .*nope/],
    [['--vae', '/nonexistent/vae.safetensors'], /^error: vae: .*\/nonexistent\/vae.safetensors/],
  ];
  for (const [argv, names] of specCases) {
    it(`refuses ${argv.join(' ')}`, async () => {
      const out = join(root, `spec-${Math.random().toString(36).slice(2)}`);
      expectCleanFailure(await train([...tiny, ...argv, '--out', out]), names, 5);
    });
  }

  it('refuses --out on a file, under a file, and in /proc, creating nothing', async () => {
    expectCleanFailure(await train([...tiny, '--out', join(root, 'file')]), /^error: out: .*file is a file; expected a folder/);
    expectCleanFailure(await train([...tiny, '--out', join(root, 'file', 'sub')]), /^error: out: .*sub is under .*file, which is a file/);
    expectCleanFailure(await train([...tiny, '--out', '/proc/x']), /^error: out: cannot create \/proc\/x/, 5);
    expectCleanFailure(await train([...tiny, '--out', '/proc/x/y/z']), /^error: out: cannot create \/proc\/x/, 5);
  });

  it('refuses --resume of a missing folder without creating it', async () => {
    const missing = join(root, 'missing');
    expectCleanFailure(await train(['--resume', '--out', missing]), /^error: resume: .*missing does not exist; nothing to resume/);
    expect(existsSync(missing)).toBe(false);
  });

  /** A copy of the trained run with `harm` done to it; the case must leave the copy as it found it. */
  function damagedCopy(name: string, harm: (dir: string) => void): string {
    const dir = join(root, name);
    rmSync(dir, { recursive: true, force: true });
    const copy = (from: string, to: string) => {
      mkdirSync(to, { recursive: true });
      for (const e of readdirSync(from, { withFileTypes: true })) {
        if (e.isDirectory()) copy(join(from, e.name), join(to, e.name));
        else writeFileSync(join(to, e.name), readFileSync(join(from, e.name)));
      }
    };
    copy(run, dir);
    harm(dir);
    return dir;
  }

  const ckpt = (dir: string, step: number) => join(dir, 'checkpoints', `step-${String(step).padStart(7, '0')}`);
  const folderCases: Array<[string, string[], (dir: string) => void, RegExp]> = [
    [
      'a fresh run over old step folders without latest.json',
      [],
      (d) => rmSync(join(d, 'checkpoints', 'latest.json')),
      /^error: out: .* already holds a run; pass --resume/,
    ],
    ['a fresh run over a run', [], () => {}, /^error: out: .* already holds a run/],
    [
      'a fresh run over metrics.jsonl alone',
      [],
      (d) => rmSync(join(d, 'checkpoints'), { recursive: true }),
      /^error: out: .* already holds a run/,
    ],
    ['--resume --overwrite', ['--resume', '--overwrite'], () => {}, /^error: overwrite: cannot be combined with --resume/],
    [
      '--resume with every checkpoint truncated',
      ['--resume'],
      (d) => {
        for (const s of [2, 4]) truncateSync(join(ckpt(d, s), 'model.safetensors'), 10);
      },
      /^error: checkpoint: no valid checkpoint in .*step-0000004: model.safetensors has 10 bytes.*step-0000002: model.safetensors has 10 bytes/,
    ],
    [
      '--resume with state.json of {}',
      ['--resume'],
      (d) => {
        for (const s of [2, 4]) writeFileSync(join(ckpt(d, s), 'state.json'), '{}');
      },
      /^error: checkpoint: no valid checkpoint .*state.json/,
    ],
    [
      '--resume without checkpoints',
      ['--resume'],
      (d) => rmSync(join(d, 'checkpoints'), { recursive: true }),
      /^error: checkpoint: no checkpoint in /,
    ],
    [
      '--resume changing a fixed option',
      ['--resume', '--batch-size', '4'],
      () => {},
      /^(error: )?resume: batchSize was 2 in this run and cannot change to 4/,
    ],
    ['--resume with the dataset changed', ['--resume', '--dataset', 'shapes(count=16)'], () => {}, /^(error: )?resume: dataset was/],
  ];
  for (const [what, argv, harm, names] of folderCases) {
    it(`refuses ${what}, losing nothing`, async () => {
      const dir = damagedCopy(`folder-${folderCases.findIndex((c) => c[0] === what)}`, harm);
      const before = snapshot(dir);
      expectCleanFailure(await train([...argv, '--out', dir]), names);
      expect(snapshot(dir)).toEqual(before);
    });
  }

  it('--verify reports every checkpoint and which one is used', async () => {
    const dir = damagedCopy('verify', (d) =>
      writeFileSync(join(ckpt(d, 4), 'ema.safetensors'), Buffer.alloc(statSync(join(ckpt(d, 4), 'ema.safetensors')).size)),
    );
    const r = await train(['--verify', dir]);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([
      'damaged step-0000004 (step 4): ema.safetensors does not match its checksum',
      'ok      step-0000002 (step 2)',
      `resume and sampling use ${ckpt(dir, 2)}`,
    ]);
    const broken = damagedCopy('verify-none', (d) => {
      for (const s of [2, 4]) rmSync(join(ckpt(d, s), 'optimizer.safetensors'));
    });
    expect((await train(['--verify', broken])).code).toBe(1);
  });
});
