// GELU-tanh forward and backward in one pass each (see gelu.h).
#include "gelu.h"

#include <cmath>

namespace rf {
namespace {
constexpr float kSqrt2OverPi = 0.7978845608028654f;
constexpr float kCubic = 0.044715f;
}  // namespace

void gelu_tanh(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const float v = x[i];
    const float z2 = 2.f * kSqrt2OverPi * (v + kCubic * v * v * v);
    y[i] = v / (1.f + std::exp(-z2));
  }
}

void gelu_tanh_grad(const float* dy, const float* x, float* dx, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const float v = x[i];
    const float z2 = 2.f * kSqrt2OverPi * (v + kCubic * v * v * v);
    const float s = 1.f / (1.f + std::exp(-z2));
    const float dz2 = 2.f * kSqrt2OverPi * (1.f + 3.f * kCubic * v * v);
    dx[i] = dy[i] * (s + v * s * (1.f - s) * dz2);
  }
}

}  // namespace rf
