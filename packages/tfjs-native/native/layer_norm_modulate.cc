// Fused LayerNorm + adaLN modulation (see layer_norm_modulate.h): the vectorised kernels of the
// active instruction set (fused_impl.h), one batch item at a time, batch items split over the
// pool. The gradient accumulates dshift and dscale over an item's tokens, so an item is never
// split: the sums do not depend on the number of threads.
#include "layer_norm_modulate.h"

#include "cpu_dispatch.h"
#include "thread_pool.h"

namespace rf {

void layer_norm_modulate(const float* x, const float* shift, const float* scale, float* y, int64_t batch, int64_t tokens,
                         int64_t channels, float eps) {
  const KernelTable* t = active_table();
  const int64_t item = tokens * channels;
  parallel_parts(batch, batch * item, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++)
      t->ln_modulate_item(x + b * item, shift + b * channels, scale + b * channels, y + b * item, tokens, channels, eps);
  });
}

void layer_norm_modulate_grad(const float* dy, const float* x, const float* scale, float* dx, float* dshift, float* dscale,
                              int64_t batch, int64_t tokens, int64_t channels, float eps) {
  const KernelTable* t = active_table();
  const int64_t item = tokens * channels;
  parallel_parts(batch, batch * item, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++)
      t->ln_modulate_grad_item(dy + b * item, x + b * item, scale + b * channels, dx + b * item, dshift + b * channels,
                               dscale + b * channels, tokens, channels, eps);
  });
}

}  // namespace rf
