/**
 * Diagnosis of what a trained run's text conditioning distinguishes (docs/diagnosis.md):
 *
 *   pnpm --filter @rectiflow/train-app probe -- --checkpoint runs/shapes
 *
 * 1. Word pairs that differ in one word ("top" / "bottom", "circle" / "square", ...): the
 *    cosine similarity of the text encoder's output at that word, and of the pooled vectors.
 *    Near 1 means the model cannot tell the two prompts apart, whatever it learns.
 * 2. What the model predicts from pure noise (t = 1) for prompts that differ in position:
 *    the mean predicted image x0 = x - v over 64 noises, and how much of its shape mass is
 *    in the top vs bottom and left vs right half.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createRng, initBackend, invalid, tf } from '@rectiflow/core';
import { loadRun } from '@rectiflow/pipeline/node';

const PAIRS: Array<[string, string]> = [
  ['a large red circle at the top', 'a large red circle at the bottom'],
  ['a large red circle on the left', 'a large red circle on the right'],
  ['a large red circle at the top', 'a large red square at the top'],
  ['a large red circle at the top', 'a large red triangle at the top'],
  ['a large red circle at the top', 'a large blue circle at the top'],
  ['a large red circle at the top', 'a small red circle at the top'],
  ['a red circle to the left of a blue square', 'a red circle to the right of a blue square'],
];

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { checkpoint: { type: 'string' } }, args: process.argv.slice(2) });
  if (!values.checkpoint) invalid('--checkpoint', undefined, 'a run folder');
  await initBackend();
  const run = await loadRun(resolve(values.checkpoint!));
  const out: string[] = [`${values.checkpoint} (step ${run.step}); text encoder ${run.config.textEncoder}`, ''];
  out.push('| prompts differing in one word | cos at that word | cos of pooled |', '|---|---|---|');
  for (const [a, b] of PAIRS) {
    const enc = run.textEncoder.encode([a, b]);
    const ctx = enc.context.arraySync() as number[][][];
    const pooled = enc.pooled.arraySync() as number[][];
    tf.dispose([enc.context, enc.pooled, ...(enc.mask ? [enc.mask] : [])]);
    // Token i of the encoder is word i - 1 ([BOS] first).
    const wa = a.split(' ');
    const wb = b.split(' ');
    const k = wa.findIndex((w, i) => w !== wb[i]);
    out.push(
      `| ${wa[k]} / ${wb[k]} ("${a}") | ${cosine(ctx[0][k + 1], ctx[1][k + 1]).toFixed(4)} | ${cosine(pooled[0], pooled[1]).toFixed(4)} |`,
    );
  }
  out.push('', 'Mean prediction from pure noise (t = 1), shape mass (red channel above background) per half:', '');
  out.push('| prompt | top - bottom | left - right |', '|---|---|---|');
  const n = 64;
  for (const prompt of [
    'a large red circle at the top',
    'a large red circle at the bottom',
    'a large red circle on the left',
    'a large red circle on the right',
  ]) {
    const [top, left] = tf.tidy(() => {
      const enc = run.textEncoder.encode(Array(n).fill(prompt));
      const x = createRng(5).normal([n, ...run.latentShape]);
      const v = run.model.predict(x, tf.ones([n]), { context: enc.context, pooled: enc.pooled });
      const x0 = run.autoencoder.decode(tf.sub(x, v) as tf.Tensor4D);
      const red = tf.relu(tf.sub(tf.mean(tf.slice(x0, [0, 0, 0, 0], [n, 1, -1, -1]), 0), -0.86)).squeeze() as tf.Tensor2D;
      const [h, w] = red.shape;
      const half = (a: tf.Tensor2D, axis: 0 | 1, size: number) =>
        tf.sub(
          tf.sum(tf.slice(a, [0, 0], axis === 0 ? [size / 2, -1] : [-1, size / 2])),
          tf.sum(tf.slice(a, axis === 0 ? [size / 2, 0] : [0, size / 2], [-1, -1])),
        );
      return [half(red, 0, h).dataSync()[0], half(red, 1, w).dataSync()[0]];
    });
    out.push(`| ${prompt} | ${top.toFixed(1)} | ${left.toFixed(1)} |`);
  }
  run.dispose();
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((e) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
