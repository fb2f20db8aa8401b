/**
 * Deterministic shuffling and batching. The order of epoch e is a permutation drawn from
 * (seed, e), so a loader's position is fully described by {epoch, position} and resumes
 * exactly.
 */
import { checkNumber, createRng, invalid, tf } from '@rectiflow/core';
import type { Dataset } from './dataset';

/** A batch: images as an NCHW float32 tensor in [-1, 1], with captions and indices. */
export interface Batch {
  images: tf.Tensor4D;
  captions: string[];
  indices: number[];
}

/** Where a loader is; save it with a checkpoint. */
export interface LoaderState {
  epoch: number;
  position: number;
}

/** Options of {@link DataLoader}. */
export interface LoaderOptions {
  batchSize: number;
  /** Shuffle seed. Default 0. */
  seed?: number;
  /** Shuffle each epoch. Default true. */
  shuffle?: boolean;
}

/** Deterministic batches from a dataset; batches never straddle epochs (the last partial batch is dropped). */
export class DataLoader {
  readonly batchSize: number;
  readonly seed: number;
  readonly shuffle: boolean;
  private epoch = 0;
  private position = 0;
  private order: Int32Array | undefined;

  constructor(
    readonly dataset: Dataset,
    options: LoaderOptions,
  ) {
    this.batchSize = checkNumber('batchSize', options.batchSize, { integer: true, min: 1, max: dataset.size });
    this.seed = checkNumber('seed', options.seed ?? 0, { integer: true });
    this.shuffle = options.shuffle ?? true;
  }

  /** Batches per epoch. */
  get batchesPerEpoch(): number {
    return Math.floor(this.dataset.size / this.batchSize);
  }

  private orderOf(epoch: number): Int32Array {
    if (!this.order) {
      this.order = this.shuffle
        ? createRng(`loader/${this.seed}/${epoch}`).permutation(this.dataset.size)
        : Int32Array.from({ length: this.dataset.size }, (_, i) => i);
    }
    return this.order;
  }

  /** The indices of the next batch, advancing the loader. */
  nextIndices(): number[] {
    if (this.position + this.batchSize > this.dataset.size) {
      this.epoch++;
      this.position = 0;
      this.order = undefined;
    }
    const order = this.orderOf(this.epoch);
    const indices = Array.from(order.subarray(this.position, this.position + this.batchSize));
    this.position += this.batchSize;
    return indices;
  }

  /** The next batch. The caller disposes `images`. */
  next(): Batch {
    const indices = this.nextIndices();
    const { channels, height, width } = this.dataset;
    const per = channels * height * width;
    const data = new Float32Array(indices.length * per);
    const captions: string[] = [];
    indices.forEach((index, b) => {
      const item = this.dataset.get(index);
      if (item.image.length !== per) invalid(`dataset image ${index}`, item.image.length, `${per} values (${channels}x${height}x${width})`);
      data.set(item.image, b * per);
      captions.push(item.caption);
    });
    return { images: tf.tensor4d(data, [indices.length, channels, height, width]), captions, indices };
  }

  /** The current position. */
  getState(): LoaderState {
    return { epoch: this.epoch, position: this.position };
  }

  /** Continue from a saved position. */
  setState(state: LoaderState): void {
    checkNumber('state.epoch', state?.epoch, { integer: true, min: 0 });
    checkNumber('state.position', state?.position, { integer: true, min: 0, max: this.dataset.size });
    this.epoch = state.epoch;
    this.position = state.position;
    this.order = undefined;
  }
}
