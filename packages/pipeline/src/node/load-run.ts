/**
 * Open a trained run folder (its newest valid checkpoint) or a checkpoint folder on disk for
 * sampling: the checkpoint is verified (manifest sizes and checksums) before any weight is
 * read, then built by {@link loadRunFromFiles}.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RectiflowError } from '@rectiflow/core';
import {
  type CheckpointFiles,
  type LoadedRun,
  loadRunFromFiles,
  RUN_STATE_KEYS,
  type RunCheckpointState,
  type RunConfig,
  runWeightFiles,
} from '../run-checkpoint';
import { openCheckpoint } from './checkpoint-folder';

/** The files of a checkpoint folder on disk. */
export function checkpointFilesFromFolder(dir: string): CheckpointFiles {
  return {
    where: dir,
    async read(name) {
      try {
        return new Uint8Array(await readFile(join(dir, name)));
      } catch (e) {
        if ((e as { code?: string }).code === 'ENOENT') throw new RectiflowError(`checkpoint: ${join(dir, name)} is missing`);
        throw e;
      }
    },
  };
}

/**
 * Load a run folder (its newest valid checkpoint) or a checkpoint folder.
 * @param ema use the EMA weights (default true).
 * @param log where a skipped damaged checkpoint is reported (default: stderr).
 */
export async function loadRun<C extends RunConfig = RunConfig>(
  path: string,
  ema = true,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<LoadedRun<C>> {
  const names = runWeightFiles(ema);
  let dir: string;
  try {
    dir = openCheckpoint<RunCheckpointState<C>>(
      path,
      { files: [`${names.model}.safetensors`, `${names.textEncoder}.safetensors`], stateKeys: RUN_STATE_KEYS },
      log,
    ).dir;
  } catch (e) {
    if (
      !ema &&
      e instanceof RectiflowError &&
      /model\.safetensors is missing/.test(e.message) &&
      existsSync(join(path, 'ema.safetensors'))
    ) {
      throw new RectiflowError(
        `checkpoint: ${join(path, 'model.safetensors')} is missing (this checkpoint keeps only the EMA weights: drop --no-ema)`,
      );
    }
    throw e;
  }
  return loadRunFromFiles<C>(checkpointFilesFromFolder(dir), { ema });
}
