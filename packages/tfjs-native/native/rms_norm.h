// RMSNorm with a gain over the last axis, fused (the RectiflowRmsNorm custom op):
// y = x * r * gain with r = rsqrt(mean(x^2) + eps); its backward gives dx and dgain.
#pragma once
#include <cstdint>

namespace rf {

void rms_norm(const float* x, const float* gain, float* y, int64_t rows, int64_t cols, float eps);
void rms_norm_grad(const float* dy, const float* x, const float* gain, float* dx, float* dgain, int64_t rows, int64_t cols,
                   float eps);

// The MM-DiT's q/k norm: per-head RMSNorm of the q and k parts of qkv projections [rows, 3 H d]
// (gains gq and gk [d]), v copied; the backward gives dqkv and the gains' gradients (summed over
// fixed groups of rows, then in order: independent of the thread count).
void qk_norm(const float* qkv, const float* gq, const float* gk, float* y, int64_t rows, int64_t heads, int64_t d, float eps);
void qk_norm_grad(const float* dy, const float* qkv, const float* gq, const float* gk, float* dqkv, float* dgq, float* dgk,
                  int64_t rows, int64_t heads, int64_t d, float eps);

}  // namespace rf
