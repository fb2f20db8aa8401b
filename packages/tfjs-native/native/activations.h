// The fused activations behind the RectiflowGeluTanh and RectiflowSilu custom ops, and their
// gradients: GELU with the tanh approximation, written as x * sigmoid(2 z),
// z = sqrt(2/pi) (x + 0.044715 x^3), and SiLU, x * sigmoid(x).
#pragma once
#include <cstdint>

namespace rf {

void gelu_tanh(const float* x, float* y, int64_t n);
// dx = dy * d/dx gelu(x)
void gelu_tanh_grad(const float* dy, const float* x, float* dx, int64_t n);
void silu(const float* x, float* y, int64_t n);
// dx = dy * d/dx silu(x)
void silu_grad(const float* dy, const float* x, float* dx, int64_t n);

}  // namespace rf
