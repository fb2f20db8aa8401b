/**
 * The functions of the compiled addon (`build/Release/tfjs_native.node`). Every kernel takes
 * the wasm heap and byte offsets into it, and reads and writes the tensors in place.
 */

/** What the addon reports about itself. */
export interface NativeInfo {
  /** The instruction set of the kernels in use: `avx512`, `avx2` or `portable`. */
  isa: string;
  /** Threads used by the kernels, the calling thread included. */
  threads: number;
  /** Bytes of temporary native memory currently held (0 between kernel calls). */
  scratchBytes: number;
  /** The instruction sets this CPU can run, best first. */
  supportedIsas: string[];
}

/** The raw addon interface (internal: use the kernels through tfjs). */
export interface NativeBinding {
  matMul(
    heap: ArrayBuffer,
    aOffset: number,
    bOffset: number,
    outOffset: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    batchShape: number[],
    aBatchStrides: number[],
    bBatchStrides: number[],
    aSize: number,
    bSize: number,
    biasOffset: number,
    biasSize: number,
    activation: number,
    alpha: number,
    preluOffset: number,
    preluSize: number,
    /** Where to write op(b)'s column sums [n] (batch of 1 only), or -1. */
    bSumsOffset?: number,
  ): void;
  reduce(heap: ArrayBuffer, xOffset: number, outOffset: number, shape: number[], axes: number[], op: number): void;
  transpose(heap: ArrayBuffer, xOffset: number, outOffset: number, shape: number[], perm: number[]): void;
  slice(heap: ArrayBuffer, xOffset: number, outOffset: number, shape: number[], begin: number[], size: number[]): void;
  concat(heap: ArrayBuffer, outOffset: number, outer: number, inputOffsets: number[], widths: number[]): void;
  geluTanh(heap: ArrayBuffer, xOffset: number, yOffset: number, size: number): void;
  geluTanhGrad(heap: ArrayBuffer, dyOffset: number, xOffset: number, dxOffset: number, size: number): void;
  silu(heap: ArrayBuffer, xOffset: number, yOffset: number, size: number): void;
  siluGrad(heap: ArrayBuffer, dyOffset: number, xOffset: number, dxOffset: number, size: number): void;
  gatedResidual(
    heap: ArrayBuffer,
    xOffset: number,
    gateOffset: number,
    yOffset: number,
    outOffset: number,
    batch: number,
    tokens: number,
    channels: number,
  ): void;
  gatedResidualGrad(
    heap: ArrayBuffer,
    doutOffset: number,
    gateOffset: number,
    yOffset: number,
    dgateOffset: number,
    dyOffset: number,
    batch: number,
    tokens: number,
    channels: number,
  ): void;
  layerNormModulate(
    heap: ArrayBuffer,
    xOffset: number,
    shiftOffset: number,
    scaleOffset: number,
    yOffset: number,
    batch: number,
    tokens: number,
    channels: number,
    eps: number,
  ): void;
  layerNormModulateGrad(
    heap: ArrayBuffer,
    dyOffset: number,
    xOffset: number,
    scaleOffset: number,
    dxOffset: number,
    dshiftOffset: number,
    dscaleOffset: number,
    batch: number,
    tokens: number,
    channels: number,
    eps: number,
  ): void;
  adamUpdate(
    heap: ArrayBuffer,
    pOffset: number,
    mOffset: number,
    vOffset: number,
    gOffset: number,
    pOutOffset: number,
    mOutOffset: number,
    vOutOffset: number,
    size: number,
    hyper: [lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, correction1: number, correction2: number],
  ): void;
  binary(
    heap: ArrayBuffer,
    op: number,
    aOffset: number,
    bOffset: number,
    outOffset: number,
    outShape: number[],
    aStrides: number[],
    bStrides: number[],
    aSize: number,
    bSize: number,
  ): void;
  softmax(heap: ArrayBuffer, xOffset: number, yOffset: number, rows: number, cols: number): void;
  softmaxGrad(heap: ArrayBuffer, dyOffset: number, yOffset: number, dxOffset: number, rows: number, cols: number): void;
  linearGelu(
    heap: ArrayBuffer,
    xOffset: number,
    wOffset: number,
    bOffset: number,
    zOffset: number,
    hOffset: number,
    m: number,
    n: number,
    k: number,
  ): void;
  attention(
    heap: ArrayBuffer,
    qOffset: number,
    kOffset: number,
    vOffset: number,
    oOffset: number,
    pOffset: number,
    n: number,
    lq: number,
    lk: number,
    d: number,
    scale: number,
  ): void;
  attentionGrad(
    heap: ArrayBuffer,
    doOffset: number,
    qOffset: number,
    kOffset: number,
    vOffset: number,
    pOffset: number,
    dqOffset: number,
    dkOffset: number,
    dvOffset: number,
    n: number,
    lq: number,
    lk: number,
    d: number,
    scale: number,
  ): void;
  /**
   * offsets of qkvc, qkvx, oc, ox, p (then, with the q/k norm, of its gains gqc, gkc, gqx, gkx [d]);
   * sizes [heads, batch, lcq, lc, lx, d].
   */
  jointAttention(heap: ArrayBuffer, offsets: number[], sizes: number[], scale: number, eps?: number): void;
  /**
   * offsets of doc, dox, qkvc, qkvx, p, dqkvc, dqkvx (then, with the q/k norm, of its gains gqc,
   * gkc, gqx, gkx and of their gradients [4, d]); sizes as jointAttention.
   */
  jointAttentionGrad(heap: ArrayBuffer, offsets: number[], sizes: number[], scale: number, eps?: number): void;
  qkNorm(
    heap: ArrayBuffer,
    qkvOffset: number,
    gqOffset: number,
    gkOffset: number,
    yOffset: number,
    rows: number,
    heads: number,
    d: number,
    eps: number,
  ): void;
  qkNormGrad(
    heap: ArrayBuffer,
    dyOffset: number,
    qkvOffset: number,
    gqOffset: number,
    gkOffset: number,
    dqkvOffset: number,
    dgqOffset: number,
    dgkOffset: number,
    rows: number,
    heads: number,
    d: number,
    eps: number,
  ): void;
  rmsNorm(heap: ArrayBuffer, xOffset: number, gainOffset: number, yOffset: number, rows: number, cols: number, eps: number): void;
  rmsNormGrad(
    heap: ArrayBuffer,
    dyOffset: number,
    xOffset: number,
    gainOffset: number,
    dxOffset: number,
    dgainOffset: number,
    rows: number,
    cols: number,
    eps: number,
  ): void;
  info(): NativeInfo;
  setThreads(threads: number): number;
  setIsa(name: string): boolean;
}
