import { cpSync, existsSync, mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath } from '@rectiflow/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../train/src/config';
import { snapshot } from '../../train/src/test-helpers';
import { Trainer } from '../../train/src/trainer';
import { MAX_SIDE, MAX_STEPS } from './run-sample';
import { sampleCommand } from './sample-command';

const tinyMMDiT = fixturePath('mmdit_tiny.safetensors');

async function sample(argv: string[]): Promise<{ code: number; err: string[]; seconds: number }> {
  const err: string[] = [];
  const started = Date.now();
  const code = await sampleCommand(argv, { out: () => {}, err: (l) => err.push(l) });
  return { code, err, seconds: (Date.now() - started) / 1000 };
}

function expectCleanFailure(result: { code: number; err: string[]; seconds: number }, names: RegExp, bound = 10): void {
  expect(result.code).not.toBe(0);
  const text = result.err.join('\n');
  const lines = text.split('\n').filter((l) => l.trim() && !/^Run with --help/.test(l));
  expect(lines, text).toHaveLength(1);
  expect(lines[0]).toMatch(names);
  expect(text).not.toMatch(/\n\s+at /);
  expect(result.seconds).toBeLessThan(bound);
}

describe('rectiflow-sample reliability corpus', () => {
  let root: string;
  let run: string;
  let damaged: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'rectiflow-sample-corpus-'));
    const train = async (out: string) => {
      const config = parseConfig({
        out,
        dataset: 'shapes(count=32)',
        model: 'mmdit(depth=1, patch=8)',
        textEncoder: 'small-text(dim=16, depth=1, heads=2, length=12)',
        batchSize: 2,
        maxSteps: 2,
        checkpointEvery: 1,
        sampleEvery: 1000,
        sampleSteps: 1,
        samplePrompts: ['a large red circle in the center'],
      });
      const trainer = await Trainer.create(config, { log: () => {}, stream: { isTTY: false, write: () => true } });
      await trainer.run();
      trainer.dispose();
    };
    run = join(root, 'run');
    await train(run);
    damaged = join(root, 'damaged');
    await train(damaged);
    for (const s of ['0000001', '0000002']) truncateSync(join(damaged, 'checkpoints', `step-${s}`, 'ema.safetensors'), 32);
    writeFileSync(join(root, 'file'), 'x');
    writeFileSync(join(root, 'bad-tokenizer.json'), '{"model": ');
    writeFileSync(join(root, 'tokenizer.json'), '{}');
  });

  const cases = (): Array<[string[], RegExp]> => [
    [['--steps', '0'], /--steps: got 0/],
    [['--steps', String(MAX_STEPS + 1)], new RegExp(`--steps: got ${MAX_STEPS + 1}`)],
    [['--steps', 'many'], /--steps: got NaN/],
    [['--guidance', '-1'], /Option '--guidance' argument is ambiguous/],
    [['--guidance=-1'], /--guidance: got -1/],
    [['--steps', '--seed', '3'], /Option '--steps' argument is ambiguous/],
    [['--shift', '0'], /--shift: got 0/],
    [['--seed', '1.5'], /--seed: got 1.5/],
    [['--batch-size', '0'], /--batch-size: got 0/],
    [['--batch-size', '100000'], /--batch-size: got 100000/],
    [['--unknown'], /Unknown option '--unknown'/],
    [['--prompts-file', '/nonexistent/prompts.txt'], /--prompts-file: cannot read \/nonexistent\/prompts.txt/],
    [['--checkpoint', '/nonexistent/run'], /--checkpoint: \/nonexistent\/run does not exist/],
    [['--checkpoint', damaged], /checkpoint: no valid checkpoint in .*damaged.*ema.safetensors has 32 bytes/],
    [['--checkpoint', join(damaged, 'checkpoints', 'step-0000002')], /checkpoint: .*step-0000002 is damaged: ema.safetensors has 32 bytes/],
    [['--checkpoint', run, '--sd3', tinyMMDiT], /pass one of --checkpoint RUN_DIR or --sd3 FILE, not both/],
    [['--checkpoint', run, '--width', '64'], /--width\/--height: only with --sd3/],
    [['--checkpoint', run, '--out', join(root, 'file')], /--out: .*file is a file; expected a folder/],
    [['--checkpoint', run, '--out', join(root, 'file', 'sub')], /--out: .*sub is under .*file, which is a file/],
    [['--checkpoint', run, '--out', '/proc/x'], /--out: cannot create \/proc\/x/],
    [['--sd3', '/nonexistent/sd3.safetensors', '--tokenizer', 'x'], /--sd3: \/nonexistent\/sd3.safetensors does not exist/],
    [['--sd3', tinyMMDiT], /--tokenizer: required with --sd3/],
    [['--sd3', tinyMMDiT, '--tokenizer', '/nonexistent/tokenizer.json'], /--tokenizer: \/nonexistent\/tokenizer.json does not exist/],
    [['--sd3', tinyMMDiT, '--tokenizer', join(root, 'bad-tokenizer.json')], /--tokenizer: .*bad-tokenizer.json is not valid JSON/],
    [
      ['--sd3', tinyMMDiT, '--vae', '/nonexistent/vae.safetensors', '--tokenizer', join(root, 'tokenizer.json')],
      /--vae: \/nonexistent\/vae.safetensors does not exist/,
    ],
    [['--sd3', tinyMMDiT, '--tokenizer', root], /--tokenizer: .* is not a file/],
    [['--sd3', tinyMMDiT, '--tokenizer', join(root, 'tokenizer.json'), '--t5', tinyMMDiT], /--t5-tokenizer: required with --t5/],
    [
      ['--sd3', tinyMMDiT, '--tokenizer', join(root, 'tokenizer.json'), '--width', '100000'],
      new RegExp(`--width: got 100000; expected .*${MAX_SIDE}`),
    ],
    [
      ['--sd3', tinyMMDiT, '--tokenizer', join(root, 'tokenizer.json'), '--width', String(MAX_SIDE), '--height', String(MAX_SIDE)],
      /--width\/--height: 16384x16384 needs about .* GiB, more than .*; at most about \d+x\d+ fits/,
    ],
    [
      ['--sd3', tinyMMDiT, '--tokenizer', join(root, 'tokenizer.json'), '--clip-l-act', 'relu'],
      /--clip-l-act: got "relu"; expected quick_gelu or gelu/,
    ],
  ];
  it('has a case for each kind of bad input', () => {
    expect(cases()).toHaveLength(30);
  });
  for (let i = 0; i < 30; i++) {
    it(`case ${i + 1}`, async () => {
      const [argv, names] = cases()[i];
      const withPrompt = argv.includes('--prompts-file') ? argv : [...argv, '--prompt', 'a red circle'];
      const before = snapshot(root);
      const result = await sample([...withPrompt, ...(argv.includes('--out') ? [] : ['--out', join(root, 'out')])]);
      expectCleanFailure(result, names);
      // Nothing in the run folders (or elsewhere under root) changed; no output folder was half made.
      const after = snapshot(root);
      expect(after).toEqual(before);
    });
  }

  it('samples from the newest valid checkpoint when the latest is damaged, saying so', async () => {
    const partly = join(root, 'partly');
    cpSync(run, partly, { recursive: true });
    truncateSync(join(partly, 'checkpoints', 'step-0000002', 'ema.safetensors'), 32);
    const out: string[] = [];
    const err: string[] = [];
    const code = await sampleCommand(
      ['--checkpoint', partly, '--prompt', 'a red circle', '--steps', '1', '--out', join(root, 'partly-out')],
      {
        out: (l) => out.push(l),
        err: (l) => err.push(l),
      },
    );
    expect(code, err.join('\n')).toBe(0);
    expect(out.join('\n')).toMatch(
      /checkpoint: skipping damaged step-0000002: ema.safetensors has 32 bytes.*; using step-0000001 \(step 1\)/,
    );
    expect(out.join('\n')).toMatch(/loaded .* at step 1/);
    expect(out.join('\n')).toMatch(/batch 1\/1: 1 image\(s\), 1 steps/);
  });

  it('refuses no prompt at all', async () => {
    expectCleanFailure(await sample(['--checkpoint', run]), /--prompt: no prompts given/);
    expect(existsSync(join(root, 'out'))).toBe(false);
  });
});
