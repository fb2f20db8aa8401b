/** Node file access for image folders. */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, normalize, relative } from 'node:path';
import { RectiflowError } from '@rectiflow/core';
import { createImageFolderDataset, type ImageFolderOptions, type ImageFolderSource } from './image-folder';

/** An {@link ImageFolderSource} over a directory; file names may not leave it. */
export function nodeImageFolderSource(dir: string): ImageFolderSource {
  return {
    label: dir,
    readMetadata: () => {
      try {
        return readFileSync(join(dir, 'metadata.jsonl'), 'utf8');
      } catch (e) {
        throw new RectiflowError(`${dir}: cannot read metadata.jsonl (${(e as Error).message})`);
      }
    },
    readFile: (name) => {
      const rel = relative(dir, join(dir, normalize(name)));
      if (isAbsolute(name) || rel.startsWith('..')) throw new RectiflowError(`${dir}: file_name ${JSON.stringify(name)} leaves the folder`);
      return new Uint8Array(readFileSync(join(dir, rel)));
    },
  };
}

/** Load an image folder from disk (`metadata.jsonl` plus images). */
export function loadImageFolder(dir: string, options: ImageFolderOptions = {}) {
  return createImageFolderDataset(nodeImageFolderSource(dir), options);
}
