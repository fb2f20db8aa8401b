/**
 * Checkpoints that survive crashes. A checkpoint is a folder `checkpoints/step-NNNNNNN/`
 * with safetensors files and `state.json`. It is written under a temporary name, flushed,
 * and renamed into place; only then does `checkpoints/latest.json` (itself replaced
 * atomically) point to it. A crash or SIGKILL at any moment leaves the last good
 * checkpoint intact and pointed to.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { RectiflowError, type tf } from '@rectiflow/core';
import { readSafetensors, type SafetensorsFile, writeSafetensors } from '@rectiflow/safetensors';

/** Write a small text file atomically (temp file, fsync, rename). */
export function writeTextAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  const fd = openSync(tmp, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, path);
}

function stepDir(step: number): string {
  return `step-${String(step).padStart(7, '0')}`;
}

/** What a checkpoint holds. */
export interface CheckpointContent<S> {
  step: number;
  /** Safetensors files by base name (e.g. `model`, `ema`, `optimizer`). */
  files: Record<string, ReadonlyMap<string, tf.Tensor>>;
  /** JSON state (step, RNG state, data position, ...). */
  state: S;
}

/** Save a checkpoint and point `latest.json` to it; keep the newest `keep` checkpoints. */
export async function saveCheckpoint<S>(runDir: string, content: CheckpointContent<S>, keep = 2): Promise<string> {
  const root = join(runDir, 'checkpoints');
  mkdirSync(root, { recursive: true });
  const name = stepDir(content.step);
  const tmp = join(root, `.tmp-${name}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  for (const [file, tensors] of Object.entries(content.files)) {
    await writeSafetensors(join(tmp, `${file}.safetensors`), tensors as Map<string, tf.Tensor>, {
      format: 'rectiflow',
      step: String(content.step),
    });
  }
  writeTextAtomic(join(tmp, 'state.json'), `${JSON.stringify(content.state, null, 2)}\n`);
  const final = join(root, name);
  // Replacing a checkpoint of the same step: move the old one aside first, so that until
  // the new one is complete `latest.json` never points to a half-written folder.
  const aside = existsSync(final) ? join(root, `.old-${name}-${process.pid}`) : undefined;
  if (aside) renameSync(final, aside);
  renameSync(tmp, final);
  writeTextAtomic(join(root, 'latest.json'), `${JSON.stringify({ step: content.step, dir: name })}\n`);
  if (aside) rmSync(aside, { recursive: true, force: true });
  const old = readdirSync(root)
    .filter((d) => /^step-\d+$/.test(d))
    .sort()
    .slice(0, -keep);
  for (const d of old) rmSync(join(root, d), { recursive: true, force: true });
  return final;
}

/** A checkpoint opened for reading. */
export interface LoadedCheckpoint<S> {
  dir: string;
  step: number;
  state: S;
  /** Open one of its safetensors files. */
  open(file: string): Promise<SafetensorsFile>;
}

/** Remove temporary folders left by an interrupted save. */
export function cleanStaleCheckpoints(runDir: string): void {
  const root = join(runDir, 'checkpoints');
  if (!existsSync(root)) return;
  for (const d of readdirSync(root))
    if (d.startsWith('.tmp-') || d.startsWith('.old-')) rmSync(join(root, d), { recursive: true, force: true });
}

/** Open the checkpoint `latest.json` points to, or a checkpoint folder given directly. */
export function openCheckpoint<S>(path: string): LoadedCheckpoint<S> {
  let dir = path;
  const latest = join(path, 'checkpoints', 'latest.json');
  if (existsSync(latest)) {
    const { dir: name } = JSON.parse(readFileSync(latest, 'utf8')) as { dir: string };
    dir = join(path, 'checkpoints', name);
  } else if (existsSync(join(path, 'latest.json'))) {
    const { dir: name } = JSON.parse(readFileSync(join(path, 'latest.json'), 'utf8')) as { dir: string };
    dir = join(path, name);
  }
  const statePath = join(dir, 'state.json');
  if (!existsSync(statePath)) {
    throw new RectiflowError(
      `checkpoint: no state.json in ${dir}; pass a run folder (with checkpoints/latest.json) or a checkpoint folder`,
    );
  }
  const state = JSON.parse(readFileSync(statePath, 'utf8')) as S & { step: number };
  return { dir, step: state.step, state, open: (file) => readSafetensors(join(dir, `${file}.safetensors`)) };
}
