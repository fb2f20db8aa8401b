// Row-wise softmax forward (max-shifted, sum in double) and backward (see softmax.h).
#include "softmax.h"

#include <cmath>

#include "thread_pool.h"

namespace rf {
namespace {

template <typename F>
void rows_on_pool(int64_t rows, int64_t cols, F f) {
  const int64_t chunks = rows * cols >= kParallelElements / 8 && rows >= 2 ? (rows < pool_threads() ? rows : pool_threads()) : 1;
  parallel_for(chunks, [&](int64_t c) {
    for (int64_t r = rows * c / chunks; r < rows * (c + 1) / chunks; r++) f(r);
  });
}

}  // namespace

void softmax(const float* x, float* y, int64_t rows, int64_t cols) {
  rows_on_pool(rows, cols, [&](int64_t r) {
    const float* in = x + r * cols;
    float* out = y + r * cols;
    float m = in[0];
    for (int64_t j = 1; j < cols; j++) m = in[j] > m ? in[j] : m;
    double sum = 0;
    for (int64_t j = 0; j < cols; j++) {
      out[j] = std::exp(in[j] - m);
      sum += out[j];
    }
    const float inv = float(1.0 / sum);
    for (int64_t j = 0; j < cols; j++) out[j] *= inv;
  });
}

void softmax_grad(const float* dy, const float* y, float* dx, int64_t rows, int64_t cols) {
  rows_on_pool(rows, cols, [&](int64_t r) {
    const float* g = dy + r * cols;
    const float* p = y + r * cols;
    float* out = dx + r * cols;
    double dot = 0;
    for (int64_t j = 0; j < cols; j++) dot += double(g[j]) * p[j];
    const float d = float(dot);
    for (int64_t j = 0; j < cols; j++) out[j] = p[j] * (g[j] - d);
  });
}

}  // namespace rf
