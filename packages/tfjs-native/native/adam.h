// One Adam / AdamW step for one parameter tensor, writing new parameter and moments:
// m' = b1 m + (1 - b1) g; v' = b2 v + (1 - b2) g^2;
// p' = p (1 - lr wd) - lr (m' / c1) / (sqrt(v' / c2) + eps), with c1 = 1 - b1^t, c2 = 1 - b2^t.
#pragma once
#include <cstdint>

#include "kernel_table.h"

namespace rf {

void adam_update(const float* p, const float* m, const float* v, const float* g, float* p_out, float* m_out, float* v_out,
                 int64_t n, const AdamStep& s);

}  // namespace rf
