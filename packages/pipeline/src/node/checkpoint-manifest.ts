/**
 * The manifest of a checkpoint: `manifest.json` lists every file of the checkpoint folder
 * with its size and SHA-256. It is written last, after every other file is flushed, so a
 * checkpoint with a matching manifest is complete; a truncated, zero-filled or partly
 * deleted checkpoint fails {@link verifyCheckpoint} and is never trusted.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MANIFEST_FILE = 'manifest.json';
const FORMAT = 'rectiflow-checkpoint/1';

/** What `manifest.json` holds. */
export interface CheckpointManifest {
  format: typeof FORMAT;
  step: number;
  files: Record<string, { size: number; sha256: string }>;
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Flush every file of `dir` and write its manifest (atomically, last). */
export function writeManifest(dir: string, step: number): CheckpointManifest {
  const files: CheckpointManifest['files'] = {};
  for (const name of readdirSync(dir).sort()) {
    if (name === MANIFEST_FILE || name.includes('.tmp-')) continue;
    const path = join(dir, name);
    fsyncFile(path);
    files[name] = { size: statSync(path).size, sha256: sha256(path) };
  }
  const manifest: CheckpointManifest = { format: FORMAT, step, files };
  const tmp = join(dir, `${MANIFEST_FILE}.tmp-${process.pid}`);
  writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  fsyncFile(tmp);
  renameSync(tmp, join(dir, MANIFEST_FILE));
  return manifest;
}

/** The step a checkpoint folder records (manifest, else `state.json`), or undefined when unreadable. */
export function recordedStep(dir: string): number | undefined {
  for (const file of [MANIFEST_FILE, 'state.json']) {
    try {
      const step = (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { step?: unknown }).step;
      if (typeof step === 'number' && Number.isInteger(step) && step >= 0) return step;
    } catch {
      // try the next file
    }
  }
  return undefined;
}

/**
 * Check a checkpoint folder. Returns undefined when it is complete, else what is wrong (one
 * phrase). With a manifest every listed file must exist with its size and checksum; a
 * folder without one (written before manifests) must have a readable `state.json` with a
 * step and every file in `required`.
 */
export function verifyCheckpoint(
  dir: string,
  required: { files?: readonly string[]; stateKeys?: readonly string[] } = {},
): string | undefined {
  const requiredFiles = required.files ?? [];
  if (!existsSync(dir)) return 'the folder does not exist';
  const statePath = join(dir, 'state.json');
  const manifestPath = join(dir, MANIFEST_FILE);
  if (existsSync(manifestPath)) {
    let manifest: CheckpointManifest;
    try {
      manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as CheckpointManifest;
    } catch (e) {
      return `${MANIFEST_FILE} is not valid JSON (${(e as Error).message})`;
    }
    if (manifest?.format !== FORMAT || typeof manifest.files !== 'object' || manifest.files === null) {
      return `${MANIFEST_FILE} is not a Rectiflow checkpoint manifest`;
    }
    for (const [name, { size, sha256: sum }] of Object.entries(manifest.files)) {
      const path = join(dir, name);
      if (!existsSync(path)) return `${name} is missing`;
      const actual = statSync(path).size;
      if (actual !== size) return `${name} has ${actual} bytes, the manifest says ${size}`;
      if (sha256(path) !== sum) return `${name} does not match its checksum`;
    }
    for (const name of [...requiredFiles, 'state.json']) if (!(name in manifest.files)) return `${name} is not in the manifest`;
  } else {
    for (const name of requiredFiles) if (!existsSync(join(dir, name))) return `${name} is missing`;
  }
  if (!existsSync(statePath)) return 'state.json is missing';
  let state: unknown;
  try {
    state = JSON.parse(readFileSync(statePath, 'utf8'));
  } catch (e) {
    return `state.json is not valid JSON (${(e as Error).message})`;
  }
  const s = state as { step?: unknown; config?: unknown };
  if (typeof state !== 'object' || state === null || typeof s.step !== 'number' || !Number.isInteger(s.step) || s.step < 0) {
    return 'state.json has no step';
  }
  for (const key of required.stateKeys ?? []) if (!(key in s)) return `state.json has no ${key}`;
  return undefined;
}
