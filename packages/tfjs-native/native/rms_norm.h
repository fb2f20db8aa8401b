// RMSNorm with a gain over the last axis, fused (the RectiflowRmsNorm custom op):
// y = x * r * gain with r = rsqrt(mean(x^2) + eps); its backward gives dx and dgain.
#pragma once
#include <cstdint>

namespace rf {

void rms_norm(const float* x, const float* gain, float* y, int64_t rows, int64_t cols, float eps);
void rms_norm_grad(const float* dy, const float* x, const float* gain, float* dx, float* dgain, int64_t rows, int64_t cols,
                   float eps);

}  // namespace rf
