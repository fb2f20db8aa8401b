/**
 * Shapes and strides of a (batched, broadcast, transposed) matrix product, with the same
 * checks and error messages as the stock tfjs kernels.
 */
import { tf } from '@rectiflow/core';

/** How the addon runs one product. */
export interface MatMulPlan {
  m: number;
  n: number;
  k: number;
  outShape: number[];
  batchShape: number[];
  aBatchStrides: number[];
  bBatchStrides: number[];
}

/** Element strides of `dims` (batch dims of one operand) aligned right against `batchShape`. */
function batchStrides(dims: number[], batchShape: number[], matrixSize: number): number[] {
  const strides = new Array<number>(batchShape.length).fill(0);
  let stride = matrixSize;
  for (let i = dims.length - 1; i >= 0; i--) {
    const d = batchShape.length - dims.length + i;
    strides[d] = dims[i] === 1 ? 0 : stride;
    stride *= dims[i];
  }
  return strides;
}

/** Plan `op(a) @ op(b)`; throws the stock error for mismatched shapes. */
export function planMatMul(aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean): MatMulPlan {
  const aRank = aShape.length;
  const bRank = bShape.length;
  const innerA = transposeA ? aShape[aRank - 2] : aShape[aRank - 1];
  const innerB = transposeB ? bShape[bRank - 1] : bShape[bRank - 2];
  const m = transposeA ? aShape[aRank - 1] : aShape[aRank - 2];
  const n = transposeB ? bShape[bRank - 2] : bShape[bRank - 1];
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const batchShape = tf.backend_util.assertAndGetBroadcastShape(aBatch, bBatch);
  tf.util.assert(
    innerA === innerB,
    () =>
      `Error in matMul: inner shapes (${innerA}) and (${innerB}) of Tensors with shapes ${aShape} and ` +
      `${bShape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
  );
  return {
    m,
    n,
    k: innerA,
    outShape: [...batchShape, m, n],
    batchShape,
    aBatchStrides: batchStrides(aBatch, batchShape, m * innerA),
    bBatchStrides: batchStrides(bBatch, batchShape, innerA * n),
  };
}
