// Fused RMSNorm (see rms_norm.h), and the MM-DiT's per-head q/k norm applied on the qkv
// projections: the vectorised row kernels of the active instruction set (fused_impl.h), rows split
// over the pool. The gradients sum the gains' gradients over fixed groups of rows, then add the
// groups in order: the result does not depend on the number of threads.
#include "rms_norm.h"

#include "cpu_dispatch.h"
#include "native_memory.h"
#include "thread_pool.h"

namespace rf {

namespace {
constexpr int64_t kRowsPerGroup = 64;
constexpr int64_t kQkRowsPerGroup = 32;
}

void rms_norm(const float* x, const float* gain, float* y, int64_t rows, int64_t cols, float eps) {
  const KernelTable* t = active_table();
  parallel_parts(rows, rows * cols, 1, [&](int64_t r0, int64_t r1) { t->rms_norm_rows(x, gain, y, r0, r1, cols, eps); });
}

void rms_norm_grad(const float* dy, const float* x, const float* gain, float* dx, float* dgain, int64_t rows, int64_t cols,
                   float eps) {
  const KernelTable* t = active_table();
  const int64_t groups = (rows + kRowsPerGroup - 1) / kRowsPerGroup;
  ScratchBuffer partial(size_t(groups * cols));
  float* sums = partial.data();
  parallel_parts(groups, rows * cols, 1, [&](int64_t g0, int64_t g1) {
    for (int64_t g = g0; g < g1; g++) {
      const int64_t r0 = g * kRowsPerGroup, r1 = r0 + kRowsPerGroup < rows ? r0 + kRowsPerGroup : rows;
      for (int64_t j = 0; j < cols; j++) sums[g * cols + j] = 0.f;
      t->rms_norm_grad_rows(dy, x, gain, dx, sums + g * cols, r0, r1, cols, eps);
    }
  });
  for (int64_t j = 0; j < cols; j++) dgain[j] = 0.f;
  for (int64_t g = 0; g < groups; g++)
    for (int64_t j = 0; j < cols; j++) dgain[j] += sums[g * cols + j];
}

void qk_norm(const float* qkv, const float* gq, const float* gk, float* y, int64_t rows, int64_t heads, int64_t d, float eps) {
  const KernelTable* t = active_table();
  const int64_t width = heads * d;
  parallel_parts(rows, rows * 3 * width, 1, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const float* in = qkv + r * 3 * width;
      float* out = y + r * 3 * width;
      t->rms_norm_rows(in, gq, out, 0, heads, d, eps);
      t->rms_norm_rows(in + width, gk, out + width, 0, heads, d, eps);
      __builtin_memcpy(out + 2 * width, in + 2 * width, size_t(width) * sizeof(float));
    }
  });
}

void qk_norm_grad(const float* dy, const float* qkv, const float* gq, const float* gk, float* dqkv, float* dgq, float* dgk,
                  int64_t rows, int64_t heads, int64_t d, float eps) {
  const KernelTable* t = active_table();
  const int64_t width = heads * d;
  const int64_t groups = (rows + kQkRowsPerGroup - 1) / kQkRowsPerGroup;
  // Per group: the q gain's sum, then the k gain's sum (d each).
  ScratchBuffer partial(size_t(groups * 2 * d));
  float* sums = partial.data();
  parallel_parts(groups, rows * 3 * width, 1, [&](int64_t g0, int64_t g1) {
    for (int64_t g = g0; g < g1; g++) {
      float* sq = sums + g * 2 * d;
      float* sk = sq + d;
      for (int64_t j = 0; j < 2 * d; j++) sq[j] = 0.f;
      const int64_t r1 = (g + 1) * kQkRowsPerGroup < rows ? (g + 1) * kQkRowsPerGroup : rows;
      for (int64_t r = g * kQkRowsPerGroup; r < r1; r++) {
        const int64_t o = r * 3 * width;
        t->rms_norm_grad_rows(dy + o, qkv + o, gq, dqkv + o, sq, 0, heads, d, eps);
        t->rms_norm_grad_rows(dy + o + width, qkv + o + width, gk, dqkv + o + width, sk, 0, heads, d, eps);
        __builtin_memcpy(dqkv + o + 2 * width, dy + o + 2 * width, size_t(width) * sizeof(float));
      }
    }
  });
  for (int64_t j = 0; j < d; j++) dgq[j] = dgk[j] = 0.f;
  for (int64_t g = 0; g < groups; g++)
    for (int64_t j = 0; j < d; j++) {
      dgq[j] += sums[g * 2 * d + j];
      dgk[j] += sums[g * 2 * d + d + j];
    }
}

}  // namespace rf
