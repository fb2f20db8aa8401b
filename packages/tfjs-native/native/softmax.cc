// Row-wise softmax forward (max-shifted) and backward (see softmax.h): the vectorised row
// kernels of the active instruction set (fused_impl.h), rows split over the pool.
#include "softmax.h"

#include "cpu_dispatch.h"
#include "thread_pool.h"

namespace rf {

void softmax(const float* x, float* y, int64_t rows, int64_t cols) {
  const KernelTable* t = active_table();
  parallel_parts(rows, rows * cols, 1, [&](int64_t r0, int64_t r1) { t->softmax_rows(x, y, r0, r1, cols); });
}

void softmax_grad(const float* dy, const float* y, float* dx, int64_t rows, int64_t cols) {
  const KernelTable* t = active_table();
  parallel_parts(rows, rows * cols, 1, [&](int64_t r0, int64_t r1) { t->softmax_grad_rows(dy, y, dx, r0, r1, cols); });
}

}  // namespace rf
