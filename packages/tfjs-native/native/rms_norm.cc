// Fused RMSNorm (see rms_norm.h): the vectorised row kernels of the active instruction set
// (fused_impl.h), rows split over the pool. The gradient sums dgain over fixed groups of rows,
// then adds the groups in order: the result does not depend on the number of threads.
#include "rms_norm.h"

#include "cpu_dispatch.h"
#include "native_memory.h"
#include "thread_pool.h"

namespace rf {

namespace {
constexpr int64_t kRowsPerGroup = 64;
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
      t->rms_norm_grad_rows(dy, x, gain, dx, sums + g * cols, r0, r1, cols, eps);
    }
  });
  for (int64_t j = 0; j < cols; j++) dgain[j] = 0.f;
  for (int64_t g = 0; g < groups; g++)
    for (int64_t j = 0; j < cols; j++) dgain[j] += sums[g * cols + j];
}

}  // namespace rf
