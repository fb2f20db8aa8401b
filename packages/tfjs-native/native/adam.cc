// The fused Adam / AdamW update (see adam.h): the vectorised kernel of the active instruction
// set (fused_impl.h), one pass over the four inputs, split over the pool for large tensors.
#include "adam.h"

#include "cpu_dispatch.h"
#include "thread_pool.h"

namespace rf {

void adam_update(const float* p, const float* m, const float* v, const float* g, float* p_out, float* m_out, float* v_out,
                 int64_t n, const AdamStep& s) {
  const KernelTable* t = active_table();
  parallel_parts(n, n, 16, [&](int64_t i0, int64_t i1) { t->adam_range(p, m, v, g, p_out, m_out, v_out, i0, i1, s); });
}

}  // namespace rf
