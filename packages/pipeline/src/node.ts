/**
 * @rectiflow/pipeline/node: the run and checkpoint folders on disk. Checkpoints that
 * survive crashes (written under a temporary name, verified by a manifest of sizes and
 * SHA-256 sums, `latest.json` replaced atomically), listing and verifying them, and
 * `loadRun` to sample from a run folder. Node only; the runtime-neutral parts are in the
 * main entry.
 * @packageDocumentation
 */
export {
  type CheckpointContent,
  type CheckpointEntry,
  type CheckpointRequirements,
  checkRun,
  cleanStaleCheckpoints,
  type LoadedCheckpoint,
  listCheckpoints,
  openCheckpoint,
  type SavePhase,
  saveCheckpoint,
  stepDir,
  writeTextAtomic,
} from './node/checkpoint-folder';
export { type CheckpointManifest, MANIFEST_FILE, verifyCheckpoint } from './node/checkpoint-manifest';
export { checkpointFilesFromFolder, loadRun } from './node/load-run';
export { checkWritableDir, ensureWritableDir } from './node/writable-folder';
