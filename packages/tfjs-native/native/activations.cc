// GELU-tanh and SiLU, forward and backward (see activations.h): the vectorised kernels of the
// active instruction set (fused_impl.h), split over the pool in contiguous ranges for large tensors.
#include "activations.h"

#include "cpu_dispatch.h"
#include "thread_pool.h"

namespace rf {

namespace {

void split(int64_t n, void (*f)(const float*, float*, int64_t), const float* x, float* y) {
  parallel_parts(n, n, 16, [&](int64_t i0, int64_t i1) { f(x + i0, y + i0, i1 - i0); });
}

void split_grad(int64_t n, void (*g)(const float*, const float*, float*, int64_t), const float* dy, const float* x, float* dx) {
  parallel_parts(n, n, 16, [&](int64_t i0, int64_t i1) { g(dy + i0, x + i0, dx + i0, i1 - i0); });
}

}  // namespace

void gelu_tanh(const float* x, float* y, int64_t n) { split(n, active_table()->gelu, x, y); }
void gelu_tanh_grad(const float* dy, const float* x, float* dx, int64_t n) { split_grad(n, active_table()->gelu_grad, dy, x, dx); }
void silu(const float* x, float* y, int64_t n) { split(n, active_table()->silu, x, y); }
void silu_grad(const float* dy, const float* x, float* dx, int64_t n) { split_grad(n, active_table()->silu_grad, dy, x, dx); }

}  // namespace rf
