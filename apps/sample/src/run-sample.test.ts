import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePng } from '@rectiflow/autoencoders';
import { tf } from '@rectiflow/core';
import { fixturePath } from '@rectiflow/core/testing';
import { colorAdherence } from '@rectiflow/data';
import { MMDiT } from '@rectiflow/mmdit';
import { readSafetensors, writeSafetensors } from '@rectiflow/safetensors';
import { beforeAll, describe, expect, it } from 'vitest';
import { tinyClipTokenizerJson, tinyT5TokenizerJson } from '../../../packages/text-encoders/src/test-helpers';
import { parseConfig } from '../../train/src/config';
import { Trainer } from '../../train/src/trainer';
import { runSample } from './run-sample';

const quiet = () => {};

describe('rectiflow-sample with a trained run', () => {
  let run: string;
  beforeAll(async () => {
    run = join(mkdtempSync(join(tmpdir(), 'rectiflow-sample-')), 'run');
    const config = parseConfig({
      out: run,
      dataset: 'shapes(count=32)',
      model: 'mmdit(depth=1, patch=8)',
      textEncoder: 'small-text(dim=16, depth=1, heads=2, length=12)',
      batchSize: 4,
      maxSteps: 2,
      sampleEvery: 1000,
      sampleSteps: 2,
      samplePrompts: ['a large red circle in the center'],
    });
    const trainer = await Trainer.create(config, { log: quiet, stream: { isTTY: false, write: () => true } });
    await trainer.run();
    trainer.dispose();
  });

  it('writes one PNG per prompt and a grid, deterministically for a seed', async () => {
    const out1 = mkdtempSync(join(tmpdir(), 'rectiflow-out-'));
    const lines: string[] = [];
    const args = [
      '--checkpoint',
      run,
      '--prompt',
      'a large red circle in the center',
      '--prompt',
      'a small blue square at the top left',
      '--steps',
      '2',
      '--seed',
      '3',
    ];
    const summary = await runSample([...args, '--out', out1], (l) => lines.push(l));
    expect(summary?.files).toHaveLength(2);
    expect(summary?.files[0]).toMatch(/000-a-large-red-circle-in-the-center\.png$/);
    expect(summary?.nfe).toBe(2);
    expect(lines.join('\n')).toMatch(/2 image\(s\) in .* s \(.* images\/s\), 2 model evaluations \(NFE\)/);
    const image = decodePng(readFileSync(summary?.files[0] as string));
    expect(image.shape).toEqual([1, 3, 32, 32]);
    image.dispose();
    expect(existsSync(summary?.grid as string)).toBe(true);
    const out2 = mkdtempSync(join(tmpdir(), 'rectiflow-out-'));
    const again = await runSample([...args, '--out', out2], quiet);
    expect(readFileSync(again?.files[1] as string).equals(readFileSync(summary?.files[1] as string))).toBe(true);
    const out3 = mkdtempSync(join(tmpdir(), 'rectiflow-out-'));
    const other = await runSample([...args.slice(0, -1), '4', '--out', out3], quiet);
    expect(readFileSync(other?.files[1] as string).equals(readFileSync(summary?.files[1] as string))).toBe(false);
  });

  it('rejects bad arguments clearly', async () => {
    await expect(runSample(['--checkpoint', run], quiet)).rejects.toThrow(/--prompt: no prompts given/);
    await expect(runSample(['--checkpoint', run, '--sd3', 'x', '--prompt', 'x'], quiet)).rejects.toThrow(
      /pass one of --checkpoint RUN_DIR or --sd3 FILE, not both/,
    );
    await expect(runSample(['--checkpoint', run, '--prompt', 'x', '--steps', '0'], quiet)).rejects.toThrow(
      /--steps: got 0; expected an integer >= 1/,
    );
    await expect(runSample(['--bogus'], quiet)).rejects.toThrow(/Unknown option '--bogus'/);
    await expect(runSample(['--checkpoint', '/nonexistent', '--prompt', 'x'], quiet)).rejects.toThrow(
      /--checkpoint: \/nonexistent does not exist/,
    );
  });
});

describe('the bundled shapes model', () => {
  it('loads by default and draws the colours the prompts name', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rectiflow-bundled-'));
    const prompts = [
      'a large red circle in the center',
      'a large blue square at the top left',
      'a large green triangle at the bottom right',
      'a large yellow circle on the left',
      'a large purple square at the bottom',
      'a large orange triangle at the top',
    ];
    const lines: string[] = [];
    const summary = await runSample([...prompts.flatMap((p) => ['--prompt', p]), '--out', out], (l) => lines.push(l));
    expect(lines[0]).toMatch(/using the bundled model/);
    const images = (summary?.files ?? []).map((f) => {
      const t = decodePng(readFileSync(f));
      const data = t.dataSync() as Float32Array;
      t.dispose();
      return Float32Array.from(data);
    });
    // The generated images follow the prompts' colours (the untrained model: about 1 in 6).
    expect(colorAdherence(images, prompts, 32, 32)).toBeGreaterThanOrEqual(5 / 6);
  });
});

describe('rectiflow-sample with official SD3 single-file weights', () => {
  it('loads the MM-DiT, VAE, CLIP-L/G and T5 from one file through the adapters and samples', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rectiflow-sd3-'));
    // A single-file checkpoint in the official layout: the golden tiny VAE and text encoders,
    // and an MM-DiT of matching widths (context 96 = T5 width, pooled 80 = CLIP-L 32 + CLIP-G 48).
    const tensors = new Map<string, tf.Tensor>();
    const add = async (file: string, prefix: string) => {
      const f = await readSafetensors(fixturePath(file));
      for (const [k, t] of await f.tensors()) tensors.set(prefix + k, t);
      await f.close();
    };
    await add('vae_tiny.safetensors', 'first_stage_model.');
    await add('text_encoders_tiny_clip_l.safetensors', 'text_encoders.clip_l.transformer.');
    await add('text_encoders_tiny_clip_g.safetensors', 'text_encoders.clip_g.transformer.');
    await add('text_encoders_tiny_t5.safetensors', 'text_encoders.t5xxl.transformer.');
    const mmdit = new MMDiT(
      { depth: 1, patchSize: 2, inChannels: 16, contextDim: 96, pooledDim: 80, posEmbedMaxSize: 8, qkNorm: true },
      { seed: 1 },
    );
    for (const [k, t] of mmdit.stateDict()) tensors.set(`model.diffusion_model.${k}`, t);
    mmdit.dispose();
    const file = join(dir, 'sd3_tiny.safetensors');
    await writeSafetensors(file, tensors);
    tf.dispose([...tensors.values()]);
    writeFileSync(join(dir, 'clip.json'), JSON.stringify(tinyClipTokenizerJson()));
    writeFileSync(join(dir, 't5.json'), JSON.stringify(tinyT5TokenizerJson()));

    const out = join(dir, 'out');
    const base = [
      '--sd3',
      file,
      '--tokenizer',
      join(dir, 'clip.json'),
      '--clip-l-heads',
      '2',
      '--clip-l-act',
      'quick_gelu',
      '--clip-g-heads',
      '3',
      '--clip-g-act',
      'gelu',
    ];
    const lines: string[] = [];
    const summary = await runSample(
      [
        ...base,
        '--t5',
        file,
        '--t5-tokenizer',
        join(dir, 't5.json'),
        '--width',
        '16',
        '--height',
        '16',
        '--steps',
        '3',
        '--prompt',
        'a photo of a cat',
        '--out',
        out,
      ],
      (l) => lines.push(l),
    );
    expect(summary?.files).toHaveLength(1);
    expect(summary?.nfe).toBe(3);
    const image = decodePng(readFileSync(summary?.files[0] as string));
    expect(image.shape).toEqual([1, 3, 16, 16]);
    image.dispose();

    // The golden tiny MM-DiT has other widths: the mismatch is named.
    await expect(
      runSample(
        [
          '--sd3',
          fixturePath('mmdit_tiny.safetensors'),
          '--vae',
          file,
          '--clip-l',
          file,
          '--clip-g',
          file,
          ...base.slice(2),
          '--prompt',
          'x',
        ],
        quiet,
      ),
    ).rejects.toThrow(/text encoders give context width 4096 and pooled width 80; the MM-DiT expects 48 and 32/);
    await expect(runSample(['--sd3', file, '--prompt', 'x'], quiet)).rejects.toThrow(/--tokenizer: required with --sd3/);
  });
});
