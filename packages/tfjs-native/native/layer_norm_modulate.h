// LayerNorm over the last axis (no affine) followed by adaLN modulation, fused:
// y[b, l, :] = norm(x[b, l, :]) * (1 + scale[b, :]) + shift[b, :], and its gradient.
#pragma once
#include <cstdint>

namespace rf {

void layer_norm_modulate(const float* x, const float* shift, const float* scale, float* y, int64_t batch, int64_t tokens,
                         int64_t channels, float eps);

// Gradients with respect to x, shift and scale (statistics are recomputed from x).
void layer_norm_modulate_grad(const float* dy, const float* x, const float* scale, float* dx, float* dshift, float* dscale,
                              int64_t batch, int64_t tokens, int64_t channels, float eps);

}  // namespace rf
