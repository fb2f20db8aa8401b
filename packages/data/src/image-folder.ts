/**
 * `imagefolder`: a folder of PNG/JPEG images with captions in `metadata.jsonl` (the
 * Hugging Face convention: one JSON object per line with `file_name` and a caption column),
 * resized and centre-cropped to the training size.
 */
import { checkNumber, RectiflowError } from '@rectiflow/core';
import { checkIndex } from './check-index';
import type { Dataset } from './dataset';
import { decodeImage } from './decode-image';
import { resizeAndCenterCrop, rgbToChw } from './resize';

/** Synchronous access to a folder's files (see `nodeImageFolderSource` in `@rectiflow/data/node`). */
export interface ImageFolderSource {
  /** A name for messages (the folder path). */
  readonly label: string;
  /** The text of `metadata.jsonl`. */
  readMetadata(): string;
  /** The bytes of a file named in the metadata. */
  readFile(name: string): Uint8Array;
}

/** Options of {@link createImageFolderDataset}. */
export interface ImageFolderOptions {
  /** Output side in pixels. Default 32. */
  size?: number;
  /** The caption field of each metadata line. Default `text`. */
  captionColumn?: string;
}

/** One metadata line. */
export interface ImageFolderEntry {
  fileName: string;
  caption: string;
}

/** Parse `metadata.jsonl`; errors name the line. Blank lines are skipped. */
export function parseMetadataJsonl(text: string, label: string, captionColumn = 'text'): ImageFolderEntry[] {
  const entries: ImageFolderEntry[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (e) {
      throw new RectiflowError(`${label}/metadata.jsonl line ${i + 1}: invalid JSON (${(e as Error).message})`);
    }
    const r = row as Record<string, unknown>;
    if (typeof r?.file_name !== 'string' || !r.file_name) {
      throw new RectiflowError(`${label}/metadata.jsonl line ${i + 1}: "file_name" must be a non-empty string`);
    }
    if (typeof r[captionColumn] !== 'string') {
      throw new RectiflowError(`${label}/metadata.jsonl line ${i + 1}: caption column "${captionColumn}" must be a string`);
    }
    entries.push({ fileName: r.file_name, caption: r[captionColumn] as string });
  });
  if (!entries.length) throw new RectiflowError(`${label}/metadata.jsonl: no entries`);
  return entries;
}

/** Create a dataset over an image folder source. Images are decoded on access. */
export function createImageFolderDataset(source: ImageFolderSource, options: ImageFolderOptions = {}): Dataset {
  const size = checkNumber('size', options.size ?? 32, { integer: true, min: 1, max: 4096 });
  const entries = parseMetadataJsonl(source.readMetadata(), source.label, options.captionColumn ?? 'text');
  return {
    name: `imagefolder(${JSON.stringify(source.label)}, size=${size})`,
    size: entries.length,
    channels: 3,
    height: size,
    width: size,
    get(index: number) {
      checkIndex(index, entries.length);
      const { fileName, caption } = entries[index];
      const rgb = decodeImage(source.readFile(fileName), `${source.label}/${fileName}`);
      return { image: rgbToChw(resizeAndCenterCrop(rgb, size)), caption };
    },
  };
}
