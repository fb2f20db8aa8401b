// SiLU forward and backward (see silu.h): the vectorised kernels of the active instruction set
// (fused_impl.h), split over the pool in contiguous ranges for large tensors.
#include "silu.h"

#include "cpu_dispatch.h"
#include "thread_pool.h"

namespace rf {

void silu(const float* x, float* y, int64_t n) {
  const KernelTable* t = active_table();
  parallel_parts(n, n, 16, [&](int64_t i0, int64_t i1) { t->silu(x + i0, y + i0, i1 - i0); });
}

void silu_grad(const float* dy, const float* x, float* dx, int64_t n) {
  const KernelTable* t = active_table();
  parallel_parts(n, n, 16, [&](int64_t i0, int64_t i1) { t->silu_grad(dy + i0, x + i0, dx + i0, i1 - i0); });
}

}  // namespace rf
