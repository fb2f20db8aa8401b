// The gated residual (see gated_residual.h): the vectorised kernels of the active instruction set
// (fused_impl.h), one batch item at a time, items split over the pool. The gradient sums dgate
// over an item's tokens, so an item is never split: the sums do not depend on the thread count.
#include "gated_residual.h"

#include "cpu_dispatch.h"
#include "thread_pool.h"

namespace rf {

void gated_residual(const float* x, const float* gate, const float* y, float* out, int64_t batch, int64_t tokens,
                    int64_t channels) {
  const KernelTable* t = active_table();
  const int64_t item = tokens * channels;
  parallel_parts(batch, batch * item, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++)
      t->gated_residual_item(x + b * item, gate + b * channels, y + b * item, out + b * item, tokens, channels);
  });
}

void gated_residual_grad(const float* dout, const float* gate, const float* y, float* dgate, float* dy, int64_t batch,
                         int64_t tokens, int64_t channels) {
  const KernelTable* t = active_table();
  const int64_t item = tokens * channels;
  parallel_parts(batch, batch * item, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++)
      t->gated_residual_grad_item(dout + b * item, gate + b * channels, y + b * item, dgate + b * channels, dy + b * item, tokens,
                                  channels);
  });
}

}  // namespace rf
