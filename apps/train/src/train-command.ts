/**
 * The `rectiflow-train` command without the process around it: arguments in, lines out,
 * an exit code back. Expected failures (bad input, a damaged run folder, a full disk, a
 * missing file) become one line on stderr, never a stack trace; only bugs propagate.
 */
import { describeIoError, importPlugins, RectiflowError } from '@rectiflow/core';
import type { SavePhase } from '@rectiflow/pipeline/node';
import { ConfigError, configJsonSchema, helpText, loadConfig } from './config';
import type { EvalRecord } from './evaluation';

import { Trainer } from './trainer';
import { verifyRunFolder } from './verify-command';

/** Where the command writes. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
  /** Progress display stream (default: process.stdout). */
  stream?: { isTTY?: boolean; write(s: string): unknown };
}

/** What the process around the command controls. */
export interface TrainControl {
  /** True once the user asked to stop (Ctrl-C). */
  shouldStop?: () => boolean;
  /** Called when setup is done and training begins (Ctrl-C then saves before it stops). */
  onTrainingStart?: () => void;
  onSavePhase?: (phase: SavePhase, step: number) => void;
}

/** The one-line message of an expected failure, or undefined for a bug. */
export function failureLine(e: unknown): string | undefined {
  if (e instanceof RectiflowError) return `error: ${e.message}`;
  const io = describeIoError(e);
  return io ? `error: ${io}` : undefined;
}

/** Run `rectiflow-train` with `argv`; returns the exit code (0 done, 1 failed or stopped on NaN, 2 bad options). */
export async function trainCommand(argv: readonly string[], io: CommandIo, control: TrainControl = {}): Promise<number> {
  let trainer: Trainer | undefined;
  try {
    const loaded = loadConfig(argv);
    if (loaded.verify !== undefined) {
      const { lines, ok } = verifyRunFolder(loaded.verify);
      for (const line of lines) io.out(line);
      return ok ? 0 : 1;
    }
    if (loaded.printSchema) {
      io.out(JSON.stringify(configJsonSchema(), null, 2));
      return 0;
    }
    if (loaded.help || !loaded.config) {
      io.out(helpText());
      return 0;
    }
    // Plugins first: the specs of the configuration may name what they register.
    await importPlugins(loaded.imports);
    trainer = await Trainer.create(
      loaded.config,
      { log: io.out, stream: io.stream, shouldStop: control.shouldStop, onSavePhase: control.onSavePhase },
      loaded.given,
      { overwrite: loaded.overwrite },
    );
    control.onTrainingStart?.();
    const result = await trainer.run();
    const out = [
      '',
      `stopped after ${result.steps} steps (${result.stoppedBy})`,
      `checkpoint:   ${result.checkpoint || '(none written)'}`,
      ...(result.finalGrid ? [`samples:      ${result.finalGrid}`] : []),
      ...evaluationLines(result.evaluation),
      ...(result.colorAdherence === undefined ? [] : [`colour match: ${(100 * result.colorAdherence).toFixed(0)}% of held-out prompts`]),
      `report:       ${result.report}`,
      ...(result.checkpoint
        ? [`sample more:  pnpm sample -- --checkpoint ${result.runDir} --prompt "a large red circle in the center"`]
        : []),
    ];
    for (const line of out) io.out(line);
    if (result.stopMessage) io.err(`error: ${result.stopMessage}`);
    return result.stoppedBy === 'non-finite' ? 1 : 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(`${e.message}\n\nRun with --help for every option.`);
      return 2;
    }
    const line = failureLine(e);
    if (!line) throw e;
    io.err(line);
    return 1;
  } finally {
    trainer?.dispose();
  }
}

/** The final evaluation, in a few lines of the run summary. */
export function evaluationLines(e: EvalRecord | undefined): string[] {
  if (!e) return [];
  const pct = (v: number | undefined) => (v === undefined ? '–' : `${(100 * v).toFixed(1)}%`);
  const lines: string[] = [];
  const a = e.adherence;
  if (a) {
    lines.push(
      `whole prompt: ${pct(a.one.whole)} of one-shape, ${pct(a.two.whole)} of two-shape prompts right (${a.one.images + a.two.images} images scored)`,
      `  one shape:  colour ${pct(a.one.attributes.color)}, kind ${pct(a.one.attributes.kind)}, size ${pct(a.one.attributes.size)}, position ${pct(a.one.attributes.position)}`,
      `  two shapes: colours ${pct(a.two.attributes.color)}, kinds ${pct(a.two.attributes.kind)}, relation ${pct(a.two.attributes.relation)}, count ${pct(a.two.attributes.count)}`,
    );
  }
  if (e.digitAccuracy !== undefined) lines.push(`digit accuracy: ${pct(e.digitAccuracy)} of "the digit N" samples read as N`);
  if (e.fd) lines.push(`FD to real:   ${e.fd.value.toFixed(0)} (shipped feature net, ${e.fd.generated} vs ${e.fd.real} images)`);
  if (e.validation) lines.push(`val. loss:    ${e.validation.mean.toFixed(4)} (held-out split)`);
  return lines;
}
