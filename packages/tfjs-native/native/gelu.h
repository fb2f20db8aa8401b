// GELU with the tanh approximation, written as x * sigmoid(2 z), z = sqrt(2/pi) (x + 0.044715 x^3),
// and its gradient: the fused kernels behind the RectiflowGeluTanh custom op.
#pragma once
#include <cstdint>

namespace rf {

void gelu_tanh(const float* x, float* y, int64_t n);
// dx = dy * d/dx gelu(x)
void gelu_tanh_grad(const float* dy, const float* x, float* dx, int64_t n);

}  // namespace rf
