/**
 * @rectiflow/data: captioned image datasets for training (`shapes`, `mnist`, `imagefolder`)
 * and deterministic batching. Datasets are plugins of kind `dataset`:
 * `create('dataset', 'shapes(count=1000)')`. Image folders on disk: `@rectiflow/data/node`.
 * @packageDocumentation
 */
import './dataset-plugins';

export { colorAdherence, colorHistogram, dominantColors, matchesCaptionColors, parseShapesCaption } from './color-check';
export type { CaptionedImage, Dataset } from './dataset';
export { decodeImage, type RgbImage } from './decode-image';
export {
  createImageFolderDataset,
  type ImageFolderEntry,
  type ImageFolderOptions,
  type ImageFolderSource,
  parseMetadataJsonl,
} from './image-folder';
export { type Batch, DataLoader, type LoaderOptions, type LoaderState } from './loader';
export { createMnistDataset, isMnistHeldOut, MNIST_TEMPLATES, type MnistOptions } from './mnist';
export { loadMnistDigits, type MnistDigit } from './mnist-digits';
export { BACKGROUND, COLOR_NAMES, type ColorName, PALETTE } from './palette';
export { resizeAndCenterCrop, resizeRgb, rgbToChw } from './resize';
export {
  createShapesDataset,
  type DrawnShape,
  HELD_OUT_COMBINATIONS,
  isHeldOutCombination,
  POSITIONS,
  type Position,
  RELATIONS,
  type Relation,
  renderShapes,
  SHAPE_KINDS,
  SHAPES_SAMPLE_PROMPTS,
  type ShapeKind,
  type ShapesLabels,
  type ShapesOptions,
  shapeSignedDistance,
  shapesCaption,
} from './shapes';
export { type PromptedShape, parseShapesPrompt, type ShapesPrompt } from './shapes-prompt';
