// The compute kernels of one instruction set. Each ISA translation unit (isa_avx512.cc,
// isa_avx2.cc, isa_portable.cc) compiles the same templates with its own compiler flags and
// fills one table; cpu_dispatch.cc picks the table the CPU supports at run time.
#pragma once
#include <cstdint>

namespace rf {

// Element (i, k) of A is a[i * a_row + k * a_col]; element (k, j) of B is b[k * b_row + j * b_col].
// C is dense row-major [m, n]. Computes rows [m0, m1) and columns [n0, n1) of C = A B (+ bias)
// (overwriting C). Scratch buffers are thread-local inside the kernel.
struct GemmArgs {
  const float* a;
  const float* b;
  float* c;
  int64_t m, n, k;
  int64_t a_row, a_col, b_row, b_col;
  // Optional: added to every row of C ([n]) as each register tile is stored for the last time.
  const float* bias = nullptr;
  // Optional ([n]): the column sums of op(B) (over k), written by the block that starts at row 0
  // (a linear layer's bias gradient, from the B of its weight gradient).
  float* b_sums = nullptr;
};

// Hyper-parameters of one Adam / AdamW step (see adam.h).
struct AdamStep {
  float lr, beta1, beta2, eps, weight_decay, correction1, correction2;
};

// Activation codes shared with the TypeScript side (src/activation-codes.ts).
enum Activation : int { kLinear = 0, kRelu = 1, kRelu6 = 2, kSigmoid = 3, kLeakyRelu = 4, kElu = 5 };

struct KernelTable {
  const char* name;
  // The scheduler splits C into blocks: their heights are multiples of tile_m (the register
  // tile's rows), their widths block_n (the width of one packed B slice).
  int64_t tile_m, block_n;
  void (*gemm_block)(const GemmArgs& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1);
  // rows x cols row-major: out[r] = reduce(x[r, :]) for op 0 sum, 2 max (sum is used for mean).
  void (*reduce_rows)(const float* x, float* out, int64_t rows, int64_t cols, int op);
  // x is [outer, mid, inner]: out[o, j] = reduce over mid of x[o, :, j].
  void (*reduce_mid)(const float* x, float* out, int64_t outer, int64_t mid, int64_t inner, int op);
  // In-place on rows x cols: y = act(y + bias[col]) (bias may be null).
  void (*bias_activation)(float* y, const float* bias, int64_t rows, int64_t cols, int act, float alpha);
  // The fused ops (fused_impl.h): GELU-tanh and its gradient on a contiguous range.
  void (*gelu)(const float* x, float* y, int64_t n);
  void (*gelu_grad)(const float* dy, const float* x, float* dx, int64_t n);
  // Softmax over the last axis and its gradient, rows [r0, r1) of rows x cols.
  void (*softmax_rows)(const float* x, float* y, int64_t r0, int64_t r1, int64_t cols);
  void (*softmax_grad_rows)(const float* dy, const float* y, float* dx, int64_t r0, int64_t r1, int64_t cols);
  // LayerNorm + adaLN modulation of one batch item (tokens x channels) and its gradients.
  void (*ln_modulate_item)(const float* x, const float* shift, const float* scale, float* y, int64_t tokens,
                           int64_t channels, float eps);
  void (*ln_modulate_grad_item)(const float* dy, const float* x, const float* scale, float* dx, float* dshift,
                                float* dscale, int64_t tokens, int64_t channels, float eps);
  // RMSNorm with a gain over the last axis, rows [r0, r1) of rows x cols, and its gradients
  // (the sum over those rows of the gain's gradient is added to dgain, one row).
  void (*rms_norm_rows)(const float* x, const float* gain, float* y, int64_t r0, int64_t r1, int64_t cols, float eps);
  void (*rms_norm_grad_rows)(const float* dy, const float* x, const float* gain, float* dx, float* dgain, int64_t r0, int64_t r1,
                             int64_t cols, float eps);
  // Adam / AdamW on elements [i0, i1).
  void (*adam_range)(const float* p, const float* m, const float* v, const float* g, float* p_out, float* m_out,
                     float* v_out, int64_t i0, int64_t i1, const AdamStep& s);
  // SiLU and its gradient on a contiguous range.
  void (*silu)(const float* x, float* y, int64_t n);
  void (*silu_grad)(const float* dy, const float* x, float* dx, int64_t n);
  // The gated residual x + gate * y of one batch item (tokens x channels, gate one row) and its
  // gradients dgate (one row, overwritten) and dy.
  void (*gated_residual_item)(const float* x, const float* gate, const float* y, float* out, int64_t tokens, int64_t channels);
  void (*gated_residual_grad_item)(const float* dout, const float* gate, const float* y, float* dgate, float* dy, int64_t tokens,
                                   int64_t channels);
};

const KernelTable* avx512_table();
const KernelTable* avx2_table();
const KernelTable* portable_table();

}  // namespace rf
