// GELU-tanh forward and backward (see gelu.h): the vectorised kernels of the active instruction
// set (fused_impl.h), split over the pool in contiguous ranges for large tensors.
#include "gelu.h"

#include "cpu_dispatch.h"
#include "thread_pool.h"

namespace rf {
namespace {

// About 1 ns per element per thread: from here a second thread pays for its wake-up.
constexpr int64_t kParallelGelu = int64_t(1) << 16;

template <typename F>
void ranges_on_pool(int64_t n, F f) {
  const int64_t chunks = n >= kParallelGelu ? pool_threads() : 1;
  parallel_for(chunks, [&](int64_t c) {
    // Chunk boundaries on multiples of 16 floats (one cache line).
    const int64_t i0 = (n * c / chunks) & ~int64_t(15), i1 = c + 1 == chunks ? n : (n * (c + 1) / chunks) & ~int64_t(15);
    if (i1 > i0) f(i0, i1);
  });
}

}  // namespace

void gelu_tanh(const float* x, float* y, int64_t n) {
  const KernelTable* t = active_table();
  ranges_on_pool(n, [&](int64_t i0, int64_t i1) { t->gelu(x + i0, y + i0, i1 - i0); });
}

void gelu_tanh_grad(const float* dy, const float* x, float* dx, int64_t n) {
  const KernelTable* t = active_table();
  ranges_on_pool(n, [&](int64_t i0, int64_t i1) { t->gelu_grad(dy + i0, x + i0, dx + i0, i1 - i0); });
}

}  // namespace rf
