/** One training example: an image and its caption. */
export interface CaptionedImage {
  /** Pixels in CHW order, values in [-1, 1]. */
  image: Float32Array;
  caption: string;
  /** Structured ground truth where the dataset has it (e.g. the shapes drawn). */
  labels?: unknown;
}

/**
 * A captioned image dataset with random access. `get(i)` is deterministic: the same index
 * always gives the same example, which makes shuffling and resume exact.
 */
export interface Dataset {
  /** The spec that created it, e.g. `shapes(count=50000)`. */
  readonly name: string;
  /** Number of examples. */
  readonly size: number;
  /** Image channels, height and width. */
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  /** The example at `index` (0 <= index < size). */
  get(index: number): CaptionedImage;
  /**
   * Optional: `count` captions the model never trained on (a held-out split), for the final
   * sample grid and evaluations; `seed` picks which. Without it the training app uses its
   * fixed sample prompts.
   */
  heldOutPrompts?(count: number, seed: number): string[];
  /**
   * Optional: a few prompts that show what this dataset holds (shapes: eight shape prompts,
   * mnist: one per digit), for the periodic sample grids of a training run when the run names
   * none.
   */
  samplePrompts?(): string[];
  /**
   * Optional: the fraction of generated images (CHW, [-1, 1], this dataset's size) that show
   * what their prompts say, by a check the dataset knows (shapes: the named colours).
   */
  promptAdherence?(images: readonly Float32Array[], prompts: readonly string[]): number;
}
