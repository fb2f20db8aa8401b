/**
 * Checkpoints that survive crashes. A checkpoint is a folder `checkpoints/step-NNNNNNN/`
 * with safetensors files, `state.json` and `manifest.json` (sizes and checksums, written
 * last). It is written under a temporary name, flushed, and renamed into place; only then
 * does `checkpoints/latest.json` (itself replaced atomically) point to it. Old checkpoints
 * are renamed away before they are deleted. A crash or SIGKILL at any moment leaves the
 * last good checkpoint intact; a damaged checkpoint fails verification when it is opened,
 * and the newest valid one is used instead.
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
import { basename, join } from 'node:path';
import { RectiflowError, type tf } from '@rectiflow/core';
import { readSafetensors, type SafetensorsFile, writeSafetensors } from '@rectiflow/safetensors';
import { recordedStep, verifyCheckpoint, writeManifest } from './checkpoint-manifest';

/** Write a small text file atomically (temp file, fsync, rename). */
export function writeTextAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  const fd = openSync(tmp, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, path);
}

/** The folder name of a step's checkpoint (ordering never relies on it: see {@link listCheckpoints}). */
export function stepDir(step: number): string {
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

/**
 * The moments of a save, in order: `tmp-file` (after each file in the temporary folder),
 * `manifest` (temporary folder complete), `renamed` (in place, latest.json not yet
 * updated), `latest` (latest.json updated), `prune-renamed` (an old checkpoint renamed
 * away), `pruned` (it is deleted).
 */
export type SavePhase = 'tmp-file' | 'manifest' | 'renamed' | 'latest' | 'prune-renamed' | 'pruned';

/** A checkpoint folder and the step recorded in it. */
export interface CheckpointEntry {
  name: string;
  dir: string;
  /** The step recorded inside (manifest or state.json); the folder name's number when unreadable. */
  step: number;
}

/** The step folders of `checkpoints/`, newest first by the step recorded inside them. */
export function listCheckpoints(root: string): CheckpointEntry[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((d) => /^step-\d+$/.test(d))
    .map((name) => ({ name, dir: join(root, name), step: recordedStep(join(root, name)) ?? Number(name.slice(5)) }))
    .sort((a, b) => b.step - a.step || b.name.localeCompare(a.name));
}

/** Delete a folder by renaming it away first, so a kill never leaves a half-deleted checkpoint under its name. */
function removeByRenaming(root: string, name: string, onPhase?: (phase: SavePhase) => void): void {
  const away = join(root, `.del-${name}-${process.pid}`);
  renameSync(join(root, name), away);
  onPhase?.('prune-renamed');
  rmSync(away, { recursive: true, force: true });
  onPhase?.('pruned');
}

/**
 * Save a checkpoint and point `latest.json` to it; keep it and the newest `keep - 1` older
 * ones (by the step recorded inside, not by folder name).
 */
export async function saveCheckpoint<S>(
  runDir: string,
  content: CheckpointContent<S>,
  keep = 2,
  onPhase?: (phase: SavePhase) => void,
): Promise<string> {
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
    onPhase?.('tmp-file');
  }
  writeTextAtomic(join(tmp, 'state.json'), `${JSON.stringify(content.state, null, 2)}\n`);
  writeManifest(tmp, content.step);
  onPhase?.('manifest');
  const final = join(root, name);
  // Replacing a checkpoint of the same step: move the old one aside first, so that until
  // the new one is complete `latest.json` never points to a half-written folder.
  const aside = existsSync(final) ? join(root, `.old-${name}-${process.pid}`) : undefined;
  if (aside) renameSync(final, aside);
  renameSync(tmp, final);
  onPhase?.('renamed');
  writeTextAtomic(join(root, 'latest.json'), `${JSON.stringify({ step: content.step, dir: name })}\n`);
  onPhase?.('latest');
  if (aside) rmSync(aside, { recursive: true, force: true });
  const older = listCheckpoints(root).filter((c) => c.name !== name);
  // Checkpoints of later steps belong to an abandoned continuation (the run was resumed
  // from an earlier one because they were damaged); the older ones beyond `keep` are old.
  const stale = [...older.filter((c) => c.step >= content.step), ...older.filter((c) => c.step < content.step).slice(keep - 1)];
  for (const c of stale) removeByRenaming(root, c.name, onPhase);
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

/** Remove temporary folders left by an interrupted save or prune. */
export function cleanStaleCheckpoints(runDir: string): void {
  const root = join(runDir, 'checkpoints');
  if (!existsSync(root)) return;
  for (const d of readdirSync(root))
    if (d.startsWith('.tmp-') || d.startsWith('.old-') || d.startsWith('.del-') || /^latest\.json\.tmp-/.test(d))
      rmSync(join(root, d), { recursive: true, force: true });
}

/** What a checkpoint must hold to be usable. */
export interface CheckpointRequirements {
  files?: readonly string[];
  stateKeys?: readonly string[];
}

/** The verdict on every checkpoint of a run folder, newest first. */
export function checkRun(runDir: string, required: CheckpointRequirements = {}): Array<CheckpointEntry & { problem?: string }> {
  return listCheckpoints(join(runDir, 'checkpoints')).map((c) => ({ ...c, problem: verifyCheckpoint(c.dir, required) }));
}

function latestHint(root: string): { name?: string; problem?: string } {
  const path = join(root, 'latest.json');
  if (!existsSync(path)) return { problem: 'latest.json is missing' };
  try {
    const { dir } = JSON.parse(readFileSync(path, 'utf8')) as { dir?: unknown };
    if (typeof dir !== 'string' || !/^step-\d+$/.test(dir)) return { problem: 'latest.json does not name a checkpoint' };
    return { name: dir };
  } catch (e) {
    return { problem: `latest.json is not valid JSON (${(e as Error).message})` };
  }
}

/**
 * Open the newest valid checkpoint of a run folder, or a checkpoint folder given directly.
 * Every checkpoint is verified first (manifest sizes and checksums, `state.json`); a damaged
 * newest one is reported through `log` and the newest valid one is used.
 */
export function openCheckpoint<S>(
  path: string,
  required: CheckpointRequirements = {},
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): LoadedCheckpoint<S> {
  if (!existsSync(path)) throw new RectiflowError(`checkpoint: ${path} does not exist; pass a run folder or a checkpoint folder`);
  let dir: string;
  let runRoot = join(path, 'checkpoints');
  if (!existsSync(runRoot) && existsSync(join(path, 'latest.json'))) runRoot = path;
  if (existsSync(join(path, 'state.json')) || (!existsSync(runRoot) && /^step-\d+$/.test(basename(path)))) {
    const problem = verifyCheckpoint(path, required);
    if (problem) throw new RectiflowError(`checkpoint: ${path} is damaged: ${problem}`);
    dir = path;
  } else {
    const all = listCheckpoints(runRoot);
    if (!all.length) {
      throw new RectiflowError(`checkpoint: no checkpoint in ${path}; pass a run folder (with checkpoints/step-*) or a checkpoint folder`);
    }
    const hint = latestHint(runRoot);
    const problems: string[] = [];
    const found = all.find((c) => {
      const problem = verifyCheckpoint(c.dir, required);
      if (problem) problems.push(`${c.name}: ${problem}`);
      return !problem;
    });
    if (!found) throw new RectiflowError(`checkpoint: no valid checkpoint in ${runRoot} (${problems.join('; ')})`);
    if (problems.length) log(`checkpoint: skipping damaged ${problems.join('; ')}; using ${found.name} (step ${found.step})`);
    else if (hint.problem) log(`checkpoint: ${hint.problem}; using the newest valid checkpoint ${found.name} (step ${found.step})`);
    dir = found.dir;
  }
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as S & { step: number };
  return { dir, step: state.step, state, open: (file) => readSafetensors(join(dir, `${file}.safetensors`)) };
}
