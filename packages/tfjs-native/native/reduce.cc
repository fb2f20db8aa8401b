// Reduction driver: drops size-1 axes and merges neighbours of the same kind, so the common
// layouts become [kept, reduced] (row reduction) or [kept, reduced, kept] (reduction over a
// middle axis); anything else is transposed to [kept..., reduced...] in a scratch buffer first.
#include "reduce.h"

#include <limits>

#include "cpu_dispatch.h"
#include "native_memory.h"
#include "thread_pool.h"
#include "transpose.h"

namespace rf {

void reduce(const float* x, float* out, const std::vector<int64_t>& shape, const std::vector<bool>& reduced, int op) {
  const KernelTable* t = active_table();
  const int kernel_op = op == kMax ? 2 : 0;
  int64_t kept_size = 1, reduced_size = 1;
  for (size_t d = 0; d < shape.size(); d++) (reduced[d] ? reduced_size : kept_size) *= shape[d];
  if (kept_size == 0) return;
  if (reduced_size == 0) {
    const float fill = op == kMax ? -std::numeric_limits<float>::infinity() : (op == kMean ? std::numeric_limits<float>::quiet_NaN() : 0.f);
    for (int64_t i = 0; i < kept_size; i++) out[i] = fill;
    return;
  }
  std::vector<int64_t> dims;
  std::vector<bool> kinds;
  for (size_t d = 0; d < shape.size(); d++) {
    if (shape[d] == 1) continue;
    if (!dims.empty() && kinds.back() == reduced[d]) {
      dims.back() *= shape[d];
    } else {
      dims.push_back(shape[d]);
      kinds.push_back(reduced[d]);
    }
  }
  const int threads = pool_threads();
  auto rows = [&](const float* src, int64_t n_rows, int64_t cols) {
    const int64_t chunks = n_rows * cols >= kParallelElements && n_rows >= 2 ? (n_rows < threads ? n_rows : threads) : 1;
    parallel_for(chunks, [&](int64_t c) {
      const int64_t r0 = n_rows * c / chunks, r1 = n_rows * (c + 1) / chunks;
      t->reduce_rows(src + r0 * cols, out + r0, r1 - r0, cols, kernel_op);
    });
  };
  if (dims.empty() || (dims.size() == 1 && !kinds[0])) {
    for (int64_t i = 0; i < kept_size; i++) out[i] = x[i];  // nothing (of size > 1) reduced
  } else if (dims.size() == 1) {
    rows(x, 1, dims[0]);
  } else if (dims.size() == 2 && !kinds[0]) {
    rows(x, dims[0], dims[1]);
  } else if (dims.size() <= 3 && kinds[0] == (dims.size() == 2)) {
    // [reduced, kept] or [kept, reduced, kept]
    const int64_t outer = dims.size() == 3 ? dims[0] : 1;
    const int64_t mid = dims.size() == 3 ? dims[1] : dims[0];
    const int64_t inner = dims.back();
    const int64_t chunks = outer * mid * inner >= kParallelElements && outer >= 2 ? (outer < threads ? outer : threads) : 1;
    parallel_for(chunks, [&](int64_t c) {
      const int64_t o0 = outer * c / chunks, o1 = outer * (c + 1) / chunks;
      t->reduce_mid(x + o0 * mid * inner, out + o0 * inner, o1 - o0, mid, inner, kernel_op);
    });
  } else {
    std::vector<int64_t> perm;
    for (size_t d = 0; d < dims.size(); d++)
      if (!kinds[d]) perm.push_back(int64_t(d));
    for (size_t d = 0; d < dims.size(); d++)
      if (kinds[d]) perm.push_back(int64_t(d));
    ScratchBuffer moved(size_t(kept_size * reduced_size));
    transpose(x, moved.data(), dims, perm);
    rows(moved.data(), kept_size, reduced_size);
  }
  if (op == kMean) {
    const float n = float(reduced_size);
    for (int64_t i = 0; i < kept_size; i++) out[i] /= n;
  }
}

}  // namespace rf
