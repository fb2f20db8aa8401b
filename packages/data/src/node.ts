/**
 * `@rectiflow/data/node`: image folders on disk, and the `imagefolder` dataset plugin.
 * @module node
 */
import { definePlugin, registerBuiltin } from '@rectiflow/core';
import { loadImageFolder, nodeImageFolderSource } from './node-file';
import './dataset-plugins';

registerBuiltin(
  'dataset',
  'imagefolder',
  definePlugin({
    description: 'a folder of PNG/JPEG images with captions in metadata.jsonl',
    params: [
      { name: 'path', type: 'string' },
      { name: 'size', type: 'integer', default: 32, min: 1, max: 4096 },
      { name: 'captionColumn', type: 'string', default: 'text' },
    ],
    create: (p) => loadImageFolder(p.path, { size: p.size, captionColumn: p.captionColumn }),
  }),
);

export { loadImageFolder, nodeImageFolderSource };
