// The fused Adam / AdamW update (see adam.h): one pass over the four inputs, split over the
// pool for large tensors.
#include "adam.h"

#include <cmath>

#include "thread_pool.h"

namespace rf {

void adam_update(const float* p, const float* m, const float* v, const float* g, float* p_out, float* m_out, float* v_out,
                 int64_t n, const AdamStep& s) {
  const float decay = 1.f - s.lr * s.weight_decay;
  const int64_t chunks = n >= (int64_t(1) << 16) ? pool_threads() : 1;
  parallel_for(chunks, [&](int64_t c) {
    for (int64_t i = n * c / chunks; i < n * (c + 1) / chunks; i++) {
      const float gi = g[i];
      const float mi = s.beta1 * m[i] + (1.f - s.beta1) * gi;
      const float vi = s.beta2 * v[i] + (1.f - s.beta2) * gi * gi;
      m_out[i] = mi;
      v_out[i] = vi;
      p_out[i] = p[i] * decay - s.lr * (mi / s.correction1) / (std::sqrt(vi / s.correction2) + s.eps);
    }
  });
}

}  // namespace rf
