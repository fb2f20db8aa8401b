// Softmax over the last axis and its backward, fused (the RectiflowSoftmax custom op):
// y = exp(x - max) / sum; dx = y * (dy - sum(dy * y)).
#pragma once
#include <cstdint>

namespace rf {

void softmax(const float* x, float* y, int64_t rows, int64_t cols);
void softmax_grad(const float* dy, const float* y, float* dx, int64_t rows, int64_t cols);

}  // namespace rf
