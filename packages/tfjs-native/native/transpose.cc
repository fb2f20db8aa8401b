// Transpose: drops size-1 axes, merges axes that stay adjacent, then copies with the last
// output axis innermost (a plain copy when it is also the input's last axis, 8x8 tiles for a
// 2-D swap of the last two axes), split over the pool by the outer output index.
#include "transpose.h"

#include <cstring>

#include "thread_pool.h"

namespace rf {
namespace {

// Copy one [rows, cols] matrix (row stride in_ld) into its transpose [cols, rows] (row stride out_ld).
void swap2d(const float* x, float* out, int64_t rows, int64_t cols, int64_t in_ld, int64_t out_ld) {
  constexpr int64_t T = 8;
  for (int64_t r0 = 0; r0 < rows; r0 += T) {
    const int64_t r1 = r0 + T < rows ? r0 + T : rows;
    for (int64_t c0 = 0; c0 < cols; c0 += T) {
      const int64_t c1 = c0 + T < cols ? c0 + T : cols;
      for (int64_t c = c0; c < c1; c++)
        for (int64_t r = r0; r < r1; r++) out[c * out_ld + r] = x[r * in_ld + c];
    }
  }
}

}  // namespace

void transpose(const float* x, float* out, const std::vector<int64_t>& shape, const std::vector<int64_t>& perm) {
  int64_t total = 1;
  for (int64_t d : shape) total *= d;
  if (total == 0) return;
  // Input strides, then the output axes (in order) that are not size 1, merged when adjacent.
  const int64_t rank = int64_t(shape.size());
  std::vector<int64_t> in_stride(rank, 1);
  for (int64_t d = rank - 2; d >= 0; d--) in_stride[d] = in_stride[d + 1] * shape[d + 1];
  std::vector<int64_t> dims, strides;  // per output axis: size and input stride
  std::vector<int64_t> axes;           // input axis of the last merged group
  for (int64_t o = 0; o < rank; o++) {
    const int64_t a = perm[o];
    if (shape[a] == 1) continue;
    if (!axes.empty() && axes.back() == a - 1) {
      // merge with the previous output axis if input axis a-1 was it (skipping size-1 axes)
      dims.back() *= shape[a];
      strides.back() = in_stride[a];
    } else if (!axes.empty() && [&] {
                 int64_t b = a - 1;
                 while (b >= 0 && shape[b] == 1) b--;
                 return b == axes.back();
               }()) {
      dims.back() *= shape[a];
      strides.back() = in_stride[a];
    } else {
      dims.push_back(shape[a]);
      strides.push_back(in_stride[a]);
    }
    axes.push_back(a);
  }
  const int64_t r = int64_t(dims.size());
  if (r <= 1) {
    std::memcpy(out, x, sizeof(float) * total);
    return;
  }
  const int64_t inner = dims[r - 1];
  const int64_t inner_stride = strides[r - 1];
  // Tiled 2-D swap when the last two output axes are a swap of the input's last two.
  const bool swap_last = r >= 2 && strides[r - 2] == 1 && inner_stride != 1;
  const int64_t rows_per = swap_last ? dims[r - 2] * inner : inner;
  const int64_t outer_rank = swap_last ? r - 2 : r - 1;
  int64_t outer = 1;
  for (int64_t d = 0; d < outer_rank; d++) outer *= dims[d];
  auto run = [&](int64_t chunk, int64_t chunks) {
    const int64_t begin = outer * chunk / chunks, end = outer * (chunk + 1) / chunks;
    for (int64_t o = begin; o < end; o++) {
      int64_t src = 0, idx = o;
      for (int64_t d = outer_rank - 1; d >= 0; d--) {
        src += (idx % dims[d]) * strides[d];
        idx /= dims[d];
      }
      float* dst = out + o * rows_per;
      if (swap_last) {
        // input block: [inner (stride inner_stride), dims[r-2] (stride 1)]; output [dims[r-2], inner]
        swap2d(x + src, dst, inner, dims[r - 2], inner_stride, inner);
      } else if (inner_stride == 1) {
        std::memcpy(dst, x + src, sizeof(float) * inner);
      } else {
        const float* s = x + src;
        for (int64_t j = 0; j < inner; j++) dst[j] = s[j * inner_stride];
      }
    }
  };
  const int64_t chunks = total >= kParallelElements && outer >= 2 ? (outer < pool_threads() ? outer : pool_threads()) : 1;
  if (chunks <= 1) {
    run(0, 1);
  } else {
    parallel_for(chunks, [&](int64_t c) { run(c, chunks); });
  }
}

}  // namespace rf
