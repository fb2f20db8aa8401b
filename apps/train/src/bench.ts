/**
 * Training and sampling speed of the default configuration, and what the model learnt:
 * colour adherence of the trained model's samples against an untrained model's, and the
 * final evaluation with @rectiflow/eval (whole-prompt accuracy per attribute, validation loss).
 *
 *   pnpm --filter @rectiflow/train-app bench -- --minutes 10 --out runs/bench
 *
 * Prints steps/s, images/s, the adherence numbers and the evaluation table.
 */
import { rmSync } from 'node:fs';
import { initBackend } from '@rectiflow/core';
import { adherenceTable } from '@rectiflow/eval';
import { loadConfig } from './config';
import { heldOutPrompts, Trainer } from './trainer';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const { config } = loadConfig(['--minutes', '3', '--out', 'runs/bench', '--sample-every', '1000000', '--eval-every', '0', ...argv]);
  if (!config) return;
  await initBackend();
  rmSync(config.out, { recursive: true, force: true });
  const trainer = await Trainer.create(config, { stream: { isTTY: false, write: () => true } });
  const prompts = heldOutPrompts(trainer.parts.dataset, config, 16);
  const before = trainer.sampleGrid(prompts, 'samples/untrained.png', false);
  const t0 = Date.now();
  const result = await trainer.run();
  const trainSeconds = (Date.now() - t0) / 1000;
  const t1 = Date.now();
  const after = trainer.sampleGrid(prompts, 'samples/trained.png');
  const sampleSeconds = (Date.now() - t1) / 1000;
  trainer.dispose();
  const lines = [
    `config: ${config.model}, ${config.dataset}, batch ${config.batchSize}, ${config.formulation}, ${config.sampleSteps} ${config.sampleSolver} steps, CFG ${config.guidance}`,
    `training: ${result.steps} steps in ${trainSeconds.toFixed(1)} s (incl. checkpoints) = ${(result.steps / trainSeconds).toFixed(2)} steps/s, ${((result.steps * config.batchSize) / trainSeconds).toFixed(1)} images/s`,
    `sampling: ${prompts.length} images in ${sampleSeconds.toFixed(2)} s = ${(prompts.length / sampleSeconds).toFixed(2)} images/s (NFE ${after.nfe})`,
    `colour adherence on ${prompts.length} held-out prompts: untrained ${((before.adherence ?? 0) * 100).toFixed(0)}%, trained ${((after.adherence ?? 0) * 100).toFixed(0)}%`,
    `final loss ${result.metrics.at(-1)?.loss.toFixed(4)}; grids: ${before.path}, ${after.path}`,
  ];
  const e = result.evaluation;
  if (e?.validation) lines.push(`validation loss (held-out): ${e.validation.mean.toFixed(4)}`);
  if (e?.fd)
    lines.push(`Frechet distance (shipped feature net): ${e.fd.value.toFixed(1)} (${e.fd.generated} generated vs ${e.fd.real} real)`);
  if (e?.digitAccuracy !== undefined) lines.push(`digit accuracy: ${(100 * e.digitAccuracy).toFixed(1)}%`);
  if (e?.adherence) {
    lines.push(
      `evaluation (${e.seeds} seeds, ${e.seconds.toFixed(0)} s): whole prompt right ${(100 * e.adherence.one.whole).toFixed(1)}% one-shape, ${(100 * e.adherence.two.whole).toFixed(1)}% two-shape`,
      adherenceTable(e.adherence),
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
