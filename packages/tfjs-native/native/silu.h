// SiLU x * sigmoid(x) and its gradient: the fused kernels behind the RectiflowSilu custom op.
#pragma once
#include <cstdint>

namespace rf {

void silu(const float* x, float* y, int64_t n);
// dx = dy * d/dx silu(x)
void silu_grad(const float* dy, const float* x, float* dx, int64_t n);

}  // namespace rf
